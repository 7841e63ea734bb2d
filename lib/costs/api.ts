import { z } from 'zod'
import { PRESET_NAMES, type WindowPreset } from './window'

/**
 * The costs JSON API (`/api/costs/graph`, `/api/costs/series`, `/api/costs/services/{name}`):
 * response bodies as zod schemas, giving the pages their types and the OpenAPI document.
 * Client-safe. Amounts are wei as decimal strings, exact; `settled` amounts are Redeemed
 * events on chain, `pending` ones are tokens this Payment Server accepted and nobody has
 * redeemed yet (off chain, current, so only for windows that end now).
 */

const wei = (description: string) =>
  z.string().meta({ description: `${description} (wei, decimal string)`, example: '250000000000' })
const count = (description: string) => z.string().meta({ description: `${description} (decimal string)` })
const addr = (description: string) => z.string().meta({ description: `${description} (0x-hex, lowercase)` })
const pending = (description: string) =>
  z
    .string()
    .nullable()
    .meta({ description: `${description} (wei, decimal string); null when the window does not end now` })

export const costWindowSchema = z
  .object({
    preset: z.enum(['custom', ...PRESET_NAMES] as ['custom', ...WindowPreset[]]),
    from: z.string().meta({ description: 'Start, inclusive (ISO-8601, UTC)' }),
    to: z.string().meta({ description: 'End, exclusive (ISO-8601, UTC)' }),
    live: z.boolean().meta({ description: "Ends at the chain's current time (pending amounts apply)" }),
  })
  .meta({ id: 'CostWindow' })
/** A window as the API answers it (ISO times). */
export type CostWindowView = z.infer<typeof costWindowSchema>

export const asOfSchema = z
  .object({
    block: count('Newest indexed block the figures include').nullable(),
    time: z.string().meta({ description: "The chain's time at that block (ISO-8601), the windows' now" }),
    finalBlock: count('Blocks up to this one are final (finality depth below the indexed head)').nullable(),
    finalityDepth: z.number().int(),
  })
  .meta({ id: 'CostAsOf' })

export const costNodeSchema = z
  .object({
    address: addr('Service account'),
    name: z.string().nullable().meta({ description: 'Service label; null for an unlabelled address' }),
    team: z.string().nullable(),
    paid: wei('Settled, as consumer'),
    earned: wei('Settled, as provider'),
    net: z.string().meta({ description: 'earned − paid (wei, decimal string, may be negative)' }),
    requestsMade: count('Requests paid for, settled'),
    requestsServed: count('Requests paid to it, settled'),
    pendingPaid: pending('Accepted, not yet redeemed, as consumer'),
    pendingEarned: pending('Accepted, not yet redeemed, as provider'),
  })
  .meta({ id: 'CostNode' })
export type CostNode = z.infer<typeof costNodeSchema>

/** Exact transitive tracing (thesis 3.4): the origin consumer a category traces, when it does. */
const originOf = (description: string) =>
  addr(description)
    .optional()
    .meta({
      description: `${description} (0x-hex, lowercase; exact transitive tracing): its spend counts exactly as that consumer's in the fully loaded costs. Absent when it traces none`,
    })

export const costChannelCategorySchema = z
  .object({
    category: z.number().int().meta({ description: "0-based index in the channel's price table" }),
    name: z.string().meta({ description: 'Its name at the Payment Server, or "category N" (1-based)' }),
    price: wei("The active token ID's price per request of the category"),
    settled: wei("The category's share of what was redeemed in the window"),
    unconfirmed: wei('Part of `settled` in blocks newer than the final block'),
    requests: count('Requests of the category redeemed in the window'),
    redemptions: z.number().int().meta({ description: 'Redemptions with requests of the category' }),
    pending: pending('Accepted, not yet redeemed, valued at its token ID’s price of the category'),
    origin: originOf("The consumer this category's requests were made for"),
  })
  .meta({ id: 'CostChannelCategory' })
