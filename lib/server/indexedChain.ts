import { DependencyError, withTimeout } from '../errors'
import { errorText } from '../errorText'
import type { ServerContext } from './context'
import { error } from './http/openapi'

/** How long a read of the node's head may take before the node counts as not answering. */
const HEAD_TIMEOUT_MS = 3_000

/** The node's chain id and head block, bounded by {@link HEAD_TIMEOUT_MS}. */
export function readChainHead(chain: ServerContext['chain']) {
  return withTimeout(
    Promise.all([chain.getChainId(), chain.getBlock({ blockTag: 'latest' })]),
    HEAD_TIMEOUT_MS,
    'The chain node',
  )
}

/**
 * The chain a dashboard request is about, as the node and the index know it. The explorer,
 * costs, labels and admin routes read it; the Payment Server keeps its own channel snapshots.
 */
export type IndexedChain = {
  chainId: number
  /** The node's head; null when the node does not answer. */
  head: { number: bigint; timestamp: bigint } | null
  nodeError: string | null
  /** The channel factory the index follows on this chain, lowercase. */
  factory: string | null
  /** The version 2 factory (IntermediaryFactoryV2) it follows beside it, lowercase; null: none. */
  factoryV2: string | null
  /** The last block whose data is fully indexed. */
  indexed: bigint | null
}

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
    chainError = errorText(error)
  }
  const state =
    chainId !== null
      ? await db.indexerState.findUnique({ where: { chainId } })
      : await db.indexerState.findFirst({ orderBy: { updatedAt: 'desc' } })
  chainId ??= state?.chainId ?? null
  return { chainId, head, chainError, state }
}

/**
 * The chain this request is about: id and head from the node, factory and indexed head from
 * the database. Without the node, the one chain the database indexes (reads then come from
 * the index only); 503 `chain_unavailable` when neither knows.
 */
export async function indexedChain(ctx: Pick<ServerContext, 'db' | 'chain'>): Promise<IndexedChain> {
  const { chainId, head, chainError, state } = await readChainAndIndex(ctx)
  const nodeError = head ? null : (chainError ?? 'The chain node does not answer.')
  if (chainId === null) {
    throw new DependencyError({
      code: 'chain_unavailable',
      message: `The chain node does not answer and nothing is indexed yet (${nodeError}).`,
    })
  }
  return {
    chainId,
    head,
    nodeError,
    factory: state?.factoryAddress.toLowerCase() ?? null,
    factoryV2: state?.factoryV2Address?.toLowerCase() ?? null,
    indexed: state?.cursorNumber ?? null,
  }
}

/** Throws 503 `chain_unavailable` when the answer needs the node and it does not answer. */
export function requireNode(chain: IndexedChain, what: string): void {
  if (chain.head === null) {
    throw new DependencyError({
      code: 'chain_unavailable',
      message: `${what} is not in the index and the chain node does not answer (${chain.nodeError}).`,
    })
  }
}

/** The documented 503 of a route that reads the {@link IndexedChain}. */
export const chainUnavailable = error(
  'The data is not indexed and the chain node does not answer (`chain_unavailable`); retry later',
)
