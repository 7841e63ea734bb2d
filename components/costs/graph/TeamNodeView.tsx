import { Handle, type NodeProps, Position } from '@xyflow/react'
import { Amount } from '@/components/Amount'
import type { TeamNode } from './types'

/** A collapsed team: its members' summed flows; the button shows its services instead. */
export function TeamNodeView({ data, targetPosition, sourcePosition }: NodeProps<TeamNode>) {
  const { team, members, paid, earned, internal, r, state, onExpand } = data
  return (
    <div className="cg-team" data-testid="graph-team" data-team={team} data-state={state}>
      <Handle
        type="target"
        position={targetPosition ?? Position.Left}
        className="cg-handle"
        isConnectable={false}
      />
      <svg width={44} height={44} aria-hidden="true" className="cg-node-dot">
        <rect x={22 - r} y={22 - r} width={2 * r} height={2 * r} rx={6} className="cg-team-box" />
      </svg>
      <span className="cg-node-text">
        <button
          type="button"
          className="cg-team-toggle nodrag"
          data-testid="team-toggle"
          aria-expanded={false}
          onClick={() => onExpand(team)}
          title={`Show the ${members} services of ${team}`}
        >
          <span className="cg-node-name">{team}</span> <span className="cg-team-count">+{members}</span>
        </button>
        <span className="cg-node-sub">
          paid <Amount wei={paid} /> · earned <Amount wei={earned} />
          {BigInt(internal) > 0n && (
            <>
              {' '}
              · within <Amount wei={internal} />
            </>
          )}
        </span>
      </span>
      <Handle
        type="source"
        position={sourcePosition ?? Position.Right}
        className="cg-handle"
        isConnectable={false}
      />
    </div>
  )
}
