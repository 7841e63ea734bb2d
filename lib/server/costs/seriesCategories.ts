import { categoryName } from '../../costs/byCategory'
import { byBigIntDesc } from '../../costs/order'
import type { ServerContext } from '../context'
import { categoryNames, settledCategoryRows } from './categories'
import type { CostClock } from './clock'
import type { SettledOptions } from './settled'

/** The buckets of a series: [first, end) in steps of `bucketSeconds`, read as `options` say. */
export type SeriesSpan = { first: number; end: number; bucketSeconds: number; options: SettledOptions }

/** A provider's category series: its key in the points' values and the category name. */
export type CategorySeries = { key: string; category: string }

/**
 * The spend over time of `providers`' channels with more than one request category, by
 * provider and category name (the channels of one provider usually share its names): `rows`
 * per bucket, and per provider its series, largest first. A key is the provider's address, `#`
 * and a number: names may hold any character, and a chart reads a dot in a key as a path.
 */
export async function seriesByCategory(
  ctx: ServerContext,
  clock: CostClock,
  span: SeriesSpan,
  providers: readonly string[],
): Promise<{
  rows: Array<{ bucket: number; provider: string; key: string; amount: bigint }>
  keys: Map<string, CategorySeries[]>
}> {
  const empty = { rows: [], keys: new Map() }
  if (providers.length === 0) return empty
  const channels = await ctx.db.$queryRaw<Array<{ address: string; provider: string }>>`
    SELECT address, provider FROM channel
    WHERE chain_id = ${clock.chainId} AND provider = ANY(${[...providers]}) AND cardinality(prices) > 1`
  if (channels.length === 0) return empty
  const addresses = channels.map((c) => c.address)
  const providerOf = new Map(channels.map((c) => [c.address, c.provider]))
  const [rows, names] = await Promise.all([
    ctx.db.$queryRaw<Array<{ bucket: bigint; channel: string; category: number; amount: string }>>`
      SELECT r.at - r.at % ${span.bucketSeconds} AS bucket, r.channel, r.category::int AS category,
             sum(r.amount)::text AS amount
      FROM (${settledCategoryRows(clock, span.first, span.end, addresses, span.options)})
        AS r(at, channel, category, amount, requests, redemptions)
      GROUP BY 1, 2, 3`,
    categoryNames(ctx, clock.chainId, addresses),
  ])
  const named = rows.map((r) => ({
    bucket: Number(r.bucket),
    provider: providerOf.get(r.channel) as string,
    category: categoryName(names.get(r.channel), r.category),
    amount: BigInt(r.amount),
  }))
  // Per provider, its names by total, largest first (then by name).
  const totals = new Map<string, Map<string, bigint>>()
  for (const r of named) {
    const byName = totals.get(r.provider) ?? new Map<string, bigint>()
    byName.set(r.category, (byName.get(r.category) ?? 0n) + r.amount)
    totals.set(r.provider, byName)
  }
  const keys = new Map<string, CategorySeries[]>()
  const keyOf = new Map<string, string>()
  for (const [provider, byName] of totals) {
    const ordered = [...byName].sort(
      byBigIntDesc(
        ([, total]) => total,
        (a, b) => a[0].localeCompare(b[0]),
      ),
    )
    keys.set(
      provider,
      ordered.map(([category], i) => {
        keyOf.set(`${provider}\n${category}`, `${provider}#${i}`)
        return { key: `${provider}#${i}`, category }
      }),
    )
  }
  return {
    rows: named.map((r) => ({
      bucket: r.bucket,
      provider: r.provider,
      key: keyOf.get(`${r.provider}\n${r.category}`) as string,
      amount: r.amount,
    })),
    keys,
  }
}
