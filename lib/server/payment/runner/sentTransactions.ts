import type { Address, Hex, TransactionReceipt } from 'viem'
import { bigintOf } from '../../../columns/kinds'
import type { Db } from '../../db/client'

/** Where a sent transaction stands (`payment_sent_tx.status`). */
export type SentStatus = 'pending' | 'mined' | 'reverted' | 'dropped' | 'replaced'

/** A transaction the Payment Server signed, as `payment_sent_tx` holds it. */
export type SentTx = {
  id: bigint
  hash: Hex
  account: Address
  nonce: bigint
  serviceId: number
  channel: Address | null
  /** The function called: `redeem`, `deposit`, `open`... */
  action: string
  /** The token ID of a `redeem`. */
  tokenId: bigint | null
  maxFeePerGas: bigint | null
  maxPriorityFeePerGas: bigint | null
  status: SentStatus
  sentBlock: bigint
  blockNumber: bigint | null
  blockHash: Hex | null
}

/** What is recorded of a transaction before it is broadcast. */
export type NewSentTx = Omit<SentTx, 'id' | 'status' | 'blockNumber' | 'blockHash'>

type Row = Awaited<ReturnType<Db['paymentSentTx']['findFirstOrThrow']>>
type SentUpdate = Parameters<Db['paymentSentTx']['updateMany']>[0]['data']

const toSent = (row: Row): SentTx => ({
  id: row.id,
  hash: row.hash as Hex,
  account: row.account as Address,
  nonce: row.nonce,
  serviceId: row.serviceId,
  channel: row.channel as Address | null,
  action: row.action,
  tokenId: row.tokenId === null ? null : bigintOf(row.tokenId),
  maxFeePerGas: row.maxFeePerGas === null ? null : bigintOf(row.maxFeePerGas),
  maxPriorityFeePerGas: row.maxPriorityFeePerGas === null ? null : bigintOf(row.maxPriorityFeePerGas),
  status: row.status as SentStatus,
  sentBlock: row.sentBlock,
  blockNumber: row.blockNumber,
  blockHash: row.blockHash as Hex | null,
})

/** What is said of a transaction that reverted (payment_action, last_error, the API's 409). */
export const revertedMessage = (tx: Pick<SentTx, 'action' | 'hash'>) =>
  `${tx.action} reverted in transaction ${tx.hash}.`

const decimal = (value: bigint | null) => (value === null ? null : value.toString())

/**
 * The Payment Server's sent transactions (`payment_sent_tx`) on one chain. A transaction is
 * recorded after it is signed and before it is broadcast; every later change of status is one
 * conditional statement (`WHERE status = <the status it was read in>`), so the runner's watcher
 * and an API call waiting for its own receipt never both take the same step: the one whose
 * update changed a row does the bookkeeping that goes with it. The `payment_action` row of a
 * settled transaction is written in the same database transaction as its status.
 */
