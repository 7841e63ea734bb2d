import { type Hex, type PublicClient, TransactionNotFoundError, type TransactionReceipt } from 'viem'
import { blockHashAt, receiptOrNull } from '../../chain'
import { revertedMessage, type SentTransactions, type SentTx } from './sentTransactions'

/** How closely sent transactions are watched; every figure is in blocks. */
export type WatchSettings = {
  /** Mined transactions are checked for reorgs until this deep (default 12). */
  confirmations?: number
  /** A pending transaction the node does not have is dropped after this many blocks (default 3). */
  dropAfterBlocks?: number
  /** One the node has but did not mine is stuck after this many blocks: replace it (default 10). */
  replaceAfterBlocks?: number
}

const WATCH_DEFAULTS = { confirmations: 12, dropAfterBlocks: 3, replaceAfterBlocks: 10 } as const

/** What the watcher's owner does when a transaction's fate is known. */
export type WatchHooks = {
  /** A receipt was found: its bookkeeping (e.g. a redemption's amount). Runs before the status is settled, so it must be idempotent. */
  found(tx: SentTx, receipt: TransactionReceipt): Promise<void>
  /** This watcher settled the transaction as mined or reverted. */
  settled(tx: SentTx, receipt: TransactionReceipt): Promise<void>
  /** A mined transaction's block left the chain and the transaction is in no other block: undo what `found` recorded. */
  reorged(tx: SentTx): Promise<void>
  /** A pending transaction is gone (dropped, or its nonce used by another): decide again. */
  dropped(tx: SentTx, reason: string): Promise<void>
}

/** Where the watch left the pending transactions: those still pending, and those stuck among them. */
export type WatchReport = { pending: SentTx[]; stuck: SentTx[] }

/**
 * Follows the transactions of `payment_sent_tx` without waiting for any: each {@link check}
 * (one per runner round) first looks at the mined ones not yet `confirmations` deep (a block
 * hash that is no longer the chain's means a reorg: the transaction is found in another block,
 * or its bookkeeping is undone and it is pending again), then at the pending ones: a receipt
 * settles one; one the node no longer has is dropped after `dropAfterBlocks`, or at once when
 * its nonce was used by another transaction; one the node has but did not mine for
 * `replaceAfterBlocks` is reported stuck.
 */
export function createTxWatcher({
  client,
  sent,
  settings,
  hooks,
}: {
  client: PublicClient
  sent: SentTransactions
  settings: WatchSettings
  hooks: WatchHooks
}) {
  const { confirmations, dropAfterBlocks, replaceAfterBlocks } = { ...WATCH_DEFAULTS, ...settings }

  const receiptOf = (hash: Hex) => receiptOrNull(client, hash)

  /** Bookkeeping, then the status: a crash in between repeats the (idempotent) bookkeeping. */
  async function settle(tx: SentTx, receipt: TransactionReceipt): Promise<void> {
    await hooks.found(tx, receipt)
    const error = receipt.status === 'success' ? null : revertedMessage(tx)
    if (await sent.settle(tx, receipt, error)) await hooks.settled(tx, receipt)
  }

  async function drop(tx: SentTx, reason: string, status?: 'replaced') {
    if (await sent.drop(tx, reason, status)) await hooks.dropped(tx, reason)
  }

  /** Mined transactions whose block is no longer the chain's block at that height. */
  async function checkReorgs(head: bigint): Promise<void> {
    const canonical = new Map<bigint, Hex | null>()
    const hashAt = async (number: bigint) => {
      if (!canonical.has(number)) canonical.set(number, await blockHashAt(client, number))
      return canonical.get(number)
    }
    for (const tx of await sent.unconfirmed(head - BigInt(confirmations))) {
      if ((await hashAt(tx.blockNumber as bigint)) === tx.blockHash) continue
      const receipt = await receiptOf(tx.hash)
      if (receipt) {
        // Included again in another block: the same transaction, its bookkeeping redone from there.
        await hooks.found(tx, receipt)
        await sent.moved(tx, receipt)
        continue
      }
      // Undo first: a crash before the status moves finds the same reorg again next round.
      await hooks.reorged(tx)
      await sent.reorged(tx, head)
    }
  }

  /** A pending transaction: settled, dropped, or still pending (stuck or not). */
  async function checkPending(tx: SentTx, head: bigint): Promise<'settled' | 'pending' | 'stuck'> {
    const receipt = await receiptOf(tx.hash)
    if (receipt) {
      await settle(tx, receipt)
      return 'settled'
    }
    const onNode = await client.getTransaction({ hash: tx.hash }).catch((error: unknown) => {
      if (error instanceof TransactionNotFoundError) return null
      throw error
    })
    if (onNode) return head >= tx.sentBlock + BigInt(replaceAfterBlocks) ? 'stuck' : 'pending'
    const used = await client.getTransactionCount({ address: tx.account, blockTag: 'latest' })
    if (BigInt(used) > tx.nonce) {
      // Its nonce is used: it can never be mined, unless it was itself mined just now.
      const late = await receiptOf(tx.hash)
      if (late) {
        await settle(tx, late)
        return 'settled'
      }
      // One of ours given up on with this nonce (dropped by this node, mined from another's
      // mempool) may be what used it: settled after all, its bookkeeping done.
      for (const sibling of await sent.givenUpSiblings(tx)) {
        const mined = await receiptOf(sibling.hash)
        if (mined && (await sent.revive(sibling))) await settle({ ...sibling, status: 'pending' }, mined)
      }
      await drop(
        tx,
        `transaction ${tx.hash} was replaced: nonce ${tx.nonce} was used by another transaction.`,
        'replaced',
      )
      return 'settled'
    }
    if (head >= tx.sentBlock + BigInt(dropAfterBlocks)) {
      await drop(
        tx,
        `transaction ${tx.hash} was dropped: the node has not had it for ${head - tx.sentBlock} blocks.`,
      )
      return 'settled'
    }
    return 'pending'
  }

  return {
    /** One look at every watched transaction (see {@link createTxWatcher}). */
    async check(): Promise<WatchReport> {
      const head = await client.getBlockNumber({ cacheTime: 0 })
      await checkReorgs(head)
      const report: WatchReport = { pending: [], stuck: [] }
      for (const tx of await sent.pending()) {
        const outcome = await checkPending(tx, head)
        if (outcome !== 'settled') report.pending.push(tx)
        if (outcome === 'stuck') report.stuck.push(tx)
      }
      return report
    },

    /** One receipt check of a transaction just sent (no waiting): true when it is settled. */
    async follow(tx: SentTx): Promise<boolean> {
      const receipt = await receiptOf(tx.hash)
      if (!receipt) return false
      await settle(tx, receipt)
      return true
    },

    /** Marks a stuck transaction replaced by `by` (a transaction with its nonce and higher fees). */
    async replaced(tx: SentTx, by: Hex): Promise<void> {
      await sent.drop(
        tx,
        `transaction ${tx.hash} was stuck; replaced by ${by} with higher fees.`,
        'replaced',
        by,
      )
    },
  }
}

export type TxWatcher = ReturnType<typeof createTxWatcher>
