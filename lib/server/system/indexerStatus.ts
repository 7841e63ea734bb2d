import { isoSeconds } from '../../columns/kinds'
import type { IndexerPhase, IndexerStatus } from '../../system/api'
import type { ServerContext } from '../context'
import { readChainAndIndex } from '../indexedChain'

/** How long without a heartbeat before the indexer counts as stopped (it writes every ~2 s). */
export const STALE_AFTER_MS = 30_000

const iso = (seconds: bigint | null | undefined) =>
  seconds === null || seconds === undefined ? null : isoSeconds(seconds)

/** The indexer's progress for the chain the node serves, with lag against the node's head. */
export async function readIndexerStatus({
  db,
  chain,
}: Pick<ServerContext, 'db' | 'chain'>): Promise<IndexerStatus> {
  const { chainId, head, chainError, state } = await readChainAndIndex({ db, chain })
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
  }
}
