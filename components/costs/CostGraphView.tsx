import type { CostEdge, CostGraph } from '@/lib/costs/api'
import { layoutCostGraph } from '@/lib/costs/layout'
import { formatNumber, formatWei, shortAddress } from '@/lib/explorer/format'

/** Services drawn at most; the rest are in the tables below. */
const MAX_NODES = 40

export type NodeSize = 'spend' | 'earnings'

const priceOf = (e: CostEdge) =>
  e.priceMin === e.priceMax ? formatWei(e.priceMin) : `${formatWei(e.priceMin)}–${formatWei(e.priceMax)}`

export const serviceHref = (node: { name: string | null; address: string }, search = '') =>
  `/services/${encodeURIComponent(node.name ?? node.address)}${search ? `?${search}` : ''}`

/**
 * The service-dependency graph as SVG, drawn on the server: services as circles sized by what
 * they paid or earned, consumer → provider arrows as wide as the settled amount and labelled
 * with it, the requests and the price; the pending (accepted, not redeemed) amount as a dashed
 * orange arrow beside it. A service opens its page, an arrow its (largest) channel.
 */
export function CostGraphView({ graph, size, search }: { graph: CostGraph; size: NodeSize; search: string }) {
  const shown = graph.nodes.slice(0, MAX_NODES)
  const ids = new Set(shown.map((n) => n.address))
  const edges = graph.edges.filter((e) => ids.has(e.consumer) && ids.has(e.provider))
  const layout = layoutCostGraph({
    nodes: shown.map((n) => ({ id: n.address, weight: BigInt(size === 'spend' ? n.paid : n.earned) })),
    edges: edges.map((e) => {
      const lines = [
        BigInt(e.settled) > 0n ? formatWei(e.settled) : 'nothing settled',
        `${formatNumber(e.requests)} req × ${priceOf(e)}`,
        ...(BigInt(e.pending ?? '0') > 0n ? [`+${formatWei(e.pending ?? '0')} pending`] : []),
      ]
      return {
        from: e.consumer,
        to: e.provider,
        weight: BigInt(e.settled) + BigInt(e.pending ?? '0'),
        label: { width: 6.6 * Math.max(...lines.map((l) => l.length)) + 8, height: 14 * lines.length + 6 },
      }
    }),
  })
  const nodeOf = new Map(shown.map((n) => [n.address, n]))
  const placedEdge = new Map(layout.edges.map((p) => [`${p.from}>${p.to}`, p]))
  return (
    <div className="graph-wrap" data-testid="cost-graph">
      <svg
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width={layout.width}
        role="img"
        aria-label={`Cost graph: ${shown.length} services, ${edges.length} paying pairs`}
        className="cost-graph"
      >
        <defs>
          <Arrowhead id="arrow" size={11} color="#3b5bdb" />
          <Arrowhead id="arrow-pending" size={9} color="#d9480f" />
        </defs>
        {edges.map((e) => {
          const p = placedEdge.get(`${e.consumer}>${e.provider}`)
          if (!p) return null
          const consumer = nodeOf.get(e.consumer)
          const provider = nodeOf.get(e.provider)
          const channel = e.channels[0]?.address
          const settled = BigInt(e.settled)
          const pending = BigInt(e.pending ?? '0')
          const price = priceOf(e)
          const title = [
            `${consumer?.name ?? shortAddress(e.consumer)} → ${provider?.name ?? shortAddress(e.provider)}`,
            `settled ${formatWei(e.settled)} (${formatNumber(e.settled)} wei) for ${formatNumber(e.requests)} requests at ${price}`,
            BigInt(e.unconfirmed) > 0n ? `of which ${formatWei(e.unconfirmed)} not final yet` : 'all final',
            e.pending !== null ? `pending ${formatWei(e.pending)} accepted, not redeemed` : null,
            `${e.channels.length} channel${e.channels.length === 1 ? '' : 's'}`,
          ]
            .filter(Boolean)
            .join('\n')
          return (
            <a
              key={`${e.consumer}>${e.provider}`}
              href={channel ? `/channels/${channel}` : undefined}
              data-testid="graph-edge"
              data-consumer={e.consumer}
              data-provider={e.provider}
              data-settled={e.settled}
              data-pending={e.pending ?? ''}
            >
              <title>{title}</title>
              {settled > 0n && (
                <path d={p.path} className="edge-settled" strokeWidth={p.width} markerEnd="url(#arrow)" />
              )}
              {pending > 0n && (
                <path
                  d={p.path}
                  className="edge-pending"
                  strokeWidth={Math.max(1.5, p.width / 2)}
                  transform="translate(0 7)"
                  markerEnd="url(#arrow-pending)"
                />
              )}
              <path d={p.path} className="edge-hit" />
              <text x={p.labelX} y={p.labelY} textAnchor="middle" className="edge-label">
                {settled > 0n ? formatWei(e.settled) : 'nothing settled'}
                <tspan x={p.labelX} dy="14" className="edge-sub">
                  {formatNumber(e.requests)} req × {price}
                </tspan>
                {pending > 0n && (
                  <tspan x={p.labelX} dy="14" className="edge-pending-label">
                    +{formatWei(e.pending ?? '0')} pending
                  </tspan>
                )}
              </text>
            </a>
          )
        })}
        {layout.nodes.map((p) => {
          const n = nodeOf.get(p.id)
          if (!n) return null
          return (
            <a key={p.id} href={serviceHref(n, search)} data-testid="graph-node" data-address={n.address}>
              <title>
                {`${n.name ?? n.address}${n.team ? ` (${n.team})` : ''}\npaid ${formatWei(n.paid)}, earned ${formatWei(n.earned)}`}
              </title>
              <circle cx={p.x} cy={p.y} r={p.r} className={n.name ? 'node' : 'node node-unlabelled'} />
              <text x={p.x} y={p.y + p.r + 16} textAnchor="middle" className="node-name">
                {n.name ?? shortAddress(n.address)}
              </text>
              <text x={p.x} y={p.y + p.r + 30} textAnchor="middle" className="node-sub">
                {n.team ?? 'no label'} ·{' '}
                {[
                  BigInt(n.paid) > 0n ? `paid ${formatWei(n.paid)}` : null,
                  BigInt(n.earned) > 0n ? `earned ${formatWei(n.earned)}` : null,
                ]
                  .filter(Boolean)
                  .join(' · ') || 'nothing settled'}
              </text>
            </a>
          )
        })}
      </svg>
      {graph.nodes.length > MAX_NODES && (
        <p className="muted small graph-note">
          Showing the {MAX_NODES} services that moved the most money of {graph.nodes.length}; the tables list
          all.
        </p>
      )}
    </div>
  )
}

function Arrowhead({ id, size, color }: { id: string; size: number; color: string }) {
  return (
    <marker
      id={id}
      viewBox="0 0 10 10"
      refX="8"
      refY="5"
      markerWidth={size}
      markerHeight={size}
      markerUnits="userSpaceOnUse"
      orient="auto"
    >
      <path d="M0,0 L10,5 L0,10 z" fill={color} />
    </marker>
  )
}
