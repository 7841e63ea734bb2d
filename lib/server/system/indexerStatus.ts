import { isoSeconds } from '../../columns/kinds'
import type { IndexerPhase, IndexerStatus } from '../../system/api'
import type { ServerContext } from '../context'
import { readChainAndIndex } from '../indexedChain'

/** How long without a heartbeat before the indexer counts as stopped (it writes every ~2 s). */
export const STALE_AFTER_MS = 30_000

const iso = (seconds: bigint | null | undefined) =>
  seconds === null || seconds === undefined ? null : isoSeconds(seconds)

/**
 * The indexer's progress for the chain the node serves, with lag against the node's head;
 * `election: false` leaves out who leads (two statements a readiness probe does not read).
 */
export async function readIndexerStatus(
  { db, chain }: Pick<ServerContext, 'db' | 'chain'>,
  { election = true }: { election?: boolean } = {},
): Promise<IndexerStatus> {
  const [{ chainId, head, chainError, state }, elected] = await Promise.all([
    readChainAndIndex({ db, chain }),
    election ? readElection(db) : { leader: null, standbys: 0 },
  ])
  const channels = chainId === null ? 0 : await db.channel.count({ where: { chainId } })

  let phase: IndexerPhase = 'not started'
  if (state) {
    const stale = Date.now() - state.updatedAt.getTime() > STALE_AFTER_MS
    phase = stale ? 'stopped' : state.phase === 'live' ? 'live' : 'backfill'
  }
  const cursor = state?.cursorNumber ?? null
  const lag =
    head && cursor !== null
      ? {
          blocks: (head.number > cursor ? head.number - cursor : 0n).toString(),
          seconds:
            state?.cursorTimestamp !== null && state?.cursorTimestamp !== undefined
              ? Math.max(0, Number(head.timestamp - state.cursorTimestamp))
              : 0,
        }
      : null
  return {
    chainId,
    chainHead: head ? { number: head.number.toString(), time: iso(head.timestamp)! } : null,
    indexedHead:
      state && cursor !== null
        ? { number: cursor.toString(), hash: state.cursorHash ?? '', time: iso(state.cursorTimestamp) }
        : null,
    lag,
    phase,
    eventsIndexed: (state?.eventsIndexed ?? 0n).toString(),
    channels: channels.toString(),
    reorgs: state?.reorgs ?? 0,
    resets: state?.resets ?? 0,
    lastError:
      state?.lastError && state.lastErrorAt
        ? { message: state.lastError, at: state.lastErrorAt.toISOString() }
        : null,
    updatedAt: state?.updatedAt.toISOString() ?? null,
    factory: state ? { address: state.factoryAddress, block: state.factoryBlock.toString() } : null,
    ...(chainError ? { chainError } : {}),
    ...elected,
  }
}

/**
 * Who leads the indexers of this database (indexer/lease.ts) and how many stand by, by
 * Postgres's clock (the one the lease itself runs on, not this process's).
 */
async function readElection(db: ServerContext['db']): Promise<Pick<IndexerStatus, 'leader' | 'standbys'>> {
  const [leases, instances] = await Promise.all([
    db.$queryRaw<
      { holder: string; host: string | null; pid: number | null; epoch: bigint; since: Date; age: number }[]
    >`SELECT "holder", "host", "pid", "epoch", "acquired_at" AS "since",
        EXTRACT(EPOCH FROM now() - "renewed_at")::float8 AS "age"
      FROM "indexer_lease" WHERE "name" = 'indexer' AND "expires_at" > now()`,
    db.$queryRaw<{ standbys: number }[]>`SELECT count(*)::int AS "standbys" FROM "indexer_instance"
      WHERE "role" = 'standby' AND "expires_at" > now()`,
  ])
  const lease = leases[0]
  return {
    leader: lease
      ? {
          instance: lease.holder,
          host: lease.host,
          pid: lease.pid,
          epoch: lease.epoch.toString(),
          since: lease.since.toISOString(),
          heartbeatAgeSeconds: Math.max(0, Math.round(lease.age * 10) / 10),
        }
      : null,
    standbys: instances[0]?.standbys ?? 0,
  }
}
