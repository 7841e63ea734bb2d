import type { CostChannel, CostEdge, CostEdgeCategory } from './api'
import { defaultCategoryName } from './categories'
import { byBigIntDesc } from './order'

/**
 * Costs split by request category (version 2 channels with more than one), client-safe: the
 * names people read, a pair's categories summed by name, and the part of a pair no category
 * split holds. The server reads the figures (lib/server/costs/categories.ts).
 */

/** A category's name: the Payment Server's, or "category N" (1-based) where it has none. */
export const categoryName = (names: ReadonlyMap<number, string> | undefined, index: number): string =>
  names?.get(index) ?? defaultCategoryName(index)

const big = (v: string | null | undefined) => BigInt(v ?? '0')

/**
 * A pair's channels' categories summed by name, largest settled first (then by name): two
 * consumers' channels to one provider usually carry the provider's names. Empty when no
 * channel is split.
 */
export function edgeCategories(channels: readonly CostChannel[], live: boolean): CostEdgeCategory[] {
  type Sums = {
    channels: number
    priceMin: bigint
    priceMax: bigint
    settled: bigint
    unconfirmed: bigint
    requests: bigint
    redemptions: number
    pending: bigint
    /** The origin every channel's category of this name traces; null when they differ or one traces none. */
    origin: string | null
  }
  const byName = new Map<string, Sums>()
  for (const channel of channels) {
    for (const c of channel.categories ?? []) {
      const price = BigInt(c.price)
      const s = byName.get(c.name) ?? {
        channels: 0,
        priceMin: price,
        priceMax: price,
        settled: 0n,
        unconfirmed: 0n,
        requests: 0n,
        redemptions: 0,
        pending: 0n,
        origin: c.origin ?? null,
      }
      if (s.origin !== (c.origin ?? null)) s.origin = null
      s.channels++
      if (price < s.priceMin) s.priceMin = price
      if (price > s.priceMax) s.priceMax = price
      s.settled += big(c.settled)
      s.unconfirmed += big(c.unconfirmed)
      s.requests += big(c.requests)
      s.redemptions += c.redemptions
      s.pending += big(c.pending)
      byName.set(c.name, s)
    }
  }
  return [...byName]
    .sort(
      byBigIntDesc(
        ([, s]) => s.settled,
        (a, b) => a[0].localeCompare(b[0]),
      ),
    )
    .map(([name, s]) => ({
      name,
      channels: s.channels,
      priceMin: s.priceMin.toString(),
      priceMax: s.priceMax.toString(),
      settled: s.settled.toString(),
      unconfirmed: s.unconfirmed.toString(),
      requests: s.requests.toString(),
      redemptions: s.redemptions,
      pending: live ? s.pending.toString() : null,
      ...(s.origin ? { origin: s.origin } : {}),
    }))
}

/** One part of a pair as a table shows it: its categories one by one, and the unsplit rest. */
export type PairPart = {
  /** The category name; '' for the pair's channels no category split holds (version 1 among them). */
  category: string
  channels: number
  priceMin: string
  priceMax: string
  settled: string
  unconfirmed: string
  requests: string
  pending: string | null
}

/**
 * A pair's parts, which sum to the pair: the whole pair when no channel of it is split (one part,
 * category ''), otherwise its unsplit channels' rest (when it has any) and then one part per
 * category name, so a table or CSV summing its rows sums the pair once.
 */
export function pairParts(edge: CostEdge): PairPart[] {
  const whole: PairPart = {
    category: '',
    channels: edge.channels.length,
    priceMin: edge.priceMin,
    priceMax: edge.priceMax,
    settled: edge.settled,
    unconfirmed: edge.unconfirmed,
    requests: edge.requests,
    pending: edge.pending,
  }
  const categories = edge.categories ?? []
  if (categories.length === 0) return [whole]
  const rest = edge.channels.filter((c) => !c.categories)
  const sum = (f: (c: CostEdgeCategory) => string | null) => categories.reduce((t, c) => t + big(f(c)), 0n)
  // Ascending (bigint, which Math.min and Math.max do not take).
  const prices = rest.map((c) => BigInt(c.price)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const parts: PairPart[] = []
  if (rest.length > 0) {
    parts.push({
      category: '',
      channels: rest.length,
      priceMin: String(prices[0]),
      priceMax: String(prices.at(-1)),
      settled: (big(edge.settled) - sum((c) => c.settled)).toString(),
      unconfirmed: (big(edge.unconfirmed) - sum((c) => c.unconfirmed)).toString(),
      requests: (big(edge.requests) - sum((c) => c.requests)).toString(),
      pending: edge.pending === null ? null : (big(edge.pending) - sum((c) => c.pending)).toString(),
    })
  }
  for (const c of categories) {
    parts.push({
      category: c.name,
      channels: c.channels,
      priceMin: c.priceMin,
      priceMax: c.priceMax,
      settled: c.settled,
      unconfirmed: c.unconfirmed,
      requests: c.requests,
      pending: c.pending,
    })
  }
  return parts
}
