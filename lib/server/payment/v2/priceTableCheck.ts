import { type Address, encodePacked, type Hex, keccak256, type PublicClient } from 'viem'
import { intermediaryV2Abi } from '../../../../contracts/generated'

/** A price table and the first token ID it applies to (until the next one's). */
export type PriceTable = { fromTokenId: bigint; prices: readonly bigint[] }

/** The table of `tokenId` among `tables` (ascending by fromTokenId), or null when none applies. */
export function tableFor(tables: readonly PriceTable[], tokenId: bigint): readonly bigint[] | null {
  let found: readonly bigint[] | null = null
  for (const t of tables) if (t.fromTokenId <= tokenId) found = t.prices
  return found
}

/**
 * The hash IntermediaryV2 keeps of a price table (`PriceTables.hash`: keccak256 of the prices as
 * consecutive 32-byte words, what `pricesHash(version)` answers).
 */
export function pricesHashOf(prices: readonly bigint[]): Hex {
  return keccak256(encodePacked(['uint256[]'], [prices]))
}

/** A token ID the contract signs or redeems at, its price version and that version's hash. */
export type ChainTable = { tokenId: bigint; version: bigint; hash: Hex }

/** What the contract says of a channel's tables at one block. */
export type ChainTables = {
  blockNumber: bigint
  /** The highest token ID assigned at that block: the tables of IDs up to it no longer change. */
  lastTokenId: bigint
  /** The active and the expiring token ID (those that are set) with their version's hash. */
  ids: ChainTable[]
}

/**
 * The channel's active and expiring token IDs, their price versions (`priceVersions()`) and
 * those versions' hashes (`pricesHash`), every call at `blockNumber` so they agree with each
 * other and with the logs read up to that block.
 */
export async function readChainTables(
  client: PublicClient,
  address: string,
  blockNumber: bigint,
): Promise<ChainTables> {
  const at = { address: address as Address, abi: intermediaryV2Abi, blockNumber } as const
  const [active, expiring, versions, lastTokenId] = await Promise.all([
    client.readContract({ ...at, functionName: 'activeTokenId' }),
    client.readContract({ ...at, functionName: 'expiringTokenId' }),
    client.readContract({ ...at, functionName: 'priceVersions' }),
    client.readContract({ ...at, functionName: 'lastTokenId' }),
  ])
  // priceVersions() names the active ID's version first, the expiring one's second, each 0
  // (and meaningless) when that ID is 0, as the getters are (IntermediaryV2State).
  const pairs = [
    { tokenId: active, version: versions[0] },
    { tokenId: expiring, version: versions[1] },
  ].filter((p) => p.tokenId !== 0n)
  const hashes = await Promise.all(
    pairs.map((p) => client.readContract({ ...at, functionName: 'pricesHash', args: [p.version] })),
  )
  return { blockNumber, lastTokenId, ids: pairs.map((p, i) => ({ ...p, hash: hashes[i] as Hex })) }
}

/** A token ID whose table, as the logs gave it, is not the one the contract holds. */
export type Mismatch = ChainTable & { found: Hex | null }

/**
 * The first of the contract's active and expiring IDs whose table among `tables` (ascending,
 * from the logs) does not hash to the contract's hash of its version, or null when all do.
 */
export function mismatchOf(tables: readonly PriceTable[], chain: ChainTables): Mismatch | null {
  for (const id of chain.ids) {
    const prices = tableFor(tables, id.tokenId)
    const found = prices ? pricesHashOf(prices) : null
    if (found !== id.hash) return { ...id, found }
  }
  return null
}
