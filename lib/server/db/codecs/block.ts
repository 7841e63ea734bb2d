import { blockEntity, blockSummaryEntity, recentBlockEntity } from '../../../columns/block'
import type { BlockSummary } from '../../../explorer/api'
import { sqlTable } from '../codec'
import type { Block } from '../generated/client'

/** The `block` table in bulk writes. */
export const blockTable = sqlTable('block', blockEntity)

/** The `recent_block` table in bulk writes. */
export const recentBlockTable = sqlTable('recent_block', recentBlockEntity)

/** A stored block as the explorer's lists show it. */
export function blockFromRow(row: Block): BlockSummary {
  return blockSummaryEntity.rowToJson(row)
}
