import type { CostGraph } from '@/lib/costs/api'
import { CostGraphCanvas } from './graph/CostGraphCanvas'
import type { CanvasPair, CanvasService } from './graph/types'

export type NodeSize = 'spend' | 'earnings'

/** A service's page, keeping the window's query (`search`). */
export const serviceHref = (node: { name: string | null; address: string }, search = '') =>
  `/services/${encodeURIComponent(node.name ?? node.address)}${search ? `?${search}` : ''}`

/**
 * The service-dependency graph: what the page's server render hands the browser's canvas
 * (graph/CostGraphCanvas), only the fields it draws, so 5,000 channels' details stay on the
 * server. Services are sized by what they paid or earned; consumer → provider edges as wide as
 * the settled amount; a service opens its page, an edge its (busiest) channel.
 */
export function CostGraphView({ graph, size, search }: { graph: CostGraph; size: NodeSize; search: string }) {
  const services: CanvasService[] = graph.nodes.map((n) => ({
    id: n.address,
    name: n.name,
    team: n.team,
    paid: n.paid,
    earned: n.earned,
    pending: (BigInt(n.pendingPaid ?? '0') + BigInt(n.pendingEarned ?? '0')).toString(),
    href: serviceHref(n, search),
  }))
  const pairs: CanvasPair[] = graph.edges.map((e) => ({
    consumer: e.consumer,
    provider: e.provider,
    settled: e.settled,
    pending: e.pending ?? '0',
    requests: e.requests,
    channel: e.channels[0]?.address ?? null,
    channels: e.channels.length,
    priceMin: e.priceMin,
    priceMax: e.priceMax,
    ...(e.categories && {
      categories: e.categories.map((c) => ({
        name: c.name,
        settled: c.settled,
        requests: c.requests,
        priceMin: c.priceMin,
        priceMax: c.priceMax,
        ...(c.origin && { origin: c.origin }),
      })),
    }),
  }))
  return <CostGraphCanvas services={services} pairs={pairs} size={size} live={graph.window.live} />
}
