import type { Span } from '../../costs/window'
import type { ServerContext } from '../context'
import { Prisma } from '../db/generated/client'
import type { CostClock } from './clock'

/**
 * The rollups' part of a window's settled sums, per channel, kept in memory between answers.
 *
 * A window's whole days and hours come from `cost_daily` / `cost_hourly`, and they are most of
 * its rows: a 30-day window over 5,000 channels sums about 150,000 of them, and that sum was
 * most of the cost graph's time. The rollups serve only buckets that end before the hour of the
 * clock's block B (./settled.ts `settledSpans`), so they hold only events of blocks at or below
 * B: block times never go back, so every later block's events land at or after that hour. Those
 * buckets change again only if B leaves the indexed chain: a reorg that reaches B, or a reset
 * dev chain. So a sum read at B stays right for as long as B's block row (by hash: a replaced
 * block has another) is still indexed, which one primary-key look-up checks on every use. A
 * rolling window's buckets move on each hour, so each span set is read once an hour at most.
 *
 * Per process, at most {@link KEPT} span sets (least recently used out first). Without the
 * block's hash (nothing indexed yet) nothing is kept.
 */

export type ChannelSums = { amount: bigint; requests: bigint; redemptions: number }

type Kept = { chainId: number; hash: string; value: unknown }

/** Reads kept: the windows of a page (sums and series) and their previous ones, for a few pages at once. */
const KEPT = 24
const kept = new Map<string, Kept>()

/** `column` in any of `spans` ([from, to) each), as SQL; FALSE for none. */
export function inSpans(column: string, spans: readonly Span[]): Prisma.Sql {
  if (spans.length === 0) return Prisma.sql`FALSE`
  const c = Prisma.raw(column)
  return Prisma.sql`(${Prisma.join(
    spans.map(([a, b]) => Prisma.sql`(${c} >= ${a} AND ${c} < ${b})`),
    ' OR ',
  )})`
}

async function readRollups(
  ctx: ServerContext,
  chainId: number,
  daily: readonly Span[],
  hourly: readonly Span[],
): Promise<Map<string, ChannelSums>> {
  const parts: Prisma.Sql[] = []
  for (const [table, spans] of [
    ['cost_daily', daily],
    ['cost_hourly', hourly],
  ] as const) {
    if (spans.length === 0) continue
    parts.push(Prisma.sql`SELECT channel, amount, requests, redemptions FROM ${Prisma.raw(table)}
      WHERE chain_id = ${chainId} AND ${inSpans('bucket', spans)}`)
  }
  if (parts.length === 0) return new Map()
  const rows = await ctx.db.$queryRaw<
    Array<{ channel: string; amount: string; requests: string; redemptions: number }>
  >`
    SELECT channel, sum(amount)::text AS amount, sum(requests)::text AS requests, sum(redemptions)::int AS redemptions
    FROM (${Prisma.join(parts, ' UNION ALL ')}) AS r GROUP BY channel`
  return new Map(
    rows.map((r) => [
      r.channel,
      { amount: BigInt(r.amount), requests: BigInt(r.requests), redemptions: r.redemptions },
    ]),
  )
}

/** Whether the block a kept sum was read at is still on the indexed chain. */
async function stillIndexed(ctx: ServerContext, chainId: number, hash: string): Promise<boolean> {
  const rows = await ctx.db.$queryRaw<Array<{ one: number }>>`
    SELECT 1 AS one FROM block WHERE chain_id = ${chainId} AND hash = ${hash} LIMIT 1`
  return rows.length > 0
}

/**
 * What `read` gives for rollup buckets that all end before the clock's hour (the caller's
 * `key` names them and the read), from memory when read before at a block still indexed.
 */
export async function keptWhileIndexed<T>(
  ctx: ServerContext,
  clock: CostClock,
  key: string,
  read: () => Promise<T>,
): Promise<T> {
  const full = `${clock.chainId}|${key}`
  const hit = kept.get(full)
  if (hit && (hit.hash === clock.hash || (await stillIndexed(ctx, hit.chainId, hit.hash)))) {
    kept.delete(full)
    kept.set(full, hit)
    return hit.value as T
  }
  if (hit) kept.delete(full)
  const value = await read()
  if (clock.hash) {
    kept.set(full, { chainId: clock.chainId, hash: clock.hash, value })
    for (const old of kept.keys()) {
      if (kept.size <= KEPT) break
      kept.delete(old)
    }
  }
  return value
}

/**
 * Per channel, the sums of the rollup buckets in `daily` and `hourly` (all before the clock's
 * hour), from memory when read before at a block that is still indexed.
 */
export function closedSums(
  ctx: ServerContext,
  clock: CostClock,
  daily: readonly Span[],
  hourly: readonly Span[],
): Promise<Map<string, ChannelSums>> {
  if (daily.length === 0 && hourly.length === 0) return Promise.resolve(new Map())
  return keptWhileIndexed(ctx, clock, `sums|${JSON.stringify([daily, hourly])}`, () =>
    readRollups(ctx, clock.chainId, daily, hourly),
  )
}

/** Forgets every kept sum (a benchmark's cold read). */
export function forgetClosedSums(): void {
  kept.clear()
}
