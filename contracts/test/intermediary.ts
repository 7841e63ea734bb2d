import {
  type Abi,
  type Address,
  getAddress,
  type LocalAccount,
  parseEventLogs,
  type TransactionReceipt,
} from 'viem'
import { type ChannelFunction, type ChannelTestbed, startChannelTestbed } from '../../test/kit/testbed'
import { intermediaryAbi } from '../generated'

/*
 * The setup shared by the contract suites of Intermediary (Intermediary.*.test.ts, hostile*.test.ts):
 * the channel testbed with the terms they all use, and helpers to read what a transaction did.
 */

export const COST = 1_000n
export const REDEMPTION_TIMEOUT = 60n
export const TERMINATION_TIMEOUT = 600n

/** The channel testbed of the contract suites, with helpers of their own. */
export type IntermediaryTestbed = Awaited<ReturnType<typeof startIntermediaryTestbed>>

/**
 * A channel testbed whose channels cost {@link COST} a request, with {@link REDEMPTION_TIMEOUT}
 * and {@link TERMINATION_TIMEOUT}, and open with 1,000,000 wei unless a call says otherwise.
 */
export async function startIntermediaryTestbed() {
  const t: ChannelTestbed = await startChannelTestbed({
    defaults: {
      costPerRequest: COST,
      redemptionTimeout: REDEMPTION_TIMEOUT,
      terminationTimeout: TERMINATION_TIMEOUT,
      value: 1_000_000n,
    },
  })

  /** Sends a transaction that must revert on chain (gas given, so no estimation stops it first). */
  async function sendReverting(
    account: LocalAccount,
    address: Address,
    functionName: ChannelFunction,
    args: readonly unknown[] = [],
  ) {
    const hash = await t.wallet(account).writeContract({
      address,
      abi: intermediaryAbi as Abi,
      functionName,
      args,
      gas: 300_000n,
    })
    const receipt = await t.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })
    return receipt.status
  }

  /** Starts a redemption of the active token and waits until it is redeemable. */
  async function startAndWait(channel: Address, newTokenId: bigint) {
    const receipt = await t.send(t.provider, channel, 'startRedemption', [newTokenId])
    await t.advanceTime(REDEMPTION_TIMEOUT)
    return receipt
  }

  return {
    ...t,
    sendReverting,
    startAndWait,
    balance: (address: Address) => t.publicClient.getBalance({ address }),
    /** The timestamp of the block that holds `receipt`. */
    timestampOf: async (receipt: TransactionReceipt) =>
      (await t.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp,
  }
}

/** The channel's events in a receipt, in order. */
export function eventsOf(receipt: TransactionReceipt, channel: Address) {
  return parseEventLogs({ abi: intermediaryAbi, logs: receipt.logs })
    .filter((log) => log.address.toLowerCase() === channel)
    .map((log) => ({ eventName: log.eventName, args: log.args }))
}

/** The ether a transaction cost its sender in gas. */
export function feeOf(receipt: TransactionReceipt) {
  return receipt.gasUsed * receipt.effectiveGasPrice
}

/** An account's address as events carry it (checksummed). */
export const checksum = (a: { address: Address }) => getAddress(a.address)
