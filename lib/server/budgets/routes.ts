import { z } from 'zod'
import { budgetEditBody, budgetsAnswerSchema, deliveryViewSchema } from '../../budgets/api'
import { error, json } from '../http/openapi'
import { route } from '../http/route'
import { listDeliveries } from './history'
import { budgetsOverview } from './overview'
import { saveBudgetEdit } from './store'

const tags = ['budgets']

/** The budgets' and alerts' JSON routes with their OpenAPI operations. */
export const budgetRoutes = [
  route({
    method: 'get',
    path: '/api/budgets',
    operation: {
      operationId: 'getBudgets',
      tags,
      summary: 'Budgets, alert rules and webhooks',
      description:
        "Each budget with what its team or service paid this period (settled on chain, at the index's newest block) and the linear forecast to the period's end (spent × period length ÷ time elapsed, at least an hour). Webhook URLs are secrets and shown masked.",
      responses: {
        '200': json(budgetsAnswerSchema, 'OK'),
        '503': error('Nothing indexed yet (`not_indexed`)'),
      },
    },
    handler: ({ ctx }) => budgetsOverview(ctx),
  }),
  route({
    method: 'post',
    path: '/api/budgets/edits',
    operation: {
      operationId: 'editBudgets',
      tags,
      summary: 'Set or remove a budget, a webhook or an alert rule',
      description: [
        'One edit (`edit.action`: setBudget, removeBudget, setWebhook, removeWebhook, setRule, removeRule), authorised as a service label edit: by an admin wallet or the team admin key.',
        "Wallet: `signature` is an EIP-712 signature of `BudgetEdit(string action, string edit, uint256 expiresAt)` under `{ name: 'Channel inspector', version: '1', chainId, verifyingContract: factory }` by an address in LABEL_ADMINS, where `edit` is the edit's JSON with its keys sorted; it expires within 10 minutes and is accepted once.",
        'Admin key: `Authorization: Bearer <PAYMENT_ADMIN_KEY>` and no signature.',
        'A webhook URL must be http(s); it is stored as a secret and never answered whole.',
      ].join('\n\n'),
      responses: {
        '200': json(
          z.object({ action: z.string(), id: z.number().int(), by: z.string().nullable() }),
          'Applied: the item’s id (0 for a removal) and the signer (null: the admin key)',
        ),
        '400': error(
          'Malformed edit, expired request, expiry too far ahead, or a signature not in its canonical form: v 27/28, low s (`invalid_request`, `request_expired`, `invalid_expiry`, `non_canonical_signature`)',
        ),
        '401': error('Neither a signature nor the admin key (`unauthorized`)'),
        '403': error('Signed by an address that is not a label admin (`not_label_admin`)'),
        '404': error('The budget, webhook or rule named does not exist (`unknown_alert_item`)'),
        '409': error(
          'A budget or webhook still used by rules (`in_use`), the signed edit applied already, in any encoding of its signature (`signature_used`), or created at the same moment (`edit_conflict`)',
        ),
        '413': error('Body over 64 KiB (`body_too_large`)'),
      },
    },
    body: budgetEditBody,
    handler: ({ ctx, request, body }) => saveBudgetEdit({ ctx, request, body }),
  }),
  route({
    method: 'get',
    path: '/api/budgets/deliveries',
    operation: {
      operationId: 'listAlertDeliveries',
      tags,
      summary: 'Alert history',
      description:
        'Every alert delivery, newest first (at most 200): when, which rule, what crossed, status and attempts.',
      responses: { '200': json(z.object({ deliveries: z.array(deliveryViewSchema) }), 'OK') },
    },
    handler: async ({ ctx }) => ({ deliveries: await listDeliveries(ctx) }),
  }),
]
