import { type CostWindow, type Span, splitWindow } from '../../costs/window'
import type { ServerContext } from '../context'
import { Prisma } from '../db/generated/client'
import type { CostClock } from './clock'
import { closedSums, inSpans } from './closedSums'

export { inSpans }

/**
 * Settled spend as of one block, from the rollups the database keeps as events are indexed
 * (prisma/migrations/0004_costs): whole days and hours from `cost_daily` and `cost_hourly`, the
 * rest from the Redeemed events themselves, so every figure is exact.
 */

const HOUR = 3_600

/** Which spans of a window the rollups serve and which the events (see {@link settledRows}). */
export type SettledSpans = { daily: Span[]; hourly: Span[]; events: Span[] }

/** Reads of a window's settled rows: whole days may come from the daily rollup unless `daily` is false. */
export type SettledOptions = {
  /**
   * Which rows: all (default), only the rollups' whole days and hours (`closed`: they change
   * only with a reorg, see ./closedSums.ts), or only the events of the rest (`open`).
   */
  part?: 'all' | 'closed' | 'open'
  /**
   * False for a chart of hours: a daily rollup row's `at` is its day's start, so a whole day in
   * an hourly series would be drawn as one bar at midnight; hours are read from the hourly one.
   */
  daily?: boolean
}

/**
 * The spans of [from, to) each source serves at the clock's block. The rollups hold no block
 * number, so they serve only hours and days that end before the hour of the clock's block:
 * block times never go back, so every block in them is at or below it. The partial hours at the
 * window's edges, and everything from the clock's hour on, come from the events.
 */
export function settledSpans(
  clock: CostClock,
  from: number,
  to: number,
  { daily = true }: SettledOptions = {},
): SettledSpans {
  // Nothing indexed: no rollup row can be at or below the (absent) block.
  const cut = clock.block === null ? from : Math.floor(clock.now / HOUR) * HOUR
  const rolled = Math.min(to, cut)
  const split =
    from < rolled
      ? splitWindow(from, rolled)
      : { raw: [] as Span[], hourly: [] as Span[], daily: [] as Span[] }
  const hourly = daily ? split.hourly : [...split.hourly, ...split.daily]
  const events = to > cut ? [...split.raw, [Math.max(from, cut), to] as const] : split.raw
  return { daily: daily ? split.daily : [], hourly, events }
}

/**
 * Every settled row of [from, to) at the clock's block, as SQL with the columns
 * (at, channel, amount, requests, redemptions): `at` is a rollup bucket's start or an event's
 * block time. Spans as {@link settledSpans} splits them; events `block_number <= clock.block`,
 * so a block indexed after the clock was read is in no figure, whatever the window's end. A v2
 * Redeemed's requests are its counts summed (`redeemed_requests`, migration 0013).
 */
export function settledRows(
  clock: CostClock,
  from: number,
  to: number,
  options: SettledOptions = {},
): Prisma.Sql {
  const bound = clock.block ?? -1n
  const part = options.part ?? 'all'
  const spans = settledSpans(clock, from, to, options)
  const { daily, hourly } = part === 'open' ? { daily: [], hourly: [] } : spans
  const events = part === 'closed' ? [] : spans.events
  const rollup = (table: 'cost_daily' | 'cost_hourly', spans: readonly Span[]) =>
    Prisma.sql`SELECT bucket, channel, amount, requests, redemptions FROM ${Prisma.raw(table)}
      WHERE chain_id = ${clock.chainId} AND ${inSpans('bucket', spans)}
      UNION ALL `
  return Prisma.sql`${daily.length > 0 ? rollup('cost_daily', daily) : Prisma.empty}${
    hourly.length > 0 ? rollup('cost_hourly', hourly) : Prisma.empty
  }SELECT block_timestamp, channel, (args->>'amount')::numeric, redeemed_requests(args), 1 FROM event
    WHERE chain_id = ${clock.chainId} AND name = 'Redeemed' AND block_number <= ${bound}
      AND ${inSpans('block_timestamp', events)}`
}

type Settled = { amount: bigint; requests: bigint; redemptions: number; unconfirmed: bigint }

/**
 * Settled amount, requests and redemptions per channel in the window, plus the not-final part:
 * the rollups' whole days and hours (./closedSums, kept between answers while their block is
 * indexed) and the events of the rest, read at the clock's block.
 */
export async function settledByChannel(
  ctx: ServerContext,
  clock: CostClock,
  window: CostWindow,
): Promise<Map<string, Settled>> {
  const { daily, hourly, events } = settledSpans(clock, window.from, window.to)
  const closed = await closedSums(ctx, clock, daily, hourly)
  const rows = await ctx.db.$queryRaw<
    Array<{
      channel: string
      amount: string | null
      requests: string | null
      redemptions: number | null
      unconfirmed: string | null
    }>
  >`WITH open AS (
       SELECT channel, sum((args->>'amount')::numeric)::text AS amount, sum(redeemed_requests(args))::text AS requests,
              count(*)::int AS redemptions
       FROM event
       WHERE chain_id = ${clock.chainId} AND name = 'Redeemed' AND block_number <= ${clock.block ?? -1n}
         AND ${inSpans('block_timestamp', events)}
       GROUP BY channel
     ), recent AS (
       SELECT channel, sum((args->>'amount')::numeric)::text AS unconfirmed FROM event
       WHERE chain_id = ${clock.chainId} AND name = 'Redeemed'
         AND block_number > ${clock.finalBlock ?? -1n} AND block_number <= ${clock.block ?? -1n}
         AND block_timestamp >= ${window.from} AND block_timestamp < ${window.to}
       GROUP BY channel
     )
     SELECT channel, o.amount, o.requests, o.redemptions, r.unconfirmed
     FROM open o FULL JOIN recent r USING (channel)`
  const out = new Map<string, Settled>()
  for (const [channel, c] of closed) out.set(channel, { ...c, unconfirmed: 0n })
  for (const r of rows) {
    const s = out.get(r.channel) ?? { amount: 0n, requests: 0n, redemptions: 0, unconfirmed: 0n }
    out.set(r.channel, {
      amount: s.amount + BigInt(r.amount ?? '0'),
      requests: s.requests + BigInt(r.requests ?? '0'),
      redemptions: s.redemptions + (r.redemptions ?? 0),
      unconfirmed: BigInt(r.unconfirmed ?? '0'),
    })
  }
  return out
}

/** The start of the first hour with settled spend at the clock's block (unix s), or null. */
export async function firstSettledHour(ctx: ServerContext, clock: CostClock): Promise<number | null> {
  if (clock.block === null) return null
  const cut = Math.floor(clock.now / HOUR) * HOUR
  const [row] = await ctx.db.$queryRaw<Array<{ first: bigint | null }>>`
    SELECT least(
      (SELECT min(bucket) FROM cost_hourly WHERE chain_id = ${clock.chainId} AND bucket < ${cut}),
      (SELECT min(block_timestamp - block_timestamp % ${HOUR}) FROM event
       WHERE chain_id = ${clock.chainId} AND name = 'Redeemed' AND block_timestamp >= ${cut}
         AND block_number <= ${clock.block})
    ) AS first`
  return row?.first != null ? Number(row.first) : null
}
