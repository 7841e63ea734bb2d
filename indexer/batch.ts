import type { Hex } from 'viem'
import type { IndexedChannel } from '../lib/channelEvents'
import type { blockColumns, recentBlockEntity } from '../lib/columns/block'
import type { DomainOf } from '../lib/columns/entity'
import type { eventColumns } from '../lib/columns/event'
import type { transactionColumns } from '../lib/columns/transaction'

/**
 * What the indexer writes for one range of blocks. The row types are the domain values of the
 * tables' column lists (lib/columns): uint256 as bigint, hashes and addresses lowercase hex.
 */

type BlockRow = DomainOf<typeof blockColumns>

export type RecentRow = DomainOf<typeof recentBlockEntity.columns>

export type TransactionRow = DomainOf<typeof transactionColumns>

export type EventRow = DomainOf<typeof eventColumns>

export type Cursor = { number: bigint; hash: Hex; timestamp: bigint }

export type Batch = {
  blocks: BlockRow[]
  recent: RecentRow[]
  transactions: TransactionRow[]
  events: EventRow[]
  /** Final state of every channel the range changed. */
  channels: IndexedChannel[]
  cursor: Cursor
  head: { number: bigint; timestamp: bigint }
  phase: 'backfill' | 'live'
  /** recent_block rows below this number are dropped (outside the finality window). */
  recentFrom: bigint
}
