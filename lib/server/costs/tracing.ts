import type { CostEdge as PairEdge } from '../../costs/api'
import type { CostEdge, TaggedTraffic } from '../../costs/attribution'
import type { CostWindow } from '../../costs/window'
import type { ServerContext } from '../context'
import { byChannelCategory, settledByCategory } from './categories'
import type { CostClock } from './clock'

/*
 * Exact transitive tracing (thesis 3.4) in the costs: a version 2 channel's category may trace
 * an origin consumer (`channel_category.origin`, set by the Payment Server from the open's
 * `prices[i].origin`). What such a category settled in the window is the part of its pair's
 * traffic made on behalf of that origin, which attribution (lib/costs/attribution) counts as
 * the origin's own.
 */

/** channel → its traced traffic in the window, per origin (lowercase address), summed over its categories. */
export async function tracedByChannel(
  ctx: ServerContext,
  clock: CostClock,
  window: CostWindow,
  channels: readonly string[],
): Promise<Map<string, TaggedTraffic[]>> {
  const out = new Map<string, TaggedTraffic[]>()
  if (channels.length === 0) return out
  const byChannel = await originsByChannel(ctx, clock.chainId, channels)
  if (byChannel.size === 0) return out
  const settled = await settledByCategory(ctx, clock, window, [...byChannel.keys()])
  const origins = [...byChannel].flatMap(([channel, m]) =>
    [...m].map(([category, origin]) => ({ channel, category, origin })),
  )
  for (const { channel, category, origin } of origins) {
    const s = settled.get(channel)?.get(category)
    if (!s || (s.amount === 0n && s.requests === 0n)) continue
    const parts = out.get(channel) ?? []
    const same = parts.find((p) => p.origin === origin)
    if (same) {
      same.requests += s.requests
      same.amount += s.amount
    } else parts.push({ origin, requests: s.requests, amount: s.amount })
    out.set(channel, parts)
  }
  return out
}

/**
 * The pairs of a costs answer as attribution takes them (settled amounts and requests), each
 * with the traced parts of its channels' traffic summed per origin.
 *
 * @example attributeCost(await tracedEdges(ctx, clock, window, edges), address)
 */
export async function tracedEdges(
  ctx: ServerContext,
  clock: CostClock,
  window: CostWindow,
  edges: readonly PairEdge[],
): Promise<CostEdge[]> {
  const traced = await tracedByChannel(
    ctx,
    clock,
    window,
    edges.flatMap((e) => e.channels.map((c) => c.address)),
  )
  return edges.map((e) => {
    const byOrigin = new Map<string, TaggedTraffic>()
    for (const c of e.channels) {
      for (const t of traced.get(c.address) ?? []) {
        const sum = byOrigin.get(t.origin) ?? { origin: t.origin, requests: 0n, amount: 0n }
        byOrigin.set(t.origin, { ...sum, requests: sum.requests + t.requests, amount: sum.amount + t.amount })
      }
    }
    return {
      consumer: e.consumer,
      provider: e.provider,
      requests: BigInt(e.requests),
      amount: BigInt(e.settled),
      ...(byOrigin.size > 0 ? { tagged: [...byOrigin.values()] } : {}),
    }
  })
}

/** channel → category (0-based) → the origin consumer it traces (lowercase address), for `channels`. */
export async function originsByChannel(
  ctx: ServerContext,
  chainId: number,
  channels: readonly string[],
): Promise<Map<string, Map<number, string>>> {
  if (channels.length === 0) return new Map()
  const rows = await ctx.db.$queryRaw<Array<{ channel: string; category: number; origin: string }>>`
    SELECT channel, category::int AS category, lower(origin) AS origin FROM channel_category
    WHERE chain_id = ${chainId} AND channel = ANY(${[...channels]}) AND origin IS NOT NULL`
  return byChannelCategory(rows, (r) => r.origin)
}
