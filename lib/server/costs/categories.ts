import type { CostWindow, Span } from '../../costs/window'
import type { ServerContext } from '../context'
import { Prisma } from '../db/generated/client'
import type { CostClock } from './clock'
import { inSpans, type SettledOptions, settledSpans } from './settled'

/**
 * Settled and pending spend per request category of version 2 channels (migration 0013), read
 * as the totals are (./settled): whole hours and days from `cost_category_hourly` / `_daily`,
 * kept by the same trigger as `cost_hourly`, and the rest from the Redeemed events themselves,
 * split by `redeemed_category_shares`, the SQL twin of lib/costs/categories.ts
 * `categoryShares` (the migration's test holds them equal). So each category's figures are
 * exact and a channel's categories sum to its totals to the wei.
 */

/** A v2 Redeemed (`e`) with a token: closed-without-token ones carry empty arrays and no shares. */
const V2_REDEEMED = Prisma.sql`e.name = 'Redeemed' AND jsonb_typeof(e.args->'requests') = 'array'`

/**
 * Every settled category row of `channels` in [from, to) at the clock's block, as SQL with the
 * columns (at, channel, category, amount, requests, redemptions); spans as settledRows reads
 * them, so the two always agree.
 */
export function settledCategoryRows(
  clock: CostClock,
  from: number,
  to: number,
  channels: readonly string[],
  options: SettledOptions = {},
): Prisma.Sql {
  const { daily, hourly, events } = settledSpans(clock, from, to, options)
  const list = [...channels]
  const rollup = (table: 'cost_category_daily' | 'cost_category_hourly', spans: readonly Span[]) =>
    Prisma.sql`SELECT bucket, channel, category, amount, requests, redemptions FROM ${Prisma.raw(table)}
      WHERE chain_id = ${clock.chainId} AND channel = ANY(${list}) AND ${inSpans('bucket', spans)}
      UNION ALL `
  return Prisma.sql`${daily.length > 0 ? rollup('cost_category_daily', daily) : Prisma.empty}${
    hourly.length > 0 ? rollup('cost_category_hourly', hourly) : Prisma.empty
  }SELECT e.block_timestamp, e.channel, s.category, s.share, s.requests, 1
    FROM event e CROSS JOIN LATERAL redeemed_category_shares(e.args) AS s
    WHERE e.chain_id = ${clock.chainId} AND e.channel = ANY(${list}) AND ${V2_REDEEMED}
      AND e.block_number <= ${clock.block ?? -1n} AND ${inSpans('e.block_timestamp', events)}`
}

/** One category's settled figures in a window. */
export type CategorySums = { amount: bigint; requests: bigint; redemptions: number; unconfirmed: bigint }

/** channel → category (0-based) → its figures in the window, for `channels` (those with traffic only). */
export async function settledByCategory(
  ctx: ServerContext,
  clock: CostClock,
  window: CostWindow,
  channels: readonly string[],
): Promise<Map<string, Map<number, CategorySums>>> {
  const out = new Map<string, Map<number, CategorySums>>()
  if (channels.length === 0) return out
  const rows = await ctx.db.$queryRaw<
    Array<{
      channel: string
      category: number
      amount: string
      requests: string
      redemptions: number
      unconfirmed: string | null
    }>
  >`WITH settled AS (
       SELECT channel, category, sum(amount)::text AS amount, sum(requests)::text AS requests,
              sum(redemptions)::int AS redemptions
       FROM (${settledCategoryRows(clock, window.from, window.to, channels)})
         AS s(at, channel, category, amount, requests, redemptions)
       GROUP BY 1, 2
     ), recent AS (
       SELECT e.channel, s.category, sum(s.share)::text AS unconfirmed
       FROM event e CROSS JOIN LATERAL redeemed_category_shares(e.args) AS s
       WHERE e.chain_id = ${clock.chainId} AND e.channel = ANY(${[...channels]}) AND ${V2_REDEEMED}
         AND e.block_number > ${clock.finalBlock ?? -1n} AND e.block_number <= ${clock.block ?? -1n}
         AND e.block_timestamp >= ${window.from} AND e.block_timestamp < ${window.to}
       GROUP BY 1, 2
     )
     SELECT s.channel, s.category::int AS category, s.amount, s.requests, s.redemptions, r.unconfirmed
     FROM settled s LEFT JOIN recent r USING (channel, category)`
  for (const r of rows) {
    const byCategory = out.get(r.channel) ?? new Map<number, CategorySums>()
    byCategory.set(r.category, {
      amount: BigInt(r.amount),
      requests: BigInt(r.requests),
      redemptions: r.redemptions,
      unconfirmed: BigInt(r.unconfirmed ?? '0'),
    })
    out.set(r.channel, byCategory)
  }
  return out
}

/** Rows keyed by channel and category, as channel → category → `value(row)`. */
export function byChannelCategory<R extends { channel: string; category: number }, V>(
  rows: readonly R[],
  value: (row: R) => V,
): Map<string, Map<number, V>> {
  const out = new Map<string, Map<number, V>>()
  for (const r of rows) {
    const byCategory = out.get(r.channel) ?? new Map<number, V>()
    byCategory.set(r.category, value(r))
    out.set(r.channel, byCategory)
  }
  return out
}

/**
 * channel → category → the value of tokens this Payment Server accepted and nobody redeemed yet
 * (payment_accepted_v2: each token ID's maximum, valued at that ID's prices), for the active and
 * expiring token IDs of channels not terminated, as v1's pendingByChannel counts them.
 */
export async function pendingByCategory(
  ctx: ServerContext,
  chainId: number,
  channels: readonly string[],
): Promise<Map<string, Map<number, bigint>>> {
  if (channels.length === 0) return new Map()
  const rows = await ctx.db.$queryRaw<Array<{ channel: string; category: number; pending: string }>>`
    SELECT a.channel, (d.i - 1)::int AS category, sum(d.n * d.p)::text AS pending
    FROM payment_accepted_v2 a
    JOIN channel c ON c.chain_id = a.chain_id AND c.address = a.channel
    CROSS JOIN LATERAL unnest(a.requests, a.prices) WITH ORDINALITY AS d(n, p, i)
    WHERE a.chain_id = ${chainId} AND a.channel = ANY(${[...channels]}) AND a.redeemed_at IS NULL
      AND NOT c.terminated AND a.token_id IN (c.active_token_id, c.expiring_token_id)
    GROUP BY 1, 2`
  return byChannelCategory(rows, (r) => BigInt(r.pending))
}

/** channel → category (0-based) → name, from `channel_category` (the Payment Server's names). */
export async function categoryNames(
  ctx: ServerContext,
  chainId: number,
  channels: readonly string[],
): Promise<Map<string, Map<number, string>>> {
  if (channels.length === 0) return new Map()
  const rows = await ctx.db.$queryRaw<Array<{ channel: string; category: number; name: string }>>`
    SELECT channel, category::int AS category, name FROM channel_category
    WHERE chain_id = ${chainId} AND channel = ANY(${[...channels]})`
  return byChannelCategory(rows, (r) => r.name)
}
