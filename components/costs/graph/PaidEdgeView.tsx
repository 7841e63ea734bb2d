import { EdgeLabelRenderer, type EdgeProps } from '@xyflow/react'
import { Amount } from '@/components/Amount'
import { routePath } from '@/lib/costs/layout'
import { formatNumber } from '@/lib/explorer/format'
import type { PaidEdge } from './types'

/**
 * Consumer → provider: a line along dagre's route, as wide as the settled amount, opening the
 * pair's busiest channel. The label is HTML above every line (EdgeLabelRenderer) on a
 * background, in the place dagre kept free for it, or shown on hover and focus only when the
 * graph is too large to label every edge.
 */
export function PaidEdgeView({ source, target, data, markerEnd }: EdgeProps<PaidEdge>) {
  if (!data) return null
  const path = routePath(data.points, data.direction)
  const pending = data.pending !== '' && BigInt(data.pending) > 0n
  const settled = BigInt(data.settled) > 0n
  const attributes = {
    'data-consumer': source,
    'data-provider': target,
    'data-settled': data.settled,
    'data-pending': data.pending,
    'data-state': data.state,
  }
  return (
    <>
      <a href={data.href ?? undefined} data-testid="graph-edge" {...attributes} className="cg-edge">
        <title>{data.title}</title>
        <path d={path} className="cg-edge-hit" />
        {settled && (
          <path d={path} className="cg-edge-settled" strokeWidth={data.width} markerEnd={markerEnd} />
        )}
        {pending && (
          <path
            d={path}
            className="cg-edge-pending"
            strokeWidth={Math.max(1.5, data.width / 2)}
            markerEnd={markerEnd}
          />
        )}
        {!settled && !pending && <path d={path} className="cg-edge-empty" markerEnd={markerEnd} />}
      </a>
      {data.showLabel && (
        <EdgeLabelRenderer>
          <a
            href={data.href ?? undefined}
            className="cg-edge-label nopan"
            data-testid="graph-edge-label"
            {...attributes}
            style={{ transform: `translate(-50%, -50%) translate(${data.label.x}px, ${data.label.y}px)` }}
            title={data.title}
          >
            <span>{settled ? <Amount wei={data.settled} /> : 'nothing settled'}</span>
            <span className="cg-edge-sub">
              {formatNumber(data.requests)} req{data.pairs > 1 ? ` · ${data.pairs} pairs` : ''}
            </span>
            {pending && (
              <span className="cg-edge-pending-label">
                +<Amount wei={data.pending} /> pending
              </span>
            )}
          </a>
        </EdgeLabelRenderer>
      )}
    </>
  )
}