export type CostChannelCategory = z.infer<typeof costChannelCategorySchema>

const categoriesDescription =
  'Only where a channel has more than one request category (version 2): its figures per category, which sum to the channel’s. A category’s share of a redemption is its requests × price, or that share of the amount when the payment was capped at the consumer’s funds'

export const costChannelSchema = z
  .object({
    address: addr('Channel'),
    price: wei('Cost per request (version 2: the first category’s active price)'),
    settled: wei('Redeemed in the window'),
    requests: count('Requests redeemed in the window'),
    pending: pending('Accepted, not yet redeemed'),
    terminated: z.boolean(),
    categories: z.array(costChannelCategorySchema).optional().meta({ description: categoriesDescription }),
  })
  .meta({ id: 'CostChannel' })
export type CostChannel = z.infer<typeof costChannelSchema>

export const costEdgeCategorySchema = z
  .object({
    name: z
      .string()
      .meta({ description: 'Category name; the pair’s channels’ categories of one name are summed' }),
    channels: z.number().int().meta({ description: 'Channels of the pair with a category of this name' }),
    priceMin: wei('Lowest active price of the category among those channels'),
    priceMax: wei('Highest active price of the category among those channels'),
    settled: wei('Redeemed in the window'),
    unconfirmed: wei('Part of `settled` not final yet'),
    requests: count('Requests redeemed in the window'),
    redemptions: z.number().int(),
    pending: pending('Accepted, not yet redeemed'),
    origin: originOf("The consumer all of the category's channels traced"),
  })
  .meta({ id: 'CostEdgeCategory' })
export type CostEdgeCategory = z.infer<typeof costEdgeCategorySchema>

export const costEdgeSchema = z
  .object({
    consumer: addr('Paying service'),
    provider: addr('Paid service'),
    settled: wei('Redeemed on chain in the window'),
    unconfirmed: wei('Part of `settled` in blocks newer than the final block'),
    requests: count('Requests redeemed in the window'),
    redemptions: z.number().int(),
    priceMin: wei('Lowest cost per request of its channels'),
    priceMax: wei('Highest cost per request of its channels'),
    pending: pending('Accepted, not yet redeemed'),
    channels: z.array(costChannelSchema).meta({ description: 'Most settled first' }),
    categories: z.array(costEdgeCategorySchema).optional().meta({
      description:
        'Only where a channel of the pair has more than one request category: those channels’ figures by category name, largest first; the rest of the pair (version 1 and one-category channels) is the pair’s figures less these',
    }),
  })
  .meta({ id: 'CostEdge' })
export type CostEdge = z.infer<typeof costEdgeSchema>

export const costTotalsSchema = z
  .object({
    settled: wei('Redeemed on chain in the window'),
    unconfirmed: wei('Part of `settled` not final yet'),
    pending: pending('Accepted, not yet redeemed'),
    requests: count('Requests redeemed'),
    redemptions: z.number().int(),
    services: z.number().int(),
    channels: z.number().int(),
  })
  .meta({ id: 'CostTotals' })

const signedWei = (description: string) =>
  z
    .string()
    .meta({ description: `${description} (wei, decimal string, negative for less)`, example: '-1500' })

/** A pair's settled amount in a window and in the one as long right before it. */
export const costMoverSchema = z
  .object({
    consumer: addr('Paying service'),
    provider: addr('Paid service'),
    settled: wei('Settled in this window'),
    previous: wei('Settled in the previous window'),
    change: signedWei('settled − previous'),
  })
  .meta({ id: 'CostMover' })
export type CostMover = z.infer<typeof costMoverSchema>

export const costComparisonSchema = z
  .object({
    window: costWindowSchema,
    settled: wei('Settled in the previous window'),
    requests: count('Requests settled in the previous window'),
    change: signedWei('This window’s settled minus the previous one’s'),
    movers: z.array(costMoverSchema).meta({
      description: 'The pairs whose settled amount changed most (at most 10), largest increase first',
    }),
  })
  .meta({ id: 'CostComparison' })
