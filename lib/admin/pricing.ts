import type { ChannelPricing, ChannelSummary, PriceAnnouncement } from '../explorer/api'

/*
 * A version 2 channel's price changes as its page shows them: a change announced on chain or
 * pending on the Payment Server, and what it does to the runway. Client-safe (no Prisma): the
 * tables come from the explorer's channel answer, the rest from lib/server/admin/channelSpending.ts.
 */

/** A price table and the first token ID it applies to (until the next one's), from `PricesAnnounced`. */
export type AnnouncedTable = Pick<PriceAnnouncement, 'fromTokenId' | 'version' | 'prices'>

/** What the page reads besides the index's tables: the Payment Server's pending table and the request mix. */
export type ChannelSpending = {
  /** The table the provider set on this dashboard's Payment Server for its next redemption start; null when none. */
  pendingPrices: string[] | null
  /** Requests redeemed per category over the window (the request mix and rate); null when none were. */
  mix: { requests: string[]; seconds: number } | null
}

/** Everything {@link priceView} reads, as strings (it crosses to the browser). */
export type PriceInputs = ChannelSpending & {
  /** One name per category. */
  names: string[]
  /** Every announced table, ascending by token ID. */
  tables: AnnouncedTable[]
  activeTokenId: string
  expiringTokenId: string
  consumerFunds: string
}

/** The explorer's price history (newest first) as tables ascending by token ID. */
export const tablesOf = (pricing: Pick<ChannelPricing, 'history'>): AnnouncedTable[] =>
  [...pricing.history].sort((a, b) => (BigInt(a.fromTokenId) < BigInt(b.fromTokenId) ? -1 : 1))

/**
 * {@link PriceInputs} from the explorer's channel answer (its price history is newest first)
 * and the spending the page read.
 * @example priceInputs({ channel, pricing, spending })
 */
export function priceInputs({
  channel,
  pricing,
  spending,
}: {
  channel: Pick<ChannelSummary, 'activeTokenId' | 'expiringTokenId' | 'consumerFunds'>
  pricing: ChannelPricing
  spending: ChannelSpending
}): PriceInputs {
  return {
    ...spending,
    names: pricing.categories.map((c) => c.name),
    tables: tablesOf(pricing),
    activeTokenId: channel.activeTokenId,
    expiringTokenId: channel.expiringTokenId,
    consumerFunds: channel.consumerFunds,
  }
}

/** The table that applies to `tokenId`, or null when none was announced for it (or `tokenId` is 0). */
export function tableOf(tables: readonly AnnouncedTable[], tokenId: bigint): AnnouncedTable | null {
  if (tokenId === 0n) return null
  let found: AnnouncedTable | null = null
  for (const t of tables) if (BigInt(t.fromTokenId) <= tokenId) found = t
  return found
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((p, i) => BigInt(p) === BigInt(b[i] as string))

/** What one table costs at a request mix, and how long the funds last at that rate. */
export type Spend = {
  prices: string[]
  /** wei per hour at the mix's rate, rounded down; null without a mix. */
  perHour: string | null
  /** funds ÷ spend rate, whole seconds rounded down; null without a mix or when nothing is spent. */
  runwaySeconds: number | null
}

/** A change of prices: from the table in force to the new one, with the runway at each. */
export type PriceChange = {
  kind: 'announced' | 'pending'
  /** The first token ID at the new prices (announced: the active ID; pending: the next one). */
  fromTokenId: string | null
  before: Spend
  after: Spend
}

export type PriceView = {
  /** The active token ID's table (the last announced, once termination closed the active ID). */
  current: AnnouncedTable | null
  announced: PriceChange | null
  pending: PriceChange | null
}

/**
 * The spend of `prices` at the request mix: Σ requests_i × prices_i over the mix's seconds, per
 * hour, and the funds' runway at it, in exact integers (floor).
 * @example spendAt({ prices: ['1000'], mix: { requests: ['36'], seconds: 3600 }, funds: 72000n }).runwaySeconds // 7200
 */
export function spendAt({
  prices,
  mix,
  funds,
}: {
  prices: string[]
  mix: ChannelSpending['mix']
  funds: bigint
}): Spend {
  if (!mix || mix.seconds <= 0) return { prices, perHour: null, runwaySeconds: null }
  let value = 0n // what the mix's requests cost at these prices
  mix.requests.forEach((n, i) => {
    value += BigInt(n) * BigInt(prices[i] ?? '0')
  })
  const seconds = BigInt(mix.seconds)
  return {
    prices,
    perHour: ((value * 3_600n) / seconds).toString(),
    runwaySeconds: value === 0n ? null : Number((funds * seconds) / value),
  }
}

/**
 * The current prices and the changes to come: announced (the active ID's table differs from
 * the expiring ID's, so the consumer now signs at new prices while the expiring ID is redeemed
 * at the old ones) and pending (a table set on the Payment Server that differs from the active
 * one, announced at its next redemption start), each with the runway before and after at the
 * same request mix.
 */
export function priceView(p: PriceInputs): PriceView {
  const active = tableOf(p.tables, BigInt(p.activeTokenId))
  const expiring = tableOf(p.tables, BigInt(p.expiringTokenId))
  const current = active ?? expiring ?? p.tables.at(-1) ?? null
  const funds = BigInt(p.consumerFunds)
  const change = (
    kind: PriceChange['kind'],
    from: string[],
    to: string[],
    fromTokenId: string | null,
  ): PriceChange => ({
    kind,
    fromTokenId,
    before: spendAt({ prices: from, mix: p.mix, funds }),
    after: spendAt({ prices: to, mix: p.mix, funds }),
  })
  const announced =
    active && expiring && !same(active.prices, expiring.prices)
      ? change('announced', expiring.prices, active.prices, active.fromTokenId)
      : null
  const pending =
    current && p.pendingPrices && !same(p.pendingPrices, current.prices)
      ? change(
          'pending',
          current.prices,
          p.pendingPrices,
          p.activeTokenId === '0' ? null : (BigInt(p.activeTokenId) + 1n).toString(),
        )
      : null
  return { current, announced, pending }
}
