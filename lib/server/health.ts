import { withTimeout } from '../errors'
import type { ServerContext } from './context'
import { findDeployment } from './deployments'

export type ComponentHealth = { ok: boolean; latencyMs: number; error?: string }

export type Health = {
  status: 'ok' | 'degraded'
  time: string
  database: ComponentHealth
  chain: ComponentHealth & { chainId?: number; headBlock?: string; headTimestamp?: string }
  factory: { address: string; deploymentBlock: string } | null
}

const TIMEOUT_MS = 3_000

/** The node's chain id and head block, bounded by the health timeout. */
export function readChainHead(chain: ServerContext['chain']) {
  return withTimeout(
    Promise.all([chain.getChainId(), chain.getBlock({ blockTag: 'latest' })]),
    TIMEOUT_MS,
    'The chain node',
  )
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value?: T; health: ComponentHealth }> {
  const started = performance.now()
  try {
    const value = await fn()
    return { value, health: { ok: true, latencyMs: Math.round(performance.now() - started) } }
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
    return { health: { ok: false, latencyMs: Math.round(performance.now() - started), error: message } }
  }
}

/**
 * Checks database and chain reachability in parallel, each bounded by a timeout, and reports
 * the chain id, head block and the factory this database knows for that chain.
 */
export async function checkHealth({ db, chain }: Pick<ServerContext, 'db' | 'chain'>): Promise<Health> {
  const [database, head] = await Promise.all([
    timed(() => withTimeout(db.$queryRaw`SELECT 1`, TIMEOUT_MS, 'The database')),
    timed(() => readChainHead(chain)),
  ])
  const [chainId, block] = head.value ?? []
  let factory: Health['factory'] = null
  if (database.health.ok && chainId !== undefined) {
    const record = await findDeployment({ db, chainId }).catch(() => null)
    if (record) factory = { address: record.address, deploymentBlock: record.blockNumber.toString() }
  }
  return {
    status: database.health.ok && head.health.ok ? 'ok' : 'degraded',
    time: new Date().toISOString(),
    database: database.health,
    chain: {
      ...head.health,
      ...(chainId === undefined ? {} : { chainId }),
      ...(block
        ? {
            headBlock: block.number.toString(),
            headTimestamp: new Date(Number(block.timestamp) * 1000).toISOString(),
          }
        : {}),
    },
    factory,
  }
}
