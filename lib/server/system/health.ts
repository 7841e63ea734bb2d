import { isoSeconds } from '../../columns/kinds'
import { withTimeout } from '../../errors'
import { errorText } from '../../errorText'
import type { ComponentHealth, Health } from '../../system/api'
import type { ServerContext } from '../context'
import { findDeployment } from '../deployments'
import { readChainHead } from '../indexedChain'
import { paymentStaleState } from '../payment'
import { readStackStatus } from './stackStatus'

/** How long the database may take to answer a health check (the node's bound is readChainHead's). */
const DATABASE_TIMEOUT_MS = 3_000

async function timed<T>(fn: () => Promise<T>): Promise<{ value?: T; health: ComponentHealth }> {
  const started = performance.now()
  try {
    const value = await fn()
    return { value, health: { ok: true, latencyMs: Math.round(performance.now() - started) } }
  } catch (error) {
    const message = errorText(error)
    return { health: { ok: false, latencyMs: Math.round(performance.now() - started), error: message } }
  }
}

/** Whether the database and the chain node answer, in parallel, each bounded by a timeout (the node's with its head). */
export const probeDependencies = ({ db, chain }: Pick<ServerContext, 'db' | 'chain'>) =>
  Promise.all([
    timed(() => withTimeout(db.$queryRaw`SELECT 1`, DATABASE_TIMEOUT_MS, 'The database')),
    timed(() => readChainHead(chain)),
  ])

/** The processes `npm start` keeps running, from its status file (null without one, or when it is gone). */
async function stackHealth(file: string | undefined): Promise<Health['stack']> {
  const status = file ? await readStackStatus(file) : null
  if (!status) return null
  const children = Object.entries(status.children ?? {}).map(([name, child]) => ({ name, ...child }))
  return { pid: status.pid, phase: status.phase, children }
}

/**
 * Checks database and chain reachability in parallel, each bounded by a timeout, and reports
 * the chain id, head block and the factory this database knows for that chain, whether
 * this process's Payment Server answers from stale channel state (`staleState`: default, the
 * Payment Server of this process, if one was started), and under `npm start` its processes
 * with their restarts (`stackStatusFile`, STACK_STATUS_FILE).
 */
export async function checkHealth(
  { db, chain }: Pick<ServerContext, 'db' | 'chain'>,
  staleState: () => Health['paymentStaleState'] = paymentStaleState,
  stackStatusFile?: string,
): Promise<Health> {
  const [[database, head], stack] = await Promise.all([
    probeDependencies({ db, chain }),
    stackHealth(stackStatusFile),
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
            headTimestamp: isoSeconds(block.timestamp),
          }
        : {}),
    },
    factory,
    paymentStaleState: staleState(),
    stack,
  }
}
