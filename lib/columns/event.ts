import { z } from 'zod'
import { entity } from './entity'
import { address, bytes, hash, hexList, int, int8, jsonb, seconds, string } from './kinds'

/** The `event` table: an event of the factory or of a channel, decoded. */
export const eventColumns = {
  blockHash: hash('Block hash'),
  logIndex: int('Position of the log in the block'),
  blockNumber: int8('Block number'),
  blockTimestamp: seconds('Block time'),
  txHash: hash('Transaction'),
  txIndex: int('Position of the transaction in the block'),
  address: address('Emitting contract'),
  channel: address('Channel'),
  name: string(z.string().meta({ description: 'Event name' })),
  /** Decoded arguments, JSON-safe (uint256 as decimal strings). */
  args: jsonb(),
  topics: hexList(),
  data: bytes('Data'),
}

/** A stored event. */
export const eventEntity = entity(eventColumns)
