import type { Address } from 'viem'
import { bigintOf } from '../../columns/kinds'
import type { Db } from '../db/client'

/** A channel the Payment Server works with: its fixed terms and which parties are ours. */
export type ChannelRecord = {
  chainId: number
  address: Address
  consumer: Address
  provider: Address
  consumerServiceId: number | null
  providerServiceId: number | null
  costPerRequest: bigint
  redemptionTimeout: bigint
  terminationTimeout: bigint
  autoFund: { threshold: bigint; amount: bigint } | null
  /** 1: Intermediary (one price, `costPerRequest`); 2: IntermediaryV2 (categories, prices per token ID: ./v2). */
  contractVersion: 1 | 2
  /** v2: the category names, in the contract's order (1 to 8); v1: none. */
  categories: string[]
  /** v2: the price table the provider set for its next redemption start (announced then), or null. */
  pendingPrices: bigint[] | null
  /**
   * v2: per category, the origin consumer whose requests it counts (lowercase address, thesis
   * 3.4, ./v2/origins) or null; one per category (all null when the opener named none).
   */
  origins: Array<Address | null>
}

/** A `payment_channel` row. */
export type Row = Awaited<ReturnType<Db['paymentChannel']['findFirstOrThrow']>>

/** A row's record (numbers as bigint, v2's fields). */
export function toRecord(row: Row): ChannelRecord {
  return {
    chainId: row.chainId,
    address: row.address as Address,
    consumer: row.consumer as Address,
    provider: row.provider as Address,
    consumerServiceId: row.consumerServiceId,
    providerServiceId: row.providerServiceId,
    costPerRequest: bigintOf(row.costPerRequest),
    redemptionTimeout: row.redemptionTimeout,
    terminationTimeout: row.terminationTimeout,
    autoFund:
      row.autoFundThreshold && row.autoFundAmount
        ? { threshold: bigintOf(row.autoFundThreshold), amount: bigintOf(row.autoFundAmount) }
        : null,
    contractVersion: row.contractVersion === 2 ? 2 : 1,
    categories: row.categories,
    pendingPrices: row.pendingPrices.length > 0 ? row.pendingPrices.map(bigintOf) : null,
    origins: row.categories.map((_, i) => {
      const origin = row.categoryOrigins?.[i]
      return origin ? (origin.toLowerCase() as Address) : null
    }),
  }
}

/** Names of a v2 channel's categories when none were given: `0`, `1`, ... */
export const defaultNames = (n: number) => Array.from({ length: n }, (_, i) => String(i))
