import { z } from 'zod'
import { labelEditBody, serviceLabelSchema } from '../../services/api'
import { error, json } from '../http/openapi'
import { route } from '../http/route'
import { saveServiceLabel } from './labelEdit'
import { listServiceLabels } from './labels'

const tags = ['services']

/** The services' JSON routes: the service labels, read and edited, with their OpenAPI operations. */
export const serviceRoutes = [
  route({
    method: 'get',
    path: '/api/services/labels',
    operation: {
      operationId: 'listServiceLabels',
      tags,
      summary: 'Service labels',
      description: 'Every labelled address: name and team, by team then name.',
      responses: { '200': json(z.object({ labels: z.array(serviceLabelSchema) }), 'OK') },
    },
    handler: async ({ ctx }) => ({ labels: await listServiceLabels(ctx) }),
  }),
  route({
    method: 'post',
    path: '/api/services/labels',
    operation: {
      operationId: 'saveServiceLabel',
      tags,
      summary: 'Create or change a service label',
      description: [
        'Authorised by an admin wallet or the team admin key.',
        "Wallet: `signature` is an EIP-712 signature of `ServiceLabel(address service, string name, string team, uint256 version, uint256 expiresAt)` under `{ name: 'Channel inspector', version: '1', chainId, verifyingContract: factory }` by an address in LABEL_ADMINS, expiring within 10 minutes.",
        'Admin key: `Authorization: Bearer <PAYMENT_ADMIN_KEY>` and no signature.',
        '`version` is the version the edit replaces (0 for a new label), so an edit never overwrites one it has not seen.',
      ].join('\n\n'),
      responses: {
        '200': json(z.object({ label: serviceLabelSchema }), 'The label as saved'),
        '400': error(
          'Malformed body, expired request or expiry too far ahead (`invalid_request`, `request_expired`, `invalid_expiry`)',
        ),
        '401': error('Neither a signature nor the admin key (`unauthorized`)'),
        '403': error('Signed by an address that is not a label admin (`not_label_admin`)'),
        '409': error('Changed since (`version_conflict`) or the name labels another address (`name_taken`)'),
        '413': error('Body over 64 KiB (`body_too_large`)'),
      },
    },
    body: labelEditBody,
    handler: async ({ ctx, request, body }) => ({ label: await saveServiceLabel({ ctx, request, body }) }),
  }),
]
