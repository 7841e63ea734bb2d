import { Handle, type NodeProps, Position } from '@xyflow/react'
import { Amount } from '@/components/Amount'
import { shortAddress } from '@/lib/explorer/format'
import type { ServiceNode } from './types'

/** A service: a circle sized by what it paid (or earned), its name and team; opens its page. */
export function ServiceNodeView({ data, targetPosition, sourcePosition }: NodeProps<ServiceNode>) {
  const { service, r, state } = data
  const paid = BigInt(service.paid) > 0n
  const earned = BigInt(service.earned) > 0n
  return (
    <div className="cg-node" data-state={state}>
      <Handle
        type="target"
        position={targetPosition ?? Position.Left}
        className="cg-handle"
        isConnectable={false}
      />
      <a
        href={service.href}
        data-testid="graph-node"
        data-address={service.id}
        data-state={state}
        className="cg-node-link nodrag"
        title={`${service.name ?? service.id}${service.team ? ` (${service.team})` : ''}`}
      >
        <svg width={44} height={44} aria-hidden="true" className="cg-node-dot">
          <circle cx={22} cy={22} r={r} className={service.name ? 'cg-circle' : 'cg-circle cg-unlabelled'} />
        </svg>
        <span className="cg-node-text">
          <span className="cg-node-name">{service.name ?? shortAddress(service.id)}</span>
          <span className="cg-node-sub">
            {paid && (
              <>
                paid <Amount wei={service.paid} />
              </>
            )}
            {paid && earned && ' · '}
            {earned && (
              <>
                earned <Amount wei={service.earned} />
              </>
            )}
            {!paid && !earned && (service.team ?? 'nothing settled')}
          </span>
        </span>
      </a>
      <Handle
        type="source"
        position={sourcePosition ?? Position.Right}
        className="cg-handle"
        isConnectable={false}
      />
    </div>
  )
}
