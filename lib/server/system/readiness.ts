import type { IndexerStatus, Readiness, ReadinessPart } from '../../system/api'
import type { ServerContext } from '../context'
import { probeDependencies } from './health'
import { readIndexerStatus } from './indexerStatus'
import { readStackStatus } from './stackStatus'

export type CheckReadinessParameters = Pick<ServerContext, 'db' | 'chain'> & {
  /** The stack's status file (STACK_STATUS_FILE); without it only what the web sees counts. */
  stackStatusFile?: string
}

/** The indexer's part: ready once it follows the head live. */
function indexerPart(status: IndexerStatus | null): ReadinessPart {
  const name = 'indexer'
  if (!status) return { name, ready: false, state: 'unknown while the database does not answer' }
  const indexed = status.indexedHead?.number ?? status.factory?.block
  switch (status.phase) {
    case 'live':
      return { name, ready: true, state: `live at block ${status.indexedHead?.number ?? '?'}` }
    case 'backfill':
      return {
        name,
        ready: false,
        state: `backfilling, block ${indexed ?? '?'} of ${status.chainHead?.number ?? '?'}`,
      }
    case 'stopped':
      return { name, ready: false, state: 'stopped (no heartbeat for over 30 s)' }
    default:
      return { name, ready: false, state: 'not started yet (nothing indexed for this chain)' }
  }
}

/** True while the process `pid` exists (signal 0 checks without signalling). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The stack's own parts (the example network) and its phase, from the file it writes. */
async function stackParts(file: string): Promise<ReadinessPart[]> {
  const status = await readStackStatus(file)
  if (!status)
    return [{ name: 'stack', ready: false, state: 'has not said how far it is (no status file yet)' }]
  if (!alive(status.pid))
    return [{ name: 'stack', ready: false, state: `not running (process ${status.pid} is gone)` }]
  const parts = Object.entries(status.parts).map(([name, part]) => ({ name, ...part }))
  if (status.phase !== 'running') parts.push({ name: 'stack', ready: false, state: status.phase })
  return parts
}

/**
 * Whether everything the product starts is ready to serve, and in words what is not yet:
 * the database and the node answer, the indexer follows the head live, and (under `npm start`)
 * the stack's own parts, such as the example network, serve. `/api/health` stays the liveness
 * of the dependencies; this is the start's progress.
 * @example (await checkReadiness(ctx)).waiting // ['indexer: backfilling, block 120 of 400']
 */
export async function checkReadiness({
  db,
  chain,
  stackStatusFile,
}: CheckReadinessParameters): Promise<Readiness> {
  const [[database, head], indexer, stack] = await Promise.all([
    probeDependencies({ db, chain }),
    readIndexerStatus({ db, chain }).catch(() => null),
    stackStatusFile ? stackParts(stackStatusFile) : [],
  ])
  const answers = (name: string, part: { ok: boolean; error?: string }): ReadinessPart => ({
    name,
    ready: part.ok,
    state: part.ok ? 'answers' : `does not answer (${part.error ?? 'no reason given'})`,
  })
  const parts = [
    answers('database', database.health),
    answers('chain node', head.health),
    indexerPart(indexer),
    ...stack,
  ]
  const waiting = parts.filter((p) => !p.ready).map((p) => `${p.name}: ${p.state}`)
  return { ready: waiting.length === 0, waiting, parts }
}
