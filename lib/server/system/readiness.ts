import path from 'node:path'
import { withTimeout } from '../../errors'
import { errorText } from '../../errorText'
import type { IndexerStatus, Readiness, ReadinessPart } from '../../system/api'
import type { ServerContext } from '../context'
import { behindReason, migrationStatus } from '../db/migrationStatus'
import { checkKeystoreSecret, KEYSTORE_MISMATCH, KeystoreMismatchError } from '../payment'
import { probeDependencies } from './health'
import { readIndexerStatus } from './indexerStatus'
import { failingChildren, readStackStatus } from './stackStatus'

export type CheckReadinessParameters = Pick<ServerContext, 'db' | 'chain'> & {
  /**
   * The stack's status file (STACK_STATUS_FILE, set by `npm start`). With it this process is
   * the all-in-one stack, whose work includes indexing and the example network: those count.
   * Without it (the web role alone) only the database does; the node and the indexer degrade.
   */
  stackStatusFile?: string
  /** This build's migrations (default `prisma/migrations` under the working directory). */
  migrationsDir?: string
  /** PAYMENT_KEYSTORE_SECRET: when given, it must open the service keys stored in the database. */
  keystoreSecret?: string
}

/**
 * How long one part may take, as the database and node probes (probeDependencies): the parts
 * run at once, so an answer comes within about this, inside a kubelet's `timeoutSeconds: 4`.
 */
const PART_TIMEOUT_MS = 3_000

/** How a dependency's state counts: `required` makes the answer 503, `degrades` only says so. */
type Check = ReadinessPart & { counts: 'required' | 'degrades'; reason?: string }

/**
 * This build's migrations, from the working directory, not from this file: in the Next.js
 * server bundle a module's own URL says nothing about where the build lies.
 */
const DEFAULT_MIGRATIONS_DIR = () => path.join(process.cwd(), 'prisma', 'migrations')

/** Whether the database holds every migration of this build (see migrationStatus()). */
async function migrationsPart({ db }: Pick<ServerContext, 'db'>, dir: string): Promise<Check> {
  const name = 'migrations'
  const status = await withTimeout(migrationStatus({ db, dir }), PART_TIMEOUT_MS, 'The database')
  if (status.missing.length === 0)
    return { name, ready: true, state: `all ${status.total} applied`, counts: 'required' }
  const state = `${status.missing.length} of ${status.total} not applied`
  return { name, ready: false, state, counts: 'required', reason: behindReason(status) }
}

/**
 * Whether the keystore secret opens the service keys stored in the database: an instance whose
 * secret does not (another instance sealed them) cannot sign a token of those services.
 */
async function serviceKeysPart({ db }: Pick<ServerContext, 'db'>, keystoreSecret: string): Promise<Check> {
  const name = 'service keys'
  try {
    await withTimeout(checkKeystoreSecret({ db, keystoreSecret }), PART_TIMEOUT_MS, 'The database')
    return { name, ready: true, state: 'open with PAYMENT_KEYSTORE_SECRET', counts: 'required' }
  } catch (error) {
    if (!(error instanceof KeystoreMismatchError)) throw error
    const state = 'sealed with another PAYMENT_KEYSTORE_SECRET'
    return { name, ready: false, state, counts: 'required', reason: KEYSTORE_MISMATCH }
  }
}

