import type { Address } from 'viem'
import { z } from 'zod'
import { BadRequestError, NotFoundError } from '../../../errors'
import { error, json } from '../../http/openapi'
import { Answer } from '../../http/route'
import type { ChannelRecord } from '../channels'
import { example, exampleToken, one, refusal } from '../examples'
import {
  acceptedSchema,
  issueBody,
  issueChannelBody,
  tokensSchema,
  verifyBody,
  verifyResultsSchema,
} from '../schemas'
import type { PaymentServer } from '../server'
import type { Service } from '../services'
import { resolveCategory } from '../v2/categories'
import { priceAboveMax } from '../v2/issuerV2'
import { categoryOfOrigin, originAddress } from '../v2/origins'
import type { VerifyItem } from '../verify/verifier'
import { outcomeJson, resolveProvider, tokensJson } from '../views'
import { definePaymentRoute } from './route'

/** The answer to an accepted token of the examples' channel for `requests` requests. */
const accepted = (requests: number) => ({
  accepted: true,
  channel: example.channel,
  tokenId: '1',
  requests: String(requests),
  value: String(BigInt(requests) * BigInt(example.costPerRequest)),
})

const replayed =
  'Request count 42 of token ID 1 was already accepted, or was missing too long to be remembered.'

/** The issue calls' 402: the category's price is above the body's maxPrice (no count taken). */
const aboveMax = error(
  '`price_above_max`: the price of the category is above `maxPrice`; no count was taken',
  {
    price_above_max: `Channel ${example.channel} charges 6000 wei per request of category large, above the maxPrice of 5000 wei; no token was issued.`,
  },
)

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
      requestExamples: {
        one: { summary: 'One token', value: { provider: 'billing' } },
        batch: {
          summary: 'Three tokens, to a provider given by address',
          value: { provider: example.provider, count: 3 },
        },
      },
      responses: {
        '200': json(
          tokensSchema,
          'Tokens',
          one('One token', {
            channel: example.channel,
            chainId: example.chainId,
            tokenId: '1',
            tokens: [exampleToken(42)],
          }),
        ),
        '402': aboveMax,
        '404': error('`no_channel` (open one first) or `service_unknown`', {
          no_channel: `Service shop has no open channel to billing.`,
        }),
        '409': error('`insufficient_funds`, `channel_terminating`, `channel_terminated`', {
          insufficient_funds: `Channel ${example.channel} holds 42000000000000 wei, not enough for 1 more request(s) at ${example.costPerRequest} wei on top of what was already issued; deposit first.`,
        }),
      },
    },
    async handler({ server, caller: consumer, body: { provider, count = 1, category, origin, maxPrice } }) {
      const { address } = await resolveProvider(server, provider)
      const channel = await channelToIssue(server, consumer, address, category ?? origin)
      if (!channel) {
        throw new NotFoundError({
          code: 'no_channel',
          message: `Service ${consumer.name} has no open channel to ${provider}.`,
          hints: ['Open one with POST /api/payment/channels.'],
        })
      }
      return issue(server, { channel, consumer, count, category, origin, maxPrice: priceOf(maxPrice) })
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
      requestExamples: one('Two tokens', { count: 2 }),
      responses: {
        '200': json(
          tokensSchema,
          'Tokens with never-issued, ascending counts',
          one('Two tokens', {
            channel: example.channel,
            chainId: example.chainId,
            tokenId: '1',
            tokens: [exampleToken(43), exampleToken(44)],
          }),
        ),
        '402': aboveMax,
        '409': error(
          '`insufficient_funds` (no count was taken), `channel_terminating`, `channel_terminated`',
          {
            insufficient_funds: `Channel ${example.channel} holds 43000000000000 wei, not enough for 2 more request(s) at ${example.costPerRequest} wei on top of what was already issued; deposit first.`,
          },
        ),
        '410': error('`channel_retired`: the channel belonged to the chain before a reset; open a new one', {
          channel_retired: refusal.channel_retired,
        }),
      },
    },
    async handler({ server, caller: consumer, params, body: { count = 1, category, origin, maxPrice } }) {
      const channel = await server.channels.forParty(params.address, consumer, 'consumer')
      return issue(server, { channel, consumer, count, category, origin, maxPrice: priceOf(maxPrice) })
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
        'Version 2 channels (`v2.` tokens, counts per category): give the `category` the request is charged to (name or index, default the first); `price` is then the route price of that category. Each step (token ID, category, count) is accepted once, and the ID pays its maximum accepted token. Their own refusals: `token_incomparable` (neither above nor below what was accepted for the ID), `wrong_prices` (a price table that is not the ID one), `categories_mismatch`, `category_unknown`, `token_version_mismatch` (a v1 token on a v2 channel or the reverse; 400).',
      ].join('\n\n'),
      requestExamples: {
        one: { summary: 'The token of one request', value: { token: exampleToken(42) } },
        priced: {
          summary:
            'The token of a request to a route priced 1000000000000 wei (refused as `terms_rejected` if its channel pays less)',
          value: { token: exampleToken(42), price: example.costPerRequest },
        },
        batch: {
          summary: 'Tokens of several requests',
          value: { tokens: [exampleToken(43), exampleToken(42)] },
        },
      },
      responses: {
        '200': json(
          z.union([acceptedSchema, verifyResultsSchema]),
          'Accepted (`{token}`), or one result per token (`{tokens}`)',
          {
            accepted: { summary: 'One token accepted', value: accepted(42) },
            results: {
              summary: 'A batch: the first accepted, the second a replay',
              value: {
                results: [
                  accepted(43),
                  { accepted: false, error: { code: 'count_already_accepted', message: replayed } },
                ],
              },
            },
          },
        ),
        '402': error('Refused: the code and sentence say why', {
          count_already_accepted: replayed,
          insufficient_funds: `The channel's 42000000000000 wei do not cover 43 requests at ${example.costPerRequest} wei owed with this token.`,
        }),
        '410': error('`channel_retired`: the channel belonged to the chain before a reset', {
          channel_retired: refusal.channel_retired,
        }),
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
function pricedItem(
  item: string | { token: string; price?: string; category?: number | string },
): VerifyItem {
  if (typeof item === 'string') return item
  if (item.price === undefined && item.category === undefined) return item.token
  return {
    token: item.token,
    ...(item.price === undefined ? {} : { price: BigInt(item.price) }),
    ...(item.category === undefined ? {} : { category: item.category }),
  }
}

/**
 * Tokens of a channel as its version issues them: v1 (one price; a category is refused) or
 * v2 (per category, with the token ID's price table in the answer).
 */
async function issue(
  server: PaymentServer,
  job: {
    channel: ChannelRecord
    consumer: Service
    count: number
    category?: number | string
    /** The consumer the requests are made for: the category tracing it (./v2/origins), instead of `category`. */
    origin?: string
    maxPrice?: bigint
  },
) {
  const category = await categoryOf(server, job)
  if (job.channel.contractVersion === 2) {
    const issued = await server.issuerV2.issue({ ...job, category })
    return {
      ...tokensJson(issued),
      prices: issued.prices.map(String),
      categories: issued.categories,
      origins: job.channel.origins,
      category,
    }
  }
  if (job.category !== undefined && job.category !== 0 && job.category !== '0') {
    throw new BadRequestError({
      code: 'category_unknown',
      message: `Channel ${job.channel.address} is a version 1 channel: it has one price and no categories.`,
    })
  }
  if (job.maxPrice !== undefined && job.channel.costPerRequest > job.maxPrice)
    throw priceAboveMax(job.channel, 'its one category', job.channel.costPerRequest, job.maxPrice)
  return tokensJson(await server.issuer.issue(job))
}

/**
 * The category a v2 issue call asks for, as an index: the one given (index or name), or the
 * one tracing `origin`; a v1 channel's `category` as given (0 or none), refused by issue().
 */
async function categoryOf(
  server: PaymentServer,
  job: { channel: ChannelRecord; category?: number | string; origin?: string },
): Promise<number | string | undefined> {
  if (job.origin !== undefined && job.category !== undefined) {
    throw new BadRequestError({
      code: 'invalid_request',
      message: 'Give category or origin, not both: origin names the category that traces it.',
    })
  }
  if (job.origin !== undefined)
    return categoryOfOrigin(job.channel, await originAddress(server.services, job.origin), job.origin)
  return job.channel.contractVersion === 2 ? resolveCategory(job.channel, job.category) : job.category
}

/**
 * The pair's channel a POST /api/payment/tokens issues on, when the pair has channels of both
 * versions: a request naming a category gets the version 2 channel; one without (a client of
 * before categories) gets the version 1 channel, so it keeps being paid in v1 tokens. Either
 * falls back to the newest usable channel of any version.
 */
async function channelToIssue(
  server: PaymentServer,
  consumer: Service,
  provider: Address,
  category: number | string | undefined,
) {
  const version = category === undefined ? 1 : 2
  return (
    (await server.channels.openChannel(consumer, provider, { version })) ??
    (await server.channels.openChannel(consumer, provider))
  )
}

/** A body's checked decimal maxPrice as a bigint. */
const priceOf = (value: string | undefined) => (value === undefined ? undefined : BigInt(value))
