import { z } from 'zod'
import { NotFoundError } from '../../../errors'
import { error, json } from '../../http/openapi'
import { Answer } from '../../http/route'
import {
  acceptedSchema,
  issueBody,
  issueChannelBody,
  tokensSchema,
  verifyBody,
  verifyResultsSchema,
} from '../schemas'
import type { VerifyItem } from '../verify/verifier'
import { outcomeJson, resolveProvider, tokensJson } from '../views'
import { definePaymentRoute } from './route'

/**
 * The token calls. Every paid request between two services makes the first and the last of
 * them, so they are `hot`: `npm start` serves them on its fast path (../fastPath) as well as
 * through Next.js, with the same handlers.
 */
export const tokenRoutes = [
  definePaymentRoute({
    name: 'tokens.issue',
    method: 'POST',
    path: '/api/payment/tokens',
    auth: 'service',
    body: issueBody,
    hot: true,
    units: (body) => body.count ?? 1,
    doc: {
      summary: "Issue the next tokens for the caller's open channel to a provider (consumer)",
      responses: {
        '200': json(tokensSchema, 'Tokens'),
        '404': error('`no_channel` (open one first) or `service_unknown`'),
        '409': error('`insufficient_funds`, `channel_terminating`, `channel_terminated`'),
      },
    },
    async handler({ server, caller: consumer, body: { provider, count = 1 } }) {
      const { address } = await resolveProvider(server, provider)
      const channel = await server.channels.openChannel(consumer, address)
      if (!channel) {
        throw new NotFoundError({
          code: 'no_channel',
          message: `Service ${consumer.name} has no open channel to ${provider}.`,
          hints: ['Open one with POST /api/payment/channels.'],
        })
      }
      return tokensJson(await server.issuer.issue({ channel, consumer, count }))
    },
  }),
  definePaymentRoute({
    name: 'tokens.issueForChannel',
    method: 'POST',
    path: '/api/payment/channels/{address}/tokens',
    auth: 'service',
    body: issueChannelBody,
    units: (body) => body.count ?? 1,
    doc: {
      summary: 'Issue the next tokens of a channel (consumer)',
      responses: {
        '200': json(tokensSchema, 'Tokens with never-issued, ascending counts'),
        '409': error(
          '`insufficient_funds` (no count was taken), `channel_terminating`, `channel_terminated`',
        ),
        '410': error('`channel_retired`: the channel belonged to the chain before a reset; open a new one'),
      },
    },
    async handler({ server, caller: consumer, params, body: { count = 1 } }) {
      const channel = await server.channels.forParty(params.address, consumer, 'consumer')
      return tokensJson(await server.issuer.issue({ channel, consumer, count }))
    },
  }),
  /**
   * `{token}` answers 200 when accepted, else the refusal's status (402, 400 malformed, 403 not
   * the provider) with its code and sentence; `{tokens: [...]}` answers 200 with one result per
   * token, in order.
   */
  definePaymentRoute({
    name: 'tokens.verify',
    method: 'POST',
    path: '/api/payment/tokens/verify',
    auth: 'service',
    body: verifyBody,
    hot: true,
    units: (body) => ('tokens' in body ? body.tokens.length : 1),
    doc: {
      summary: 'Verify and accept tokens (provider)',
      description: [
        'Accepts a token only if: it is for this chain; its channel is one of the factory with the caller as provider, at a price the caller accepts; the signature recovers to the consumer; the channel is neither terminated nor terminating; its token ID is active, or expiring within the tolerance window; its count was never accepted; and the consumer funds cover everything owed with it.',
        'Acceptance is atomic across concurrent calls and server instances and durable before the answer. A refusal changes nothing.',
        'Refusal codes: `token_malformed` (400), `forbidden` (403), `wrong_chain`, `channel_unknown`, `terms_rejected`, `bad_signature`, `channel_terminated`, `channel_terminating`, `token_id_unknown`, `token_expired`, `zero_requests`, `count_already_accepted`, `insufficient_funds` (402); `channel_retired` (410: the channel belonged to the chain before a reset of the dev chain).',
      ].join('\n\n'),
      responses: {
        '200': json(
          z.union([acceptedSchema, verifyResultsSchema]),
          'Accepted (`{token}`), or one result per token (`{tokens}`)',
        ),
        '402': error('Refused: the code and sentence say why'),
        '410': error('`channel_retired`: the channel belonged to the chain before a reset'),
      },
    },
    async handler({ server, caller: provider, body }) {
      if ('tokens' in body)
        return {
          results: (await server.verifier.verifyMany(provider, body.tokens.map(pricedItem))).map(outcomeJson),
        }
      const outcome = await server.verifier.verify(provider, pricedItem(body))
      if (outcome.accepted) return outcomeJson(outcome)
      return new Answer(
        outcome.status,
        { error: { code: outcome.code, message: outcome.message } },
        outcome.retryAfterSeconds ? { 'retry-after': String(outcome.retryAfterSeconds) } : undefined,
      )
    },
  }),
] as const

/** A verify item as the verifier takes it: the route's price (a checked decimal string) as a bigint. */
function pricedItem(item: string | { token: string; price?: string }): VerifyItem {
  if (typeof item === 'string') return item
  return item.price === undefined ? item.token : { token: item.token, price: BigInt(item.price) }
}