export type CostComparison = z.infer<typeof costComparisonSchema>

export const costGraphSchema = z
  .object({
    chainId: z.number().int(),
    window: costWindowSchema,
    asOf: asOfSchema,
    totals: costTotalsSchema,
    comparison: costComparisonSchema.nullable().meta({
      description:
        'With `compare=previous`: the window as long right before this one, and what changed; null otherwise, and for `all`',
    }),
    nodes: z.array(costNodeSchema).meta({ description: 'Services, most money moved first' }),
    edges: z.array(costEdgeSchema).meta({ description: 'Consumer → provider pairs, most settled first' }),
  })
  .meta({ id: 'CostGraph' })
export type CostGraph = z.infer<typeof costGraphSchema>

export const costSeriesSchema = z
  .object({
    chainId: z.number().int(),
    window: costWindowSchema,
    asOf: asOfSchema,
    bucketSeconds: z.number().int().meta({ description: '3600 (hours) or 86400 (days, UTC)' }),
    providers: z
      .array(
        z.object({
          key: z.string(),
          address: addr('Provider').nullable(),
          name: z.string(),
          category: z.string().optional().meta({
            description:
              'Where the provider’s channels have more than one request category: the category name this series holds (the provider’s series without it holds its other channels)',
          }),
        }),
      )
      .meta({
        description:
          'The series: the six largest providers, each split per category name where its channels have several, then key `other` for the rest',
      }),
    points: z.array(
      z.object({
        bucket: z.string().meta({ description: 'Start of the hour or day (ISO-8601)' }),
        values: z.record(z.string(), z.string()).meta({ description: 'wei settled per provider key' }),
      }),
    ),
  })
  .meta({ id: 'CostSeries' })
export type CostSeries = z.infer<typeof costSeriesSchema>

const fractionSchema = z
  .object({ num: z.string(), den: z.string(), approx: z.number() })
  .meta({ id: 'Fraction', description: 'Exact share num/den, with a rounded number for display' })

export const priceTableSchema = z
  .object({
    fromTokenId: count('The first token ID it prices'),
    toTokenId: count('The first token ID of the next table').nullable().meta({
      description: 'The first token ID of the next table (decimal string); null for the current table',
    }),
    version: z.number().int().meta({ description: 'Price version on chain (0 at opening)' }),
    block: count('Block of its PricesAnnounced event'),
    time: z.string().meta({ description: 'Time of that block (ISO-8601, UTC)' }),
    tx: z.string().meta({ description: 'Transaction that announced it (0x-hex)' }),
    categories: z.array(
      z.object({
        category: z.number().int().meta({ description: '0-based index' }),
        name: z.string(),
        price: wei('Price per request'),
        requests: count('Requests bought at this price: redeemed counts of its token IDs'),
        paid: wei('What they paid (the category’s share of the redeemed amounts)'),
      }),
    ),
    redemptions: z.number().int().meta({ description: 'Redemptions of its token IDs with a token' }),
  })
  .meta({
    id: 'PriceTable',
    description: 'A price table of a version 2 channel, from its PricesAnnounced event on chain',
  })
export type PriceTable = z.infer<typeof priceTableSchema>

