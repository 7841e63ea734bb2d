import type { CostChannelCategory, CostEdge } from '../../costs/api'
import { categoryName, edgeCategories } from '../../costs/byCategory'
import type { CostWindow } from '../../costs/window'
import type { ServerContext } from '../context'
import { categoryNames, pendingByCategory, settledByCategory } from './categories'
import type { CostClock } from './clock'
import { originsByChannel } from './tracing'

const originOf = (origin: string | undefined) => (origin ? { origin } : {})

/**
 * The cost graph's edges split by request category where a channel has more than one (version 2):
 * `tables` maps each such channel to its active price table. Each of those channels gets its
 * figures per category (those with any traffic in the window, by index) and each edge its
 * categories summed by name; the edge's price range takes in every category's price. Edges
 * without such a channel are returned as they are, so a version 1 network's answer is unchanged.
 */
export async function withCategories(
  ctx: ServerContext,
  clock: CostClock,
  window: CostWindow,
  edges: CostEdge[],
  tables: ReadonlyMap<string, readonly string[]>,
): Promise<CostEdge[]> {
  const split = [...tables.keys()]
  if (split.length === 0) return edges
  const [settled, pending, names, origins] = await Promise.all([
    settledByCategory(ctx, clock, window, split),
    window.live ? pendingByCategory(ctx, clock.chainId, split) : new Map<string, Map<number, bigint>>(),
    categoryNames(ctx, clock.chainId, split),
    originsByChannel(ctx, clock.chainId, split),
  ])
  return edges.map((edge) => {
    if (!edge.channels.some((c) => tables.has(c.address))) return edge
    let { priceMin, priceMax } = edge
    const channels = edge.channels.map((channel) => {
      const prices = tables.get(channel.address)
      if (!prices) return channel
      const categories: CostChannelCategory[] = []
      prices.forEach((price, i) => {
        if (BigInt(price) < BigInt(priceMin)) priceMin = price
        if (BigInt(price) > BigInt(priceMax)) priceMax = price
        const s = settled.get(channel.address)?.get(i)
        const p = pending.get(channel.address)?.get(i) ?? 0n
        if (!s && p === 0n) return
        categories.push({
          category: i,
          name: categoryName(names.get(channel.address), i),
          price,
          settled: (s?.amount ?? 0n).toString(),
          unconfirmed: (s?.unconfirmed ?? 0n).toString(),
          requests: (s?.requests ?? 0n).toString(),
          redemptions: s?.redemptions ?? 0,
          pending: window.live ? p.toString() : null,
          // A category tracing an origin consumer (thesis 3.4): what was spent for it.
          ...originOf(origins.get(channel.address)?.get(i)),
        })
      })
      return categories.length > 0 ? { ...channel, categories } : channel
    })
    const categories = edgeCategories(channels, window.live)
    return { ...edge, priceMin, priceMax, channels, ...(categories.length > 0 ? { categories } : {}) }
  })
}
