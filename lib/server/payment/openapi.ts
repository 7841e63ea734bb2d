import { z } from 'zod'
import { createDocument } from 'zod-openapi'
import { errorSchema } from '../http/schemas'
import {
  acceptedSchema,
  channelSchema,
  createServiceBody,
  depositBody,
  issueBody,
  issueChannelBody,
  openChannelBody,
  patchChannelBody,
  serviceSchema,
  tokensSchema,
  transactionSchema,
  verifyBody,
  verifyResultsSchema,
} from './schemas'

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

const error = (description: string) => json(errorSchema, description)

/** Errors every authenticated route can answer. */
const common = {
  '400': error('Malformed input (`invalid_json`, `invalid_request`, `invalid_address`)'),
  '401': error('No or an unknown API key (`unauthorized`)'),
  '403': error('The key may not do this (`forbidden`)'),
  '413': error('Body larger than 64 KiB (`body_too_large`)'),
  '500': error('Unexpected failure (`internal_error`); no internals are disclosed'),
  '503': error(
    'The chain node or the database did not answer (`chain_unavailable`, `database_unavailable`); retry',
  ),
}

const channelPath = z.object({
  address: z
    .string()
    .meta({ description: 'Channel address', example: '0x5fbdb2315678afecb367f032d93f642f64180aa3' }),
})

const action = (summary: string, description: string, body?: z.ZodType) => ({
  post: {
    summary,
    description,
    security: [{ serviceKey: [] }],
    requestParams: { path: channelPath },
    ...(body ? { requestBody: { content: { 'application/json': { schema: body } } } } : {}),
    responses: {
      '200': json(transactionSchema, 'Mined'),
      '404': error('Not a channel of this server (`channel_unknown`)'),
      '409': error(
        'The contract would refuse it: the code is the contract error in snake case (e.g. `redemption_pending`, `nothing_to_withdraw`) and the message says why; nothing was sent',
      ),
      ...common,
    },
  },
})

let document: ReturnType<typeof createDocument> | undefined

