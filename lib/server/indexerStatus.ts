import type { ServerContext } from './context'
import { readChainHead } from './health'

/** How long without a heartbeat before the indexer counts as stopped (it writes every ~2 s). */
export const STALE_AFTER_MS = 30_000

export type IndexerPhase = 'backfill' | 'live' | 'stopped' | 'not started'

/**
 * What GET /api/status answers. Block numbers and counts are decimal strings (uint256-safe);
 * lags are numbers; times are ISO-8601 UTC.
 */
export type IndexerStatus = {
  chainId: number | null
  /** The node's head, read now (null when the node does not answer). */
  chainHead: { number: string; time: string } | null
  /** The last block whose data is fully indexed. */
  indexedHead: { number: string; hash: string; time: string | null } | null
  lag: { blocks: string; seconds: number } | null
  phase: IndexerPhase
  eventsIndexed: string
  channels: string
  reorgs: number
  resets: number
  lastError: { message: string; at: string } | null
  /** Last write or heartbeat of the indexer process. */
  updatedAt: string | null
  factory: { address: string; block: string } | null
  /** Set when the node does not answer (the rest then comes from the database only). */
  chainError?: string
}

const iso = (seconds: bigint | null | undefined) =>
  seconds === null || seconds === undefined ? null : new Date(Number(seconds) * 1000).toISOString()

/**
 * The chain the node serves (id and head) and the indexer's state for it. Without the node,
 * the chain the database indexed last, and why the node did not answer.
 */
export async function readChainAndIndex({ db, chain }: Pick<ServerContext, 'db' | 'chain'>) {
  let chainId: number | null = null
  let head: { number: bigint; timestamp: bigint } | null = null
  let chainError: string | undefined
  try {
    const [id, block] = await readChainHead(chain)
    chainId = id
    head = { number: block.number, timestamp: block.timestamp }
  } catch (error) {
    chainError = (error as Error).message.split('\n')[0]
  }
  const state =
    chainId !== null
      ? await db.indexerState.findUnique({ where: { chainId } })
      : await db.indexerState.findFirst({ orderBy: { updatedAt: 'desc' } })
  chainId ??= state?.chainId ?? null
  return { chainId, head, chainError, state }
}

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