export const serviceChannelSchema = z
  .object({
    address: addr('Channel'),
    role: z.enum(['consumer', 'provider']),
    counterparty: addr('The other party'),
    counterpartyName: z.string().nullable(),
    price: wei('Cost per request'),
    consumerFunds: wei("Consumer's funds in the channel"),
    pending: wei('Accepted by this Payment Server, not yet redeemed (owed from the funds)'),
    burnPerHour: wei('Settled over the last 24 h (or since opening), per hour'),
    runwaySeconds: z
      .number()
      .nullable()
      .meta({ description: '(funds − pending) ÷ burn rate; null when nothing was spent recently' }),
    terminated: z.boolean(),
    terminatesAt: count('Termination deadline (unix s), 0 when none'),
    prices: z
      .array(z.object({ category: z.number().int(), name: z.string(), price: wei('Price per request') }))
      .optional()
      .meta({ description: 'Version 2 only: the active token ID’s price table, by category' }),
    priceHistory: z.array(priceTableSchema).optional().meta({
      description:
        'Version 2 only: every price table announced on chain, oldest first, with the requests bought at each (the whole life of the channel, not the window)',
    }),
  })
  .meta({ id: 'ServiceChannel' })
export type ServiceChannel = z.infer<typeof serviceChannelSchema>

const comparedSide = (description: string) =>
  z
    .object({
      settled: wei('In this window'),
      previous: wei('In the previous window'),
      change: signedWei('settled − previous'),
    })
    .meta({ description })

export const serviceComparisonSchema = z
  .object({
    window: costWindowSchema,
    paid: comparedSide('Settled as consumer'),
    earned: comparedSide('Settled as provider'),
    movers: z.array(costMoverSchema).meta({
      description:
        'Its pairs (as consumer or provider) whose settled amount changed most (at most 10), largest increase first',
    }),
  })
  .meta({ id: 'ServiceComparison' })
export type ServiceComparison = z.infer<typeof serviceComparisonSchema>

/** A pair's request categories as a service page's tables list them under the pair's row. */
const pairCategoriesSchema = z
  .array(
    z.object({
      name: z.string(),
      amount: wei('Its part of the pair’s settled amount'),
      requests: count('Its requests'),
    }),
  )
  .optional()
  .meta({
    description:
      'Only where a channel of the pair has more than one request category: those channels’ figures by category name (the edge’s `categories`), largest first',
  })

export const serviceCostsSchema = z
  .object({
    chainId: z.number().int(),
    window: costWindowSchema,
    asOf: asOfSchema,
    service: costNodeSchema,
    version: z.number().int().meta({ description: 'Label version (0: no label)' }),
    loaded: z
      .object({
        own: wei('What it paid its providers (settled)'),
        attributed: wei("Its share of its providers' downstream spend, rounded down"),
        total: wei('own + attributed, rounded down'),
        direct: z.array(
          z.object({
            provider: addr('Provider'),
            name: z.string().nullable(),
            amount: wei('Paid to it'),
            requests: count('Requests'),
            shareOfIncoming: fractionSchema,
            categories: pairCategoriesSchema,
          }),
        ),
        parts: z.array(
          z.object({
            service: addr('Service downstream'),
            name: z.string().nullable(),
            ownSpend: wei('What that service paid its providers'),
            share: fractionSchema,
            attributed: wei('share × ownSpend, rounded down'),
            traced: wei(
              'The part of `attributed` its requests were tagged with this service as origin for (exact transitive tracing), rounded down',
            ),
            basis: z.enum(['exact', 'estimate', 'mixed']).meta({
              description:
                '`exact`: all of `attributed` is traced by origin tags; `estimate`: by request share (none traced); `mixed`: both',
            }),
          }),
        ),
      })
      .meta({ id: 'LoadedCost' }),
    callers: z.array(
      z.object({
        consumer: addr('Caller'),
        name: z.string().nullable(),
        amount: wei('Paid'),
        requests: count(''),
        categories: pairCategoriesSchema,
      }),
    ),
    channels: z.array(serviceChannelSchema),
    comparison: serviceComparisonSchema.nullable().meta({
      description:
        'With `compare=previous`: what it paid and earned in the window as long right before this one, read at the same block, and which of its pairs changed most; null otherwise, and for `all`',
    }),
  })
  .meta({ id: 'ServiceCosts' })
export type ServiceCosts = z.infer<typeof serviceCostsSchema>
