import { z } from 'zod'
import { createDocument } from 'zod-openapi'
import { error, type HttpMethod, type OperationDoc, openApiPaths } from '../http/openapi'
import type { AnyPaymentRoute, Auth } from './api/route'
import { commonRefusals } from './examples'
import { paymentRoutes } from './routes'

/** Errors every authenticated route can answer, each with a typical answer. */
const common = {
  '400': error(
    'Malformed input (`invalid_json`, `invalid_request`, `invalid_address`), or a control character or a lone surrogate in a parameter or a string of the body (`invalid_text`)',
    commonRefusals['400'],
  ),
  '401': error('No or an unknown API key (`unauthorized`)', commonRefusals['401']),
  '403': error('The key may not do this (`forbidden`)', commonRefusals['403']),
  '413': error('Body larger than 64 KiB (`body_too_large`)', commonRefusals['413']),
  '429': error(
    "Too many calls (`rate_limited`): of this API key (tokens per second, or calls in progress), of this client address, or with unknown keys from it; retry after the `Retry-After` header's seconds",
    commonRefusals['429'],
  ),
  '500': error('Unexpected failure (`internal_error`); no internals are disclosed', commonRefusals['500']),
  '503': error(
    "The chain node or the database did not answer (`chain_unavailable`, `database_unavailable`); retry. Or this instance's PAYMENT_KEYSTORE_SECRET cannot open the service keys stored in the database (`keystore_secret_mismatch`): every instance needs the same one",
    commonRefusals['503'],
  ),
}

/**
 * The tags: the first segment of a route's path after `/api/payment/`. A route under a segment
 * missing here fails the document's test (Redoc would show its group without a word).
 */
export const paymentTags = [
  { name: 'health', description: 'Whether this instance, its database and its chain node answer (no key)' },
  { name: 'metrics', description: 'Prometheus metrics of this instance (admin key)' },
  {
    name: 'services',
    description:
      "The team's services: each has a chain address, a key held here and an API key (register and rotate with the admin key)",
  },
  {
    name: 'channels',
    description:
      'Payment channels from the caller (consumer) to a provider: open, read, auto-fund, deposit, redeem, terminate, withdraw',
  },
  {
    name: 'tokens',
    description:
      'The two calls of every paid request: the consumer issues a token, sends it in the `payment-token` header, and the provider verifies it',
  },
]

/** The security requirement of each kind of auth (any one of them is enough). */
const security: Record<Auth, Array<Record<string, string[]>> | undefined> = {
  service: [{ serviceKey: [] }],
  admin: [{ adminKey: [] }],
  'service-or-admin': [{ adminKey: [] }, { serviceKey: [] }],
  none: undefined,
}

/** How each path parameter is documented; others are plain strings. */
const pathParams: Record<string, z.ZodType> = {
  address: z
    .string()
    .meta({ description: 'Channel address', example: '0x5fbdb2315678afecb367f032d93f642f64180aa3' }),
}

/**
 * A route of the table as an OpenAPI operation: its name is the operationId, the first segment
 * after `/api/payment/` the tag; security, the path parameters, the request body and the
 * authenticated routes' common errors follow from its auth, path and body schema.
 */
function paymentOperation(route: AnyPaymentRoute): OperationDoc {
  const { summary, description, responses } = route.doc
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string)
  return {
    method: route.method.toLowerCase() as HttpMethod,
    path: route.path,
    operation: {
      operationId: route.name,
      tags: [route.path.split('/')[3] as string],
      summary,
      ...(description ? { description } : {}),
      ...(security[route.auth] ? { security: security[route.auth] } : {}),
      ...(names.length > 0
        ? {
            requestParams: {
              path: z.object(Object.fromEntries(names.map((n) => [n, pathParams[n] ?? z.string()]))),
            },
          }
        : {}),
      ...(route.body
        ? {
            requestBody: {
              content: {
                'application/json': {
                  schema: route.body,
                  ...(route.doc.requestExamples ? { examples: route.doc.requestExamples } : {}),
                },
              },
            },
          }
        : {}),
      responses: route.auth === 'none' ? responses : { ...responses, ...common },
    },
  }
}

/** The Payment Server's routes as OpenAPI operations, in the table's order. */
export const paymentOperations = (): OperationDoc[] =>
  (paymentRoutes as readonly AnyPaymentRoute[]).map(paymentOperation)

let document: ReturnType<typeof createDocument> | undefined

/**
 * The OpenAPI 3.1 document of `/api/payment`, derived from the route table (./routes) and the
 * same zod schemas that check input.
 */
export function paymentOpenApi() {
  document ??= createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Payment Server',
      version: '1.0.0',
      description: [
        'Issues and verifies per-request payment tokens for channels between microservices.',
        'Every call except `health` and this document needs `Authorization: Bearer <key>`: a service API key, or the team admin key where noted.',
        'Amounts (wei) and counts are decimal strings; addresses are lowercase hex.',
        'Errors are `{ error: { code, message } }`; a refused token changes nothing.',
        'Token wire format: `v1.<chainId>.<channel>.<tokenId>.<requests>.<signature>`, sent between services in the `payment-token` header.',
      ].join('\n\n'),
    },
    servers: [{ url: '/' }],
    tags: paymentTags,
    components: {
      securitySchemes: {
        serviceKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'API key of a service (`psk_<name>_...`)',
        },
        adminKey: { type: 'http', scheme: 'bearer', description: 'PAYMENT_ADMIN_KEY' },
      },
    },
    paths: openApiPaths(paymentOperations()),
  })
  return document
}
