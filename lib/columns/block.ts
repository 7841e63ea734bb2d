import { entity, omit, pick } from './entity'
import { address, hash, int, int8, nullable, seconds, uint } from './kinds'

/** The `block` table: an indexed block's header. */
export const blockColumns = {
  number: int8('Block number'),
  hash: hash('Block hash'),
  parentHash: hash('Parent block hash'),
  timestamp: seconds('Block time'),
  miner: address('Fee recipient'),
  gasUsed: uint('Gas used'),
  gasLimit: uint('Gas limit'),
  baseFeePerGas: nullable(uint('Base fee per gas in wei')),
  size: int8('Size in bytes'),
  txCount: int('Number of transactions'),
}

/** A stored block. */
export const blockEntity = entity(blockColumns)

/** A block in the explorer's lists (its detail adds the parent hash). */
export const blockSummaryEntity = entity(omit(blockColumns, ['parentHash']))

/** The `recent_block` table: the newest blocks' hashes, for the indexer's parent-hash check. */
export const recentBlockEntity = entity(pick(blockColumns, ['number', 'hash', 'parentHash', 'timestamp']))