export function createSentTransactions({ db, chainId }: { db: Db; chainId: number }) {
  /** Moves `id` from status `from` to `data.status`; true when this call moved it. */
  async function move(id: bigint, from: SentStatus, data: SentUpdate) {
    const { count } = await db.paymentSentTx.updateMany({
      where: { id, status: from },
      data: { ...data, updatedAt: new Date() },
    })
    return count === 1
  }

  /**
   * Ends a pending transaction as `status` (with `data`) and writes its `payment_action` row,
   * in one database transaction; false when someone else ended it first.
   */
  function end(tx: SentTx, status: SentStatus, error: string | null, data: SentUpdate): Promise<boolean> {
    return db.$transaction(async (t) => {
      const { count } = await t.paymentSentTx.updateMany({
        where: { id: tx.id, status: 'pending' },
        data: { ...data, status, updatedAt: new Date() },
      })
      if (count === 0) return false
      await t.paymentAction.create({
        data: {
          chainId,
          channel: tx.channel,
          serviceId: tx.serviceId,
          action: tx.action,
          txHash: tx.hash,
          status,
          error,
        },
      })
      return true
    })
  }
  return {
    /**
     * Records a signed transaction about to be broadcast (status `pending`). Signing the same
     * call with the same nonce and fees again gives the same hash: its row is pending again.
     */
    async record(tx: NewSentTx): Promise<SentTx> {
      const row = await db.paymentSentTx.upsert({
        where: { chainId_hash: { chainId, hash: tx.hash.toLowerCase() } },
        update: {
          status: 'pending',
          blockNumber: null,
          blockHash: null,
          replacedBy: null,
          sentBlock: tx.sentBlock,
          updatedAt: new Date(),
        },
        create: {
          chainId,
          hash: tx.hash.toLowerCase(),
          account: tx.account.toLowerCase(),
          nonce: tx.nonce,
          serviceId: tx.serviceId,
          channel: tx.channel?.toLowerCase() ?? null,
          action: tx.action,
          tokenId: decimal(tx.tokenId),
          maxFeePerGas: decimal(tx.maxFeePerGas),
          maxPriorityFeePerGas: decimal(tx.maxPriorityFeePerGas),
          sentBlock: tx.sentBlock,
        },
      })
      return toSent(row)
    },

    /** Forgets a transaction the node refused outright (it was never in any mempool). */
    async forget(id: bigint): Promise<void> {
      await db.paymentSentTx.deleteMany({ where: { id, status: 'pending' } })
    },

    /**
     * Records a pending transaction's receipt (`mined` or `reverted`, with its block) and its
     * `payment_action` row, atomically; false when someone else settled it first.
     */
    async settle(tx: SentTx, receipt: TransactionReceipt, error: string | null): Promise<boolean> {
      const status = receipt.status === 'success' ? 'mined' : 'reverted'
      return end(tx, status, error, {
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash.toLowerCase(),
      })
    },

    /**
     * A mined transaction whose block left the chain: `pending` again from block `head` (so it
     * has a few blocks to show up again before it counts as dropped); false if it changed meanwhile.
     */
    reorged: (tx: SentTx, head: bigint) =>
      move(tx.id, tx.status, { status: 'pending', blockNumber: null, blockHash: null, sentBlock: head }),

    /** A mined transaction found again in another block (re-included after a reorg). */
    moved: (tx: SentTx, receipt: TransactionReceipt) =>
      move(tx.id, tx.status, {
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash.toLowerCase(),
      }),

    /** A pending transaction the node no longer has: `dropped`, with a `payment_action` row saying why. */
    async drop(tx: SentTx, reason: string, status: 'dropped' | 'replaced' = 'dropped', by?: Hex) {
      return end(tx, status, reason, { replacedBy: by?.toLowerCase() ?? null })
    },

    /** Our other transactions from the same account with the same nonce that were given up on. */
    async givenUpSiblings(tx: SentTx): Promise<SentTx[]> {
      const rows = await db.paymentSentTx.findMany({
        where: {
          chainId,
          account: tx.account,
          nonce: tx.nonce,
          id: { not: tx.id },
          status: { in: ['dropped', 'replaced'] },
        },
        orderBy: { id: 'asc' },
      })
      return rows.map(toSent)
    },

    /** A transaction given up on that was mined after all: `pending` again, to be settled; false if it changed meanwhile. */
    revive: (tx: SentTx) => move(tx.id, tx.status, { status: 'pending', replacedBy: null }),

    /** Pending transactions, oldest first. */
    async pending(): Promise<SentTx[]> {
      const rows = await db.paymentSentTx.findMany({
        where: { chainId, status: 'pending' },
        orderBy: { id: 'asc' },
      })
      return rows.map(toSent)
    },

    /** Mined (or reverted) transactions in blocks after `after`: the ones a reorg may still take. */
    async unconfirmed(after: bigint): Promise<SentTx[]> {
      const rows = await db.paymentSentTx.findMany({
        where: { chainId, status: { in: ['mined', 'reverted'] }, blockNumber: { gt: after } },
        orderBy: { id: 'asc' },
      })
      return rows.map(toSent)
    },

    /** A channel's transactions, oldest first (for tests and views). */
    async ofChannel(channel: Address): Promise<SentTx[]> {
      const rows = await db.paymentSentTx.findMany({
        where: { chainId, channel: channel.toLowerCase() },
        orderBy: { id: 'asc' },
      })
      return rows.map(toSent)
    },

    /** Files an `open`'s transaction under the channel it opened. */
    async fileUnder(hash: Hex, channel: Address): Promise<void> {
      await db.paymentSentTx.updateMany({
        where: { chainId, hash: hash.toLowerCase() },
        data: { channel: channel.toLowerCase() },
      })
    },
  }
}

export type SentTransactions = ReturnType<typeof createSentTransactions>
