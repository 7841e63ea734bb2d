import {
  type Abi,
  type Account,
  type Address,
  getAddress,
  type Hex,
  type LocalAccount,
  parseEventLogs,
  type TransactionReceipt,
} from 'viem'
import { startTestChain } from '../../../test/kit/chain'
import type { Party } from '../../../test/kit/testbed'
import { intermediaryFactoryV2Abi, intermediaryFactoryV2Bytecode, intermediaryV2Abi } from '../../generated'
import { signTokenV2 } from './token'

/*
 * The fixture of the IntermediaryV2 suites (contracts/test/v2/*.test.ts): a fresh anvil with
 * IntermediaryFactoryV2 deployed, a consumer, a provider and a stranger, and helpers to open
 * channels, call them, sign tokens and read their state.
 */

export const PRICES = [1_000n] as const
export const REDEMPTION_TIMEOUT = 60n
export const TERMINATION_TIMEOUT = 600n

/** A v2 channel function that parties call. */
export type V2Function =
  | 'deposit'
  | 'startRedemption'
  | 'startRedemptionWithPrices'
  | 'redeem'
  | 'redeemAndStartRedemption'
  | 'withdraw'
  | 'startTermination'
  | 'terminate'

export type OpenV2 = {
  prices?: readonly bigint[]
  redemptionTimeout?: bigint
  terminationTimeout?: bigint
  /** First deposit in wei (default 1,000,000). */
  value?: bigint
  consumer?: Account
  provider?: Address
}

/** A v2 channel's state as its views report it. */
export type V2State = {
  consumerFunds: bigint
  providerFunds: bigint
  activeTokenId: bigint
  expiringTokenId: bigint
  lastTokenId: bigint
  redeemableAt: bigint
  terminatesAt: bigint
  terminated: boolean
  activeVersion: bigint
  expiringVersion: bigint
}

export type V2Testbed = Awaited<ReturnType<typeof startV2Testbed>>

/** Starts anvil, deploys IntermediaryFactoryV2 and returns the helpers; `stop()` kills anvil. */
export async function startV2Testbed() {
  const chain = await startTestChain()
  const deployed = await chain.mined(
    await chain
      .wallet(chain.accounts[0]!)
      .deployContract({ abi: intermediaryFactoryV2Abi, bytecode: intermediaryFactoryV2Bytecode }),
  )
  const factory = deployed.contractAddress as Address
  const parties: Record<Party, LocalAccount> = {
    consumer: chain.accounts[1]!,
    provider: chain.accounts[2]!,
    stranger: chain.accounts[3]!,
  }

  async function openChannel(p: OpenV2 = {}) {
    const receipt = await chain.mined(
      await chain.wallet(p.consumer ?? parties.consumer).writeContract({
        address: factory,
        abi: intermediaryFactoryV2Abi,
        functionName: 'open',
        args: [
          p.provider ?? parties.provider.address,
          [...(p.prices ?? PRICES)],
          p.redemptionTimeout ?? REDEMPTION_TIMEOUT,
          p.terminationTimeout ?? TERMINATION_TIMEOUT,
        ],
        value: p.value ?? 1_000_000n,
      }),
    )
    const [opened] = parseEventLogs({
      abi: intermediaryFactoryV2Abi,
      logs: receipt.logs,
      eventName: 'ChannelOpened',
    })
    if (!opened) throw new Error('ChannelOpened not emitted')
    return { channel: opened.args.channel.toLowerCase() as Address, receipt }
  }

  /** Calls a channel function and waits for its successful receipt. */
  const send = async (
    account: Account,
    channel: Address,
    functionName: V2Function,
    args: readonly unknown[] = [],
    value?: bigint,
  ) =>
    chain.mined(
      await chain
        .wallet(account)
        .writeContract({ address: channel, abi: intermediaryV2Abi as Abi, functionName, args, value }),
    )

  const read = (channel: Address, functionName: string) =>
    chain.publicClient.readContract({ address: channel, abi: intermediaryV2Abi as Abi, functionName })

  async function state(channel: Address): Promise<V2State> {
    const names = [
      'consumerFunds',
      'providerFunds',
      'activeTokenId',
      'expiringTokenId',
      'lastTokenId',
      'redeemableAt',
      'terminatesAt',
      'terminated',
      'priceVersions',
    ] as const
    const values = await Promise.all(names.map((name) => read(channel, name)))
    const byName = Object.fromEntries(names.map((name, i) => [name, values[i]])) as Record<string, unknown>
    const [activeVersion, expiringVersion] = byName.priceVersions as [bigint, bigint]
    delete byName.priceVersions
    return {
      ...(byName as Omit<V2State, 'activeVersion' | 'expiringVersion'>),
      activeVersion,
      expiringVersion,
    }
  }

  return {
    ...chain,
    factory,
    ...parties,
    parties,
    partyKeys: { consumer: chain.keys[1], provider: chain.keys[2], stranger: chain.keys[3] } as Record<
      Party,
      Hex
    >,
    openChannel,
    open: async (p?: OpenV2) => (await openChannel(p)).channel,
    send,
    state,
    /** The custom error a channel call reverts with, simulated at `time` when given. */
    channelRevert: (
      account: Account,
      channel: Address,
      functionName: V2Function,
      args: readonly unknown[] = [],
      { value, time }: { value?: bigint; time?: bigint } = {},
    ) =>
      chain.revertOf({
        account,
        address: channel,
        abi: intermediaryV2Abi as Abi,
        functionName,
        args,
        value,
        time,
      }),
    /** The consumer's (or `account`'s) v2 token signature for token ID `tokenId` at `prices`. */
    sign: (
      channel: Address,
      tokenId: bigint,
      prices: readonly bigint[],
      requests: readonly bigint[],
      account = parties.consumer,
    ) => signTokenV2({ account, chainId: chain.chain.id, channel, tokenId, prices, requests }),
    /** Starts a redemption (with `prices` when given) and waits until it is redeemable. */
    async startAndWait(channel: Address, prices?: readonly bigint[]) {
      const receipt = prices
        ? await send(parties.provider, channel, 'startRedemptionWithPrices', [[...prices]])
        : await send(parties.provider, channel, 'startRedemption')
      await chain.advanceTime(REDEMPTION_TIMEOUT)
      return receipt
    },
    balance: (address: Address) => chain.publicClient.getBalance({ address }),
    timestampOf: async (receipt: TransactionReceipt) =>
      (await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp,
  }
}

/** The channel's (v2) events in a receipt, in order. */
export function eventsOf(receipt: TransactionReceipt, channel: Address) {
  return parseEventLogs({ abi: intermediaryV2Abi, logs: receipt.logs })
    .filter((log) => log.address.toLowerCase() === channel)
    .map((log) => ({ eventName: log.eventName, args: log.args }))
}

/** The ether a transaction cost its sender in gas. */
export const feeOf = (receipt: TransactionReceipt) => receipt.gasUsed * receipt.effectiveGasPrice

/** An account's address as events carry it (checksummed). */
export const checksum = (a: { address: Address }) => getAddress(a.address)
