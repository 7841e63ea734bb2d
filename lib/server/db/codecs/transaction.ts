import { transactionEntity, txSummaryEntity } from '../../../columns/transaction'
import type { TxSummary } from '../../../explorer/api'
import { sqlTable } from '../codec'
import type { Transaction } from '../generated/client'

/** The `transaction` table in bulk writes. */
export const transactionTable = sqlTable('transaction', transactionEntity)

/** A stored transaction as the explorer's lists show it; `timestamp` is its block's time. */
export function txFromRow(row: Transaction, timestamp: string | null): TxSummary {
  return {
    ...txSummaryEntity.rowToJson(row),
    timestamp,
    method: row.functionName ?? (row.input.length >= 10 ? row.input.slice(0, 10) : null),
  }
}
