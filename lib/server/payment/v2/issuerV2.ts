import type { Address, Hex } from 'viem'
import { createKeyedCoalescer } from '../../../../packages/payment-client/src/coalesce'
import { createDemandMeter, type DemandMeter } from '../../../../packages/payment-client/src/demand'
import { formatTokenV2 } from '../../../../packages/payment-client/src/tokenV2'
import type { ChannelState } from '../../../channel'
import { ConflictError, DependencyError, PaymentRefusedError } from '../../../errors'
import type { ChannelStateCache } from '../channelStateCache'
import type { ChannelRecord } from '../channels'
import type { HotSql } from '../hotSql'
import { DEFAULT_ISSUE_AHEAD } from '../issue/issuer'
import type { PaymentMetrics } from '../metrics'
import type { Service, ServiceRegistry } from '../services'
import { issuableTokenId } from '../tokenWindow'
import { type Allocation, allocationsOf, claimTokens, heldCount } from './allocations'
import { resolveCategory } from './categories'
import type { PriceTables } from './priceTables'
import { signTokenV2Native } from './tokenCryptoV2'

/** Tokens of a v2 channel, with the price table of their token ID that the consumer signed. */
export type IssuedTokensV2 = IssuedTokensV2Head & { tokens: string[] }
type IssuedTokensV2Head = {
  channel: string
  chainId: number
  tokenId: bigint
  categories: string[]
  /** The token ID's prices (wei per request of each category): what the tokens commit to. */
  prices: readonly bigint[]
}

/** Counts taken ahead cover about this much of a category's recent demand (as v1's issuer). */
const AHEAD_HORIZON_MS = 50

/** `sum(a * b)` over two numeric arrays in SQL, element by element. */
const dot = (a: string, b: string) => `(SELECT COALESCE(sum(x * y), 0) FROM unnest(${a}, ${b}) AS d(x, y))`

/**
 * Raises token ID $3's frontier by $4 (counts per category) if the channel's funds ($7 wei)
 * cover the new frontier's value at the ID's prices ($6) together with the expiring ID's ($5)
 * issued value at its prices ($8); returns the new frontier, or no row when they do not.
 */
const RAISE = {
  name: 'issuerV2.raise',
  text: `
    WITH expiring AS (
      SELECT COALESCE((SELECT ${dot('requests', '$8::numeric[]')} FROM payment_issued_v2
        WHERE chain_id = $1 AND channel = $2 AND token_id = $5::numeric), 0) AS value
    )
    INSERT INTO payment_issued_v2 (chain_id, channel, token_id, requests)
    SELECT $1, $2, $3::numeric, $4::numeric[]
    FROM expiring
    WHERE ${dot('$4::numeric[]', '$6::numeric[]')} + expiring.value <= $7::numeric
    ON CONFLICT (chain_id, channel, token_id) DO UPDATE SET
      requests = (SELECT array_agg(x + y ORDER BY i)
        FROM unnest(payment_issued_v2.requests, EXCLUDED.requests) WITH ORDINALITY AS s(x, y, i)),
      updated_at = now()
    WHERE (SELECT COALESCE(sum((x + y) * p), 0)
        FROM unnest(payment_issued_v2.requests, EXCLUDED.requests, $6::numeric[]) AS s(x, y, p))
      + (SELECT value FROM expiring) <= $7::numeric
    RETURNING requests::text[] AS requests`,
}

/**
 * Consumer side of version 2 channels: issues tokens per category. A token ID's frontier in
 * `payment_issued_v2` holds the cumulative counts per category; a batch raises it in one
 * atomic statement (across requests and server instances), and its tokens are the frontier
 * before the batch raised one count at a time, in order. So the tokens of one token ID form
 * a chain under the componentwise order, each one above every token issued before it, and the
 * provider can redeem its maximum for all of them (design of issue 29, point 2).
 *
 * As v1's issuer, an instance takes counts ahead of a category's demand (about 50 ms of it, at
 * most `ahead`) in the same statement, and hands the next tokens of that category out of them
 * with no statement. Each such allocation has a base vector, the frontier right after its take
 * (./allocations), which keeps the chain across instances. No background refill and no give-back
 * at close: counts held when an instance stops are a gap the consumer pays for once a higher
 * count is redeemed, at most `ahead` per category and instance (v1 gives its back when it can).
 */
