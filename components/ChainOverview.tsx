'use client'

import type { Health } from '@/lib/system/api'
import { BlockTime } from './BlockTime'
import { StatusPill } from './StatusPill'
import { usePolled } from './usePolled'

/** Chain id, head block, database and factory, refreshed from /api/health every 2 s. */
export function ChainOverview({ initial }: { initial: Health }) {
  // A degraded stack answers 503 with the same body, which is what this view shows.
  const { value, stale } = usePolled<Health>('/api/health', { initial, statuses: [200, 503] })
  const health = value ?? initial

  const { chain, database, factory } = health
  return (
    <>
      {stale && <p className="notice">Lost contact with the server; showing the last known state.</p>}
      {!chain.ok && <p className="notice">The chain node does not answer: {chain.error}</p>}
      {!database.ok && <p className="notice">The database does not answer: {database.error}</p>}
      <div className="grid">
        <section className="card">
          <p className="card-label">Chain id</p>
          <p className="card-value" data-testid="chain-id">
            {chain.chainId ?? '—'}
          </p>
          <p className="card-sub">
            <StatusPill
              ok={chain.ok}
              label={chain.ok ? `node answers in ${chain.latencyMs} ms` : 'unreachable'}
            />
          </p>
        </section>
        <section className="card">
          <p className="card-label">Head block</p>
          <p className="card-value" data-testid="head-block">
            {chain.headBlock ? `#${chain.headBlock}` : '—'}
          </p>
          <p className="card-sub" data-testid="head-time">
            {chain.headTimestamp ? <BlockTime iso={chain.headTimestamp} /> : 'no block yet'}
          </p>
        </section>
        <section className="card">
          <p className="card-label">Database</p>
          <p className="card-value">
            <StatusPill ok={database.ok} label={database.ok ? 'connected' : 'unreachable'} />
          </p>
          <p className="card-sub">{database.ok ? `answers in ${database.latencyMs} ms` : database.error}</p>
        </section>
        <section className="card">
          <p className="card-label">Channel factory</p>
          <p className="card-value mono" data-testid="factory-address">
            {factory?.address ?? 'not deployed'}
          </p>
          <p className="card-sub">
            {factory ? `deployed in block #${factory.deploymentBlock}` : 'npm start deploys it'}
          </p>
        </section>
      </div>
    </>
  )
}
