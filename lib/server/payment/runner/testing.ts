import type { Address, Hex } from 'viem'
import { intermediaryAbi } from '../../../../contracts/generated'
import type { TestPayment } from '../../../../test/kit/payment'
import type { ChannelTestbed } from '../../../../test/kit/testbed'
import { bigintOf } from '../../../columns/kinds'
import type { ChannelRecord } from '../channels'

/*
 * Helpers of the runner's suites that keep transactions in flight on anvil and lose them:
 * automine off, drop from the mempool, reorg, snapshot and revert; and reads of what the
 * runner recorded (payment_sent_tx, payment_accepted) and what the chain holds.
 */

/** anvil's controls over the testbed's chain. */
export function chainControls(testbed: ChannelTestbed) {
  const { testClient, publicClient } = testbed
  return {
    /** Mines at once on every transaction (anvil's default), or only on `mine()`. */
    automine: (on: boolean) => testClient.setAutomine(on),
    /** Removes a transaction from the mempool: the node forgets it. */
    drop: (hash: Hex) => testClient.dropTransaction({ hash }),
    mine: (blocks = 1) => testClient.mine({ blocks }),
    /**
     * Replaces the newest `depth` blocks with as many empty ones (`anvil_reorg`): their
     * transactions leave the chain and the mempool.
     */
    reorg: (depth: number) =>
      testClient.request({ method: 'anvil_reorg', params: [depth, []] } as never) as Promise<unknown>,
    /** Sets the blocks' gas limit: a transaction needing more waits in the mempool while blocks are mined. */
    gasLimit: (gas: bigint) => testClient.setBlockGasLimit({ gasLimit: gas }),
    /** The gas limit of the newest block. */
    blockGasLimit: async () => (await publicClient.getBlock({ blockTag: 'latest' })).gasLimit,
    /** A transaction's signed bytes, as the node holds them (to broadcast it again later). */
    rawOf: (hash: Hex) =>
      testClient.request({ method: 'eth_getRawTransactionByHash', params: [hash] } as never) as Promise<Hex>,
    /** Broadcasts signed bytes, as another node that kept the transaction would. */
    broadcast: (raw: Hex) =>
      testClient.request({ method: 'eth_sendRawTransaction', params: [raw] } as never) as Promise<Hex>,
    snapshot: () => testClient.snapshot(),
    revert: (id: Hex) => testClient.revert({ id }),
    head: () => publicClient.getBlockNumber({ cacheTime: 0 }),
    /** The block a mined transaction is in. */
    blockOf: async (hash: Hex) => (await publicClient.getTransactionReceipt({ hash })).blockNumber,
    /** Transactions an account has mined (its next nonce). */
    nonceOf: (address: Address) => publicClient.getTransactionCount({ address, blockTag: 'latest' }),
    /** The channel's Redeemed events on chain now: token ID, requests, amount and transaction. */
    async redemptions(channel: Address) {
      const events = await publicClient.getContractEvents({
        address: channel,
        abi: intermediaryAbi,
        eventName: 'Redeemed',
        fromBlock: 0n,
      })
      return events.map((e) => [e.args.tokenId, e.args.requests, e.args.amount, e.transactionHash])
    },
  }
}

/** A channel's sent transactions as `action status`, oldest first, with their hashes and nonces. */
export async function sentOf(t: TestPayment, channel: ChannelRecord) {
  const rows = await t.server.sent.ofChannel(channel.address)
  return {
    statuses: rows.map((r) => `${r.action} ${r.status}`),
    hashes: rows.map((r) => r.hash),
    nonces: rows.map((r) => r.nonce),
    rows,
  }
}

/** The hash of the channel's newest sent transaction, which must be pending. */
export async function pendingOf(t: TestPayment, channel: ChannelRecord): Promise<Hex> {
  const rows = await t.server.sent.ofChannel(channel.address)
  const last = rows.at(-1)
  if (last?.status !== 'pending') throw new Error(`no pending transaction on ${channel.address}`)
  return last.hash
}

/** What payment_accepted says of a token ID's redemption. */
export async function redemptionOf(t: TestPayment, channel: ChannelRecord, tokenId = 1n) {
  const row = await t.database.db.paymentAccepted.findUniqueOrThrow({
    where: {
      chainId_channel_tokenId: {
        chainId: t.server.chainId,
        channel: channel.address,
        tokenId: tokenId.toString(),
      },
    },
  })
  return {
    tx: row.redeemedTx,
    amount: row.redeemedAmount === null ? null : bigintOf(row.redeemedAmount),
    redeemed: row.redeemedAt !== null,
  }
}

/** The channel's runner bookkeeping: failures and the last error (none after a clean recovery). */
export async function troubleOf(t: TestPayment, channel: ChannelRecord) {
  return t.database.db.paymentChannel.findUniqueOrThrow({
    where: { chainId_address: { chainId: t.server.chainId, address: channel.address } },
    select: { failures: true, lastError: true },
  })
}
