import type { Hex } from 'viem'
import type { Logger } from '../lib/server/log'
import type { Rpc } from '../lib/server/rpc'
import type { Cursor } from './batch'
import { big } from './rangeToBatch'
import type { Store } from './store'

/**
 * The factories the indexer follows: v1's IntermediaryFactory, and IntermediaryFactoryV2 beside
 * it when the chain has one (version 2 channels). Both are recorded in `indexer_state`; a change
 * of either is handled here (re-index all, or only from the new v2 factory's block).
 */

/** A factory's address (lowercase) and the block it was deployed in. */
export type FactoryRef = { address: Hex; blockNumber: bigint }

/** Waiting on something outside the indexer (factory not deployed yet, ...): reported, retried. */
export class WaitingError extends Error {}

/** `ref` with its address lowercase, once its code and its block are on the node (else a WaitingError). */
export async function deployedFactory(
  rpc: Rpc,
  chainId: number,
  ref: FactoryRef,
  what: 'factory' | 'v2 factory',
): Promise<FactoryRef> {
  const factory = { address: ref.address.toLowerCase() as Hex, blockNumber: ref.blockNumber }
  const [code, deployedIn] = await Promise.all([
    rpc.getCode(factory.address, 'latest'),
    rpc.getBlocks([factory.blockNumber], false),
  ])
  if (code === '0x' || !deployedIn[0]) {
    throw new WaitingError(
      `the ${what} ${factory.address} is not deployed on chain ${chainId} (a reset chain waiting for its redeployment?)`,
    )
  }
  return factory
}

export function sameFactory(a: FactoryRef | null, b: FactoryRef | null): boolean {
  return a === b || (a !== null && b !== null && a.address === b.address && a.blockNumber === b.blockNumber)
}

/** The followed factories: their list, their versions by address, and the first block to index. */
export function followedFactories(v1: FactoryRef, v2: FactoryRef | null) {
  const list = v2 ? [v1, v2] : [v1]
  const versions = new Map<string, 1 | 2>([[v1.address, 1]])
  if (v2) versions.set(v2.address, 2)
  const firstBlock = v2 && v2.blockNumber < v1.blockNumber ? v2.blockNumber : v1.blockNumber
  return { list, versions, firstBlock }
}

/**
 * Follows another v2 factory than the one indexed so far (`was`). The usual case, a first v2
 * factory deployed after v1's: nothing of it can be in blocks before its own, so the index
 * below that block is kept; when the cursor is past it, the index is rolled back to the block
 * before (one transaction, as a reorg's) and indexed again from there with both factories. Any
 * other change (a v2 factory replaced or gone, one older than v1's) re-indexes the chain.
 */
export async function adoptFactoryV2(p: {
  store: Store
  rpc: Rpc
  log: Logger
  chainId: number
  factory: FactoryRef
  was: FactoryRef | null
  now: FactoryRef | null
  cursor: Cursor | null
}): Promise<void> {
  const { store, now, cursor } = p
  const name = (f: FactoryRef | null) => (f ? `${f.address} (block ${f.blockNumber})` : 'none')
  if (p.was !== null || now === null || now.blockNumber <= p.factory.blockNumber) {
    p.log.warn(
      `the v2 factory changed from ${name(p.was)} to ${name(now)}; clearing the indexed data of chain ${p.chainId} and indexing again`,
    )
    await store.clearChain({
      factory: p.factory.address,
      factoryBlock: p.factory.blockNumber,
      factoryV2: now,
      reset: false,
    })
    return
  }
  if (!cursor || cursor.number < now.blockNumber) {
    await store.setFactoryV2(now)
    p.log.info(`following the v2 factory ${name(now)} from its block`)
    return
  }
  const [before] = await p.rpc.getBlocks([now.blockNumber - 1n], false)
  if (!before) throw new WaitingError(`block ${now.blockNumber - 1n} is not on the node; waiting`)
  await store.rollbackTo(
    {
      number: now.blockNumber - 1n,
      hash: before.hash,
      parentHash: before.parentHash,
      timestamp: big(before.timestamp),
    },
    { factoryV2: now },
  )
  p.log.info(
    `following the v2 factory ${name(now)}: indexing blocks ${now.blockNumber}..${cursor.number} again with it`,
  )
}
