import { parseEventLogs, type TransactionReceipt } from 'viem'
import { intermediaryAbi, intermediaryV2Abi } from '../../../../contracts/generated'
import { tokenV2Value } from '../../../../packages/payment-client/src/tokenV2'
import type { ChannelState } from '../../../channel'
import { bigintOf } from '../../../columns/kinds'
import type { Db } from '../../db/client'
import type { AcceptanceStore } from '../acceptanceStore'
import type { ChannelAction } from '../channelCalls'
import type { ChannelStateCache } from '../channelStateCache'
import type { ChannelRecord, ChannelRegistry } from '../channels'
import type { AcceptanceStoreV2 } from '../v2/acceptanceStoreV2'
import type { PriceTables } from '../v2/priceTables'
import type { SentTx } from './sentTransactions'

/** Sent actions that redeem a token ID (the watcher records what they paid). */
export const isRedemption = (action: string) => action === 'redeem' || action === 'redeemAndStartRedemption'

/** What a redemption paid, from its receipt's `Redeemed` log of either version (0 when it redeemed nothing). */
export function redeemedAmount(receipt: TransactionReceipt): bigint {
  for (const abi of [intermediaryAbi, intermediaryV2Abi]) {
    const [redeemed] = parseEventLogs({ abi, eventName: 'Redeemed', logs: receipt.logs })
    if (redeemed) return redeemed.args.amount
  }
  return 0n
}

/**
 * The function that starts a redemption: v1 names the next token ID; v2 assigns it, and
 * announces the provider's pending price table for it when there is one.
 */
export function redemptionStart(
  channel: Pick<ChannelRecord, 'contractVersion' | 'pendingPrices'>,
  nextTokenId: bigint,
): { action: ChannelAction; args: readonly unknown[] } {
  if (channel.contractVersion !== 2) return { action: 'startRedemption', args: [nextTokenId] }
  if (channel.pendingPrices) return { action: 'startRedemptionWithPrices', args: [channel.pendingPrices] }
  return { action: 'startRedemption', args: [] }
}

/**
 * The runner's redemptions on channels of either contract version: what a token ID's
 * redemption sends (its best accepted token, acceptance closed first), what the active token ID
 * is worth, and the books of redeemed token IDs, each in the acceptance store of the channel's
 * version (v1: `payment_accepted`, v2: `payment_accepted_v2`).
 */
export function createRedemptions({
  db,
  store,
  storeV2,
  channels,
  priceTables,
}: {
  db: Db
  store: AcceptanceStore
  storeV2?: AcceptanceStoreV2
  channels: ChannelRegistry
  priceTables?: PriceTables
}) {
  const v2Store = (channel: ChannelRecord | null) => (channel?.contractVersion === 2 ? storeV2 : undefined)

  return {
    /**
     * Closes acceptance of `tokenId` (so its best token cannot change after the transaction)
     * and returns the redemption's arguments: v1 `(requests, signature)`, v2 `(requests,
     * prices, signature)`; with nothing accepted, a redemption that closes the ID for nothing.
     */
    async redeemArgs(channel: ChannelRecord, tokenId: bigint): Promise<readonly unknown[]> {
      const v2 = v2Store(channel)
      if (v2) {
        const best = await v2.close(channel.address, tokenId)
        return best ? [best.requests, best.prices, best.signature] : [[], [], '0x']
      }
      const best = await store.close(channel.address, tokenId)
      return [best?.requests ?? 0n, best?.signature ?? '0x']
    },

    /** What the provider accepted of a token ID, as the runner's duties take it (null: nothing). */
    async active(channel: ChannelRecord, tokenId: bigint) {
      const v2 = v2Store(channel)
      if (!v2) return store.accepted(channel.address, tokenId)
      const accepted = await v2.accepted(channel.address, tokenId)
      return accepted && { highest: 0n, value: accepted.value, firstAcceptedAt: accepted.firstAcceptedAt }
    },

    start: redemptionStart,

    /**
     * Books a mined transaction: a redemption's amount; a v2 price announcement clears the
     * provider's pending table when it is the one announced (one set meanwhile stays for the next).
     */
    async found(tx: SentTx, receipt: TransactionReceipt): Promise<void> {
      if (!tx.channel || receipt.status !== 'success') return
      if (tx.action === 'startRedemptionWithPrices') {
        const [announced] = parseEventLogs({
          abi: intermediaryV2Abi,
          eventName: 'PricesAnnounced',
          logs: receipt.logs,
        })
        if (announced)
          await priceTables?.announced(tx.channel, announced.args.fromTokenId, announced.args.prices)
        const channel = await channels.find(tx.channel)
        const pending = channel?.pendingPrices?.join(',')
        if (channel && announced && pending === announced.args.prices.join(','))
          await channels.setPendingPrices(channel, null)
        return
      }
      if (!isRedemption(tx.action) || tx.tokenId === null) return
      const redemption = { tx: tx.hash, amount: redeemedAmount(receipt) }
      const v2 = v2Store(await channels.find(tx.channel))
      await (v2 ?? store).redeemed(tx.channel, tx.tokenId, redemption)
    },

    /**
     * What the consumer was issued of the active and expiring token IDs, for auto-funding: v1
     * as requests (× costPerRequest), v2 as value (each ID's frontier at its prices).
     */
    async issued(
      channel: ChannelRecord,
      state: ChannelState,
    ): Promise<{ issuedRequests: bigint; issuedValue?: bigint }> {
      const where = {
        chainId: channel.chainId,
        channel: channel.address,
        tokenId: { in: [state.activeTokenId.toString(), state.expiringTokenId.toString()] },
      }
      if (channel.contractVersion !== 2) {
        const rows = await db.paymentIssued.findMany({ where })
        return { issuedRequests: rows.reduce((sum, row) => sum + bigintOf(row.requests), 0n) }
      }
      let issuedValue = 0n
      for (const row of await db.paymentIssuedV2.findMany({ where })) {
        const prices = await priceTables?.tableOf(channel.address, bigintOf(row.tokenId))
        issuedValue += tokenV2Value(row.requests.map(bigintOf), prices ?? [])
      }
      return { issuedRequests: 0n, issuedValue }
    },

    /**
     * A price announcement a reorg took out of the chain (or one dropped): the tables of IDs past
     * the chain's last ID (read now) are forgotten, and the provider's pending table comes back (unless
     * it set another meanwhile), so the runner announces it again at its next start.
     */
    async unannounced(tx: SentTx, channelStates: ChannelStateCache): Promise<void> {
      if (!tx.channel || tx.action !== 'startRedemptionWithPrices' || !priceTables) return
      const { state } = await channelStates.get(tx.channel, { maxAgeMs: 0 })
      const prices = await priceTables.unannounced(tx.channel, state.lastTokenId)
      const channel = await channels.find(tx.channel)
      if (channel && prices && !channel.pendingPrices) await channels.setPendingPrices(channel, prices)
    },

    /** Forgets a redemption a reorg took out of the chain. */
    async unredeemed(tx: SentTx): Promise<void> {
      if (!tx.channel || tx.tokenId === null) return
      const v2 = v2Store(await channels.find(tx.channel))
      await (v2 ?? store).unredeemed(tx.channel, tx.tokenId, tx.hash)
    },
  }
}

export type Redemptions = ReturnType<typeof createRedemptions>
