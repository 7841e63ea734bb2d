import type { CostSeries } from '../../costs/api'
import { byBigIntDesc } from '../../costs/order'
import { isoTime, type WindowQuery } from '../../costs/window'
import { shortAddress } from '../../explorer/format'
import type { ServerContext } from '../context'
import { serviceNames } from '../services'
import { asOfView, atOneBlock, type CostClock, windowOf, windowView } from './clock'
import { keptWhileIndexed } from './closedSums'
import { seriesByCategory } from './seriesCategories'
import { firstSettledHour, settledRows, settledSpans } from './settled'

/** Series beyond this many providers are summed as "other". */
const TOP_PROVIDERS = 6

/**
 * Settled spend over time, stacked by provider (and, where a provider's channels have several
 * request categories, by category name): hourly buckets for windows up to two days, daily ones
 * beyond. Buckets are whole UTC hours or days (a chart, not an account: the graph
 * and the tables hold the exact window), read at one block like every cost answer.
 */
export function costSeries(ctx: ServerContext, query: WindowQuery): Promise<CostSeries> {
  return atOneBlock(ctx, (snapshot, clock) => costSeriesAt(snapshot, clock, query))
}

/** The series of a window at the clock of a snapshot already open (see atOneBlock). */
export async function costSeriesAt(
  ctx: ServerContext,
  clock: CostClock,
  query: WindowQuery,
): Promise<CostSeries> {
  const window = windowOf(query, clock)
  // "all" starts where the spend starts, not in 1970.
  const start =
    window.from === 0 ? ((await firstSettledHour(ctx, clock)) ?? Math.max(0, window.to - 3_600)) : window.from
  const bucketSeconds = window.to - start <= 2 * 86_400 ? 3_600 : 86_400
  const first = Math.floor(start / bucketSeconds) * bucketSeconds
  // Whole buckets: the last one reads to its end, not to the window's.
  const end = Math.ceil(window.to / bucketSeconds) * bucketSeconds
  // Hours are read from hourly rollups only: a daily row would land on its day's first hour.
  const options = { daily: bucketSeconds === 86_400 }
  const read = (part: 'closed' | 'open') =>
    ctx.db.$queryRaw<Array<{ bucket: bigint; provider: string; amount: string }>>`
      SELECT r.at - r.at % ${bucketSeconds} AS bucket, c.provider, sum(r.amount)::text AS amount
      FROM (${settledRows(clock, first, end, { ...options, part })}) AS r(at, channel, amount, requests, redemptions)
      JOIN channel c ON c.chain_id = ${clock.chainId} AND c.address = r.channel
      GROUP BY 1, 2`
  // The rollups' whole days and hours are kept between answers while their block is indexed
  // (./closedSums.ts); a bucket's provider may appear in both parts, and the sums below add up.
  const { daily, hourly } = settledSpans(clock, first, end, options)
  const [closed, open, names] = await Promise.all([
    keptWhileIndexed(ctx, clock, `series|${bucketSeconds}|${JSON.stringify([daily, hourly])}`, () =>
      read('closed'),
    ),
    read('open'),
    serviceNames(ctx),
  ])
  const rows = [...closed, ...open]
  const totals = new Map<string, bigint>()
  for (const r of rows) totals.set(r.provider, (totals.get(r.provider) ?? 0n) + BigInt(r.amount))
  const ranked = [...totals].sort(
    byBigIntDesc(
      ([, total]) => total,
      (a, b) => a[0].localeCompare(b[0]),
    ),
  )
  const top = ranked.slice(0, TOP_PROVIDERS).map(([address]) => address)
  const topSet = new Set(top)

  const byBucket = new Map<number, Map<string, bigint>>()
  const add = (bucket: number, key: string, amount: bigint) => {
    let values = byBucket.get(bucket)
    if (!values) {
      values = new Map()
      byBucket.set(bucket, values)
    }
    values.set(key, (values.get(key) ?? 0n) + amount)
  }
  for (const r of rows) add(Number(r.bucket), topSet.has(r.provider) ? r.provider : 'other', BigInt(r.amount))
  // The top providers' channels with several categories: a series per category name, taken out
  // of the provider's own, which keeps the rest (version 1 and one-category channels).
  const split = await seriesByCategory(ctx, clock, { first, end, bucketSeconds, options }, top)
  for (const r of split.rows) {
    add(r.bucket, r.provider, -r.amount)
    add(r.bucket, r.key, r.amount)
  }
  const unsplit = (provider: string) =>
    !split.keys.has(provider) || [...byBucket.values()].some((v) => (v.get(provider) ?? 0n) !== 0n)

  const providers: CostSeries['providers'] = top.flatMap((address) => {
    const name = names.get(address)?.name ?? shortAddress(address)
    return [
      ...(unsplit(address) ? [{ key: address, address, name }] : []),
      ...(split.keys.get(address) ?? []).map((c) => ({
        key: c.key,
        address,
        name: `${name} · ${c.category}`,
        category: c.category,
      })),
    ]
  })
  if (ranked.length > TOP_PROVIDERS) providers.push({ key: 'other', address: null, name: 'other' })

  // Every bucket of the window, empty ones included, when there are not too many to draw.
  const count = Math.ceil((window.to - first) / bucketSeconds)
  const buckets =
    count <= 2_000
      ? Array.from({ length: count }, (_, i) => first + i * bucketSeconds)
      : [...byBucket.keys()].sort((a, b) => a - b)
  return {
    chainId: clock.chainId,
    window: windowView(window),
    asOf: asOfView(clock),
    bucketSeconds,
    providers,
    points: buckets.map((bucket) => ({
      bucket: isoTime(bucket),
      values: Object.fromEntries(
        providers.map((p) => [p.key, (byBucket.get(bucket)?.get(p.key) ?? 0n).toString()]),
      ),
    })),
  }
}