/** The OpenAPI 3.1 document of `/api/payment`, built from the same zod schemas that check input. */
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
    paths: {
      '/api/payment/health': {
        get: {
          summary: 'Health of this instance',
          responses: {
            '200': json(
              z.object({
                status: z.literal('ok'),
                chainId: z.number(),
                database: z.string(),
                chainHead: z.string().nullable(),
                runner: z.enum(['leader', 'standby', 'off']),
              }),
              'Database and chain answer; `runner` says whether this instance runs the background work (`off`: PAYMENT_RUNNER=off)',
            ),
            '503': json(z.object({ status: z.literal('degraded') }).loose(), 'Database or chain unavailable'),
          },
        },
      },
      '/api/payment/metrics': {
        get: {
          summary: 'Prometheus metrics (admin)',
          security: [{ adminKey: [] }],
          responses: {
            '200': {
              description: 'Prometheus text exposition format',
              content: { 'text/plain': { schema: z.string() } },
            },
            ...common,
          },
        },
      },
      '/api/payment/services': {
        get: {
          summary: 'Services: all of them (admin) or the caller itself',
          security: [{ adminKey: [] }, { serviceKey: [] }],
          responses: { '200': json(z.object({ services: z.array(serviceSchema) }), 'Services'), ...common },
        },
        post: {
          summary: 'Register a service (admin)',
          description:
            'Its private key is generated and sealed here, or read from an environment variable of the server. The API key is returned once and stored only as a hash.',
          security: [{ adminKey: [] }],
          requestBody: { content: { 'application/json': { schema: createServiceBody } } },
          responses: {
            '201': json(
              z.object({ service: serviceSchema, apiKey: z.string() }),
              'Registered; keep the API key',
            ),
            '409': error(
              'Name or address taken (`service_exists`), or no keystore secret (`keystore_unconfigured`)',
            ),
            ...common,
          },
        },
      },
      '/api/payment/services/{name}/api-key': {
        post: {
          summary: "Rotate a service's API key (admin)",
          security: [{ adminKey: [] }],
          requestParams: { path: z.object({ name: z.string() }) },
          responses: {
            '201': json(
              z.object({ service: serviceSchema, apiKey: z.string() }),
              'New key; the old one stops working within 5 s',
            ),
            '404': error('No such service (`service_unknown`)'),
            ...common,
          },
        },
      },
      '/api/payment/channels': {
        get: {
          summary: "The caller's channels",
          security: [{ serviceKey: [] }],
          responses: { '200': json(z.object({ channels: z.array(channelSchema) }), 'Channels'), ...common },
        },
        post: {
          summary: 'Get or create the open channel from the caller to a provider',
          description:
            'Deploys through the factory, paid by the caller, when the caller has no channel to the provider that is neither terminated nor terminating. Several concurrent calls, on any instance, open at most one.',
          security: [{ serviceKey: [] }],
          requestBody: { content: { 'application/json': { schema: openChannelBody } } },
          responses: {
            '200': json(z.object({ channel: channelSchema, created: z.literal(false) }), 'Existing channel'),
            '201': json(z.object({ channel: channelSchema, created: z.literal(true) }), 'Deployed now'),
            '404': error('Unknown provider service (`service_unknown`)'),
            '409': error('`price_required`, `invalid_provider`, or the factory would refuse the terms'),
            ...common,
          },
        },
      },
      '/api/payment/channels/{address}': {
        get: {
          summary: 'A channel: terms, state on chain, and what this server issued and accepted',
          security: [{ serviceKey: [] }],
          requestParams: { path: channelPath },
          responses: {
            '200': json(z.object({ channel: channelSchema }), 'Channel'),
            '404': error('`channel_unknown`'),
            ...common,
          },
        },
        patch: {
          summary: 'Set or clear auto-funding (consumer)',
          security: [{ serviceKey: [] }],
          requestParams: { path: channelPath },
          requestBody: { content: { 'application/json': { schema: patchChannelBody } } },
          responses: {
            '200': json(z.object({ channel: channelSchema }), 'Channel'),
            '404': error('`channel_unknown`'),
            ...common,
          },
        },
      },
      '/api/payment/channels/{address}/tokens': {
        post: {
          summary: 'Issue the next tokens of a channel (consumer)',
          security: [{ serviceKey: [] }],
          requestParams: { path: channelPath },
          requestBody: { content: { 'application/json': { schema: issueChannelBody } } },
          responses: {
            '200': json(tokensSchema, 'Tokens with never-issued, ascending counts'),
            '409': error(
              '`insufficient_funds` (no count was taken), `channel_terminating`, `channel_terminated`',
            ),
            ...common,
          },
        },
      },
      '/api/payment/channels/{address}/deposit': action(
        'Deposit (consumer)',
        'Adds funds to the channel.',
        depositBody,
      ),
      '/api/payment/channels/{address}/redemption': action(
        'Start a redemption now (provider)',
        'The active token ID starts expiring; the runner redeems its highest accepted token after the redemption timeout.',
      ),
      '/api/payment/channels/{address}/termination': action(
        'Terminate',
        'Consumer: announces termination; the runner terminates after the deadline and withdraws the refund. Provider: terminates at once.',
      ),
      '/api/payment/channels/{address}/withdraw': action(
        'Withdraw',
        'Provider: its earnings. Consumer: what is left after termination.',
      ),
      '/api/payment/tokens': {
        post: {
          summary: "Issue the next tokens for the caller's open channel to a provider (consumer)",
          security: [{ serviceKey: [] }],
          requestBody: { content: { 'application/json': { schema: issueBody } } },
          responses: {
            '200': json(tokensSchema, 'Tokens'),
            '404': error('`no_channel` (open one first) or `service_unknown`'),
            '409': error('`insufficient_funds`, `channel_terminating`, `channel_terminated`'),
            ...common,
          },
        },
      },
      '/api/payment/tokens/verify': {
        post: {
          summary: 'Verify and accept tokens (provider)',
          description: [
            'Accepts a token only if: it is for this chain; its channel is one of the factory with the caller as provider, at a price the caller accepts; the signature recovers to the consumer; the channel is neither terminated nor terminating; its token ID is active, or expiring within the tolerance window; its count was never accepted; and the consumer funds cover everything owed with it.',
            'Acceptance is atomic across concurrent calls and server instances and durable before the answer. A refusal changes nothing.',
            'Refusal codes: `token_malformed` (400), `forbidden` (403), `wrong_chain`, `channel_unknown`, `terms_rejected`, `bad_signature`, `channel_terminated`, `channel_terminating`, `token_id_unknown`, `token_expired`, `zero_requests`, `count_already_accepted`, `insufficient_funds` (402).',
          ].join('\n\n'),
          security: [{ serviceKey: [] }],
          requestBody: { content: { 'application/json': { schema: verifyBody } } },
          responses: {
            '200': json(
              z.union([acceptedSchema, verifyResultsSchema]),
              'Accepted (`{token}`), or one result per token (`{tokens}`)',
            ),
            '402': error('Refused: the code and sentence say why'),
            ...common,
          },
        },
      },
    },
  })
  return document
}