/** The indexer's part: ready once it follows the head live. */
function indexerPart(status: IndexerStatus): ReadinessPart {
  const name = 'indexer'
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

/** The stack's own parts (the example network, processes that keep crashing) and its phase, from the file it writes. */
async function stackParts(file: string): Promise<ReadinessPart[]> {
  const status = await readStackStatus(file)
  if (!status)
    return [{ name: 'stack', ready: false, state: 'has not said how far it is (no status file yet)' }]
  if (!alive(status.pid))
    return [{ name: 'stack', ready: false, state: `not running (process ${status.pid} is gone)` }]
  const parts = Object.entries(status.parts).map(([name, part]) => ({ name, ...part }))
  parts.push(...failingChildren(status))
  if (status.phase !== 'running') parts.push({ name: 'stack', ready: false, state: status.phase })
  return parts
}

/**
 * Whether this process can do its work (GET /api/readyz: 200 when `ready`, else 503), with a
 * sentence per reason in `reasons`. Ready needs the database to answer and to hold every
 * migration of this build ("database is 2 migrations behind; run npm run migrate"). The
 * chain node not answering leaves the web ready but `degraded`: pages from the database and
 * tokens from cached channel state still serve, and taking every web instance out of a load
 * balancer for a node outage would turn a partial outage into a whole one (under `npm start`
 * too: the indexer's own state then says what the outage stops). Under `npm start`
 * (a stack status file) the indexer and the stack's parts count too: that answer is the
 * all-in-one start's progress, which its summary and tests wait for.
 * @example (await checkReadiness(ctx)).reasons // ['database is 1 migration behind; run npm run migrate']
 */
export async function checkReadiness({
  db,
  chain,
  stackStatusFile,
  migrationsDir = DEFAULT_MIGRATIONS_DIR(),
  keystoreSecret,
}: CheckReadinessParameters): Promise<Readiness> {
  const answers = (name: string, part: { ok: boolean; error?: string }, counts: Check['counts']): Check => {
    const state = part.ok ? 'answers' : `does not answer (${part.error ?? 'no reason given'})`
    return { name, ready: part.ok, state, counts }
  }
  const [[database, head], migrations, serviceKeys, indexer, stack] = await Promise.all([
    probeDependencies({ db, chain }),
    migrationsPart({ db }, migrationsDir).catch(
      (error: unknown): Check => answers('migrations', { ok: false, error: errorText(error) }, 'required'),
    ),
    // Unknown while the database does not answer or is not migrated: its own reason says so.
    keystoreSecret ? serviceKeysPart({ db }, keystoreSecret).catch(() => null) : null,
    // Bounded too, so the answer stays within a probe's few seconds; a little longer than the
    // node's own 3 s bound inside it, so a node that hangs still leaves the indexer's state.
    withTimeout(
      readIndexerStatus({ db, chain }, { election: false }),
      PART_TIMEOUT_MS + 500,
      "The indexer's status",
    ).catch(() => null),
    stackStatusFile ? stackParts(stackStatusFile) : [],
  ])
  // What cannot be known while another part fails says so, and gives no reason of its own.
  const unknown = (name: string, why: string): Check => ({
    name,
    ready: false,
    state: `unknown while ${why}`,
    counts: 'degrades',
    reason: '',
  })
  const all = stackStatusFile !== undefined
  const checks: Check[] = [
    answers('database', database.health, 'required'),
    database.health.ok ? migrations : unknown('migrations', 'the database does not answer'),
    ...(serviceKeys ? [serviceKeys] : []),
    answers('chain node', head.health, 'degrades'),
    indexer
      ? { ...indexerPart(indexer), counts: all ? 'required' : 'degrades' }
      : !database.health.ok
        ? unknown('indexer', 'the database does not answer')
        : !migrations.ready
          ? unknown('indexer', 'the database is not migrated')
          : {
              name: 'indexer',
              ready: false,
              state: 'its state could not be read',
              counts: all ? 'required' : 'degrades',
            },
    ...stack.map((p): Check => ({ ...p, counts: 'required' })),
  ]
  const failing = checks.filter((c) => !c.ready)
  const ready = failing.every((c) => c.counts === 'degrades')
  const reasons = failing.map((c) => c.reason ?? `${c.name} ${c.state}`).filter((r) => r !== '')
  return {
    ready,
    degraded: ready && failing.length > 0,
    reasons,
    parts: checks.map(({ name, ready, state }) => ({ name, ready, state })),
  }
}