export function createIssuerV2({
  sql,
  chainId,
  channelStates,
  services,
  metrics,
  priceTables,
  ahead: maxAhead = DEFAULT_ISSUE_AHEAD,
  aheadMs = AHEAD_HORIZON_MS,
}: {
  sql: HotSql
  chainId: number
  channelStates: ChannelStateCache
  services: ServiceRegistry
  metrics: PaymentMetrics
  priceTables: PriceTables
  /** Most counts taken ahead per channel and category (0: none); default as v1's issuer. */
  ahead?: number
  /** How much of a category's demand the counts taken ahead cover, in ms; default {@link AHEAD_HORIZON_MS}. */
  aheadMs?: number
}) {
  type Job = { channel: ChannelRecord; consumer: Service; count: number; category: number; maxPrice?: bigint }
  type Issued = IssuedTokensV2 | { refused: unknown }
  /** Per channel: the token ID whose counts are held, the allocations per category, the demand per category. */
  type Held = { tokenId: bigint; allocations: Allocation[][]; demand: DemandMeter[] }
  const held = new Map<string, Held>()

  /** The channel's held counts for `tokenId` (those of an older ID are dropped: never issued again). */
  function heldFor(address: string, tokenId: bigint, categories: number): Held {
    const current = held.get(address)
    if (current?.tokenId === tokenId) return current
    const fresh: Held = {
      tokenId,
      allocations: Array.from({ length: categories }, () => []),
      demand: current?.demand ?? Array.from({ length: categories }, () => createDemandMeter()),
    }
    held.set(address, fresh)
    return fresh
  }

  /**
   * Counts of `category` to take beyond a batch's: about `aheadMs` of its demand, less
   * what is held. Rounded down, unlike v1's: v2 gives no count back, and a later token of
   * another category carries every count taken, so a count held ahead and never handed out is a
   * request the consumer pays for (one per category and token ID with v1's rounding up, which
   * also skewed exact tracing by one per origin). Held only under load of at least one request
   * per horizon, the gap is a bounded sliver of that load.
   */
  function extraFor(h: Held, category: number): number {
    if (maxAhead === 0) return 0
    const want = Math.min(
      maxAhead,
      Math.floor(((h.demand[category] as DemandMeter).perSecond() * aheadMs) / 1000),
    )
    return Math.max(0, want - heldCount(h.allocations[category] as Allocation[]))
  }

  /** Signs one token per count vector, in order. */
  function signAll(
    privateKey: Hex,
    address: Address,
    tokenId: bigint,
    prices: readonly bigint[],
    counts: bigint[][],
  ) {
    return counts.map((requests) =>
      formatTokenV2({
        chainId,
        token: signTokenV2Native({ privateKey, chainId, channel: address, tokenId, prices, requests }),
      }),
    )
  }

  async function pricesOf(address: string, tokenId: bigint): Promise<readonly bigint[]> {
    const prices = await priceTables.tableOf(address, tokenId)
    if (!prices) {
      throw new DependencyError({
        code: 'prices_unknown',
        message: `The price table of token ID ${tokenId} of channel ${address} is not on the chain yet.`,
      })
    }
    return prices
  }

  /** Raises the frontier by `raise`; the new frontier, or null when the funds do not cover it. */
  async function raiseFrontier(
    channel: ChannelRecord,
    state: ChannelState,
    tokenId: bigint,
    prices: readonly bigint[],
    raise: bigint[],
  ): Promise<bigint[] | null> {
    const expiring = state.expiringTokenId
    const expiringPrices = expiring === 0n ? prices : await pricesOf(channel.address, expiring)
    const rows = await sql.query<{ requests: string[] }>(RAISE, [
      chainId,
      channel.address,
      tokenId.toString(),
      raise.map(String),
      expiring.toString(),
      prices.map(String),
      state.consumerFunds.toString(),
      expiringPrices.map(String),
    ])
    return rows[0] ? rows[0].requests.map(BigInt) : null
  }

  async function issueBatch(address: string, jobs: readonly Job[]): Promise<Issued[]> {
    const { channel, consumer } = jobs[0] as Job
    const { state } = await channelStates.get(address)
    const tokenId = issuableTokenId({ address: channel.address, state })
    const prices = await pricesOf(address, tokenId)
    // Refused before any count is taken: a count taken and not handed out is a gap the
    // provider could later collect at this price by redeeming a higher count.
    const over = jobs.map((job) => isAbove(prices, job))
    if (over.some(Boolean)) {
      const within = jobs.filter((_, i) => !over[i])
      const issued = within.length > 0 ? await issueBatch(address, within) : []
      let next = 0
      return jobs.map((job, i) =>
        over[i] ? { refused: refusePrice(channel, job, prices) } : (issued[next++] as Issued),
      )
    }
    const h = heldFor(address, tokenId, prices.length)
    const raise = prices.map(() => 0n)
    for (const job of jobs) {
      raise[job.category] = (raise[job.category] as bigint) + BigInt(job.count)
      h.demand[job.category]?.add(job.count)
    }
    // Counts ahead for the batch's categories, tried first; without them when the funds refuse.
    const extra = prices.map((_, c) => ((raise[c] as bigint) > 0n ? extraFor(h, c) : 0))
    let taken = extra
    let frontier: bigint[] | null = null
    if (extra.some((n) => n > 0))
      frontier = await raiseFrontier(
        channel,
        state,
        tokenId,
        prices,
        raise.map((r, c) => r + BigInt(extra[c] as number)),
      )
    if (!frontier) {
      taken = extra.map(() => 0)
      frontier = await raiseFrontier(channel, state, tokenId, prices, raise)
    }
    if (!frontier) {
      channelStates.invalidate(channel.address) // a deposit may have landed: the next call re-reads
      if (jobs.length === 1) throw refuseForFunds(channel, state, jobs[0] as Job, prices)
      // Decided one by one, in order, as if each had come alone.
      const results: Issued[] = []
      for (const job of jobs)
        results.push(...(await issueBatch(address, [job]).catch((refused) => [{ refused }])))
      return results
    }
    metrics.issueTakes.inc()
    // The counts taken ahead are held with the new frontier as their base (./allocations).
    const current = held.get(address)
    if (current?.tokenId === tokenId)
      allocationsOf(frontier, taken).forEach((a, c) => {
        if (a) current.allocations[c]?.push(a)
      })
    const privateKey = await services.privateKey(consumer)
    // The batch's own tokens walk up from the frontier before this take, one count at a time.
    const walk = frontier.map((count, i) => count - (raise[i] as bigint) - BigInt(taken[i] as number))
    const head = { channel: address, chainId, tokenId, categories: channel.categories, prices }
    return jobs.map((job) => {
      const counts: bigint[][] = []
      for (let i = 0; i < job.count; i++) {
        walk[job.category] = (walk[job.category] as bigint) + 1n
        counts.push([...walk])
      }
      metrics.tokensIssued.inc(job.count)
      return { ...head, tokens: signAll(privateKey, channel.address, tokenId, prices, counts) }
    })
  }

  /** Whether the job's category costs more than its maxPrice at `prices`. */
  const isAbove = (prices: readonly bigint[], job: Pick<Job, 'category' | 'maxPrice'>) =>
    job.maxPrice !== undefined && (prices[job.category] as bigint) > job.maxPrice

  function refusePrice(
    channel: ChannelRecord,
    job: Pick<Job, 'category' | 'maxPrice'>,
    prices: readonly bigint[],
  ) {
    metrics.issueRefused.inc({ code: 'price_above_max' })
    const name = `category ${channel.categories[job.category]}`
    return priceAboveMax(channel, name, prices[job.category] as bigint, job.maxPrice as bigint)
  }

  function refuseForFunds(channel: ChannelRecord, state: ChannelState, job: Job, prices: readonly bigint[]) {
    metrics.issueRefused.inc({ code: 'insufficient_funds' })
    const name = channel.categories[job.category]
    return new ConflictError({
      code: 'insufficient_funds',
      message: `Channel ${channel.address} holds ${state.consumerFunds} wei, not enough for ${job.count} more request(s) of category ${name} at ${prices[job.category]} wei on top of what was already issued; deposit first.`,
    })
  }

  /** `count` tokens from the counts held for the category, or null when not enough are held. */
  async function issueHeld(
    channel: ChannelRecord,
    consumer: Service,
    count: number,
    category: number,
    maxPrice: bigint | undefined,
  ): Promise<IssuedTokensV2 | null> {
    const enough = (h: Held | undefined) => h && heldCount(h.allocations[category] ?? []) >= count
    if (!enough(held.get(channel.address))) return null
    const { state } = await channelStates.get(channel.address)
    const tokenId = issuableTokenId({ address: channel.address, state })
    const prices = await pricesOf(channel.address, tokenId)
    if (isAbove(prices, { category, maxPrice })) throw refusePrice(channel, { category, maxPrice }, prices)
    const h = held.get(channel.address)
    if (!h || h.tokenId !== tokenId || !enough(h)) return null
    // Claimed before the next await, so no other call hands out the same counts.
    const { tokens: counts, rest } = claimTokens(h.allocations[category] as Allocation[], category, count)
    h.allocations[category] = rest
    h.demand[category]?.add(count)
    const tokens = signAll(await services.privateKey(consumer), channel.address, tokenId, prices, counts)
    metrics.tokensIssued.inc(count)
    return { channel: channel.address, chainId, tokenId, categories: channel.categories, prices, tokens }
  }

  const take = createKeyedCoalescer<string, Job, Issued>({
    maxBatchSize: 200,
    run: (address, jobs) => issueBatch(address, jobs),
  })

  return {
    /**
     * `count` tokens of the channel's active token ID, each one count of `category` (an index
     * or a name; default the first) above the last, signed by the consumer.
     */
    async issue({
      channel,
      consumer,
      count,
      category,
      maxPrice,
    }: {
      channel: ChannelRecord
      consumer: Service
      count: number
      category?: number | string
      /** The most the consumer pays per request of the category: 402 `price_above_max` above it, no count taken. */
      maxPrice?: bigint
    }): Promise<IssuedTokensV2> {
      const index = resolveCategory(channel, category)
      channelStates.markV2(channel.address) // a record from another instance's registry
      const fromHeld = await issueHeld(channel, consumer, count, index, maxPrice)
      if (fromHeld) return fromHeld
      const job = { channel, consumer, count, category: index, maxPrice }
      const result = await take.submit(channel.address, job)
      if ('refused' in result) throw result.refused
      return result
    },

    /** Counts this instance holds ahead for a channel's category (taken, not handed out yet). */
    held: (channel: string, category: number): number =>
      heldCount(held.get(channel.toLowerCase())?.allocations[category] ?? []),

    /** Drops every held count: their channels' chain was reset (../chainEpoch). */
    forgetAll: (): void => held.clear(),
  }
}

export type IssuerV2 = ReturnType<typeof createIssuerV2>

/** 402 `price_above_max`: the channel's price for the category is above the request's maxPrice. */
export function priceAboveMax(channel: ChannelRecord, name: string, price: bigint, maxPrice: bigint) {
  return new PaymentRefusedError({
    code: 'price_above_max',
    message: `Channel ${channel.address} charges ${price} wei per request of ${name}, above the maxPrice of ${maxPrice} wei; no token was issued.`,
    hints: ['Raise maxPrice to accept the price, or stop using this provider.'],
  })
}
