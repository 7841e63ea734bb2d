import type { Abi, Account, Address, Hex, LocalAccount, TransactionReceipt } from 'viem'
import { intermediaryAbi } from '../../contracts/generated'
import { type ChannelState, readChannelState } from '../../lib/channel'
import { signToken } from '../../packages/payment-client/src/token'
import { CHANNEL_DEFAULTS, startTestChain, type TestChain } from './chain'

/** The three parties of a channel test: the channel's two parties and someone outside it. */
export type Party = 'consumer' | 'provider' | 'stranger'

/** A channel function that parties call (the views are read with `state()`). */
export type ChannelFunction =
  | 'deposit'
  | 'startRedemption'
  | 'redeem'
  | 'withdraw'
  | 'startTermination'
  | 'terminate'

/** Terms and first deposit of the channels `openChannel()` opens when a call does not say. */
export type ChannelDefaults = typeof CHANNEL_DEFAULTS

export type ChannelTestbedOptions = {
  chainId?: number
  /** Overrides the defaults of `openChannel()` ({@link CHANNEL_DEFAULTS}: 1,000 wei, 60 s, 600 s, no deposit). */
  defaults?: Partial<ChannelDefaults>
}

/** Like TestChain's `openChannel()` parameters, every one optional (so a testbed is a TestChain). */
export type OpenChannelParameters = Partial<ChannelDefaults> & {
  /** Default: the testbed's factory. */
  factory?: Address
  /** Default: the testbed's consumer. */
  consumer?: Account
  /** Default: the testbed's provider. */
  provider?: Address
}

/** What a channel test works with; see {@link startChannelTestbed}. */
export type ChannelTestbed = TestChain & {
  /** The IntermediaryFactory, deployed by dev account 0. */
  factory: Address
  /** The block the factory was deployed in (where an indexer starts). */
  factoryBlock: bigint
  /** Dev account 1, the consumer of the channels `openChannel()` opens. */
  consumer: LocalAccount
  /** Dev account 2, their provider. */
  provider: LocalAccount
  /** Dev account 3, party to none of them. */
  stranger: LocalAccount
  /** The three accounts by role. */
  parties: Record<Party, LocalAccount>
  /** Their private keys by role (for the native signer). */
  partyKeys: Record<Party, Hex>
  /** The terms `openChannel()` uses when a call does not give them. */
  defaults: ChannelDefaults
  /** Opens a channel through the factory (consumer to provider, the defaults unless given). */
  openChannel(p?: OpenChannelParameters): Promise<{ channel: Address; receipt: TransactionReceipt }>
  /** Like `openChannel()`, the channel's address only. */
  open(p?: OpenChannelParameters): Promise<Address>
  /** Calls a channel function and waits for its successful receipt. */
  send(
    account: Account,
    channel: Address,
    functionName: ChannelFunction,
    args?: readonly unknown[],
    value?: bigint,
  ): Promise<TransactionReceipt>
  /** The custom error (name and arguments) a channel call reverts with, simulated at `time` when given. */
  channelRevert(
    account: Account,
    channel: Address,
    functionName: ChannelFunction,
    args?: readonly unknown[],
    options?: { value?: bigint; time?: bigint },
  ): Promise<{ name: string; args: unknown[] }>
  /** The consumer's (or `account`'s) token signature for a channel on this chain (or `chainId`). */
  sign(
    channel: Address,
    tokenId: bigint,
    requests: bigint,
    account?: LocalAccount,
    chainId?: number,
  ): Promise<Hex>
  /** The channel's state as the contract reports it now. */
  state(channel: Address): Promise<ChannelState>
}

/**
 * The fixture of every contract and anvil suite: a fresh anvil ({@link startTestChain}), the
 * factory deployed on it, a consumer, a provider and a stranger, and helpers to open channels and
 * call them. `stop()` kills the anvil.
 *
 * @example
 * let t: ChannelTestbed
 * beforeAll(async () => { t = await startChannelTestbed({ defaults: { value: 1_000_000n } }) })
 * afterAll(() => t?.stop())
 * it('...', async () => {
 *   const channel = await t.open()
 *   await t.send(t.provider, channel, 'startRedemption', [2n])
 * })
 */
export async function startChannelTestbed(options: ChannelTestbedOptions = {}): Promise<ChannelTestbed> {
  const chain = await startTestChain({ chainId: options.chainId })
  try {
    const factory = await chain.deployFactory()
    // Instant mining: the factory's block is the head until the next transaction.
    const factoryBlock = await chain.publicClient.getBlockNumber()
    const parties: Record<Party, LocalAccount> = {
      consumer: chain.accounts[1]!,
      provider: chain.accounts[2]!,
      stranger: chain.accounts[3]!,
    }
    const partyKeys: Record<Party, Hex> = {
      consumer: chain.keys[1],
      provider: chain.keys[2],
      stranger: chain.keys[3],
    }
    const defaults: ChannelDefaults = { ...CHANNEL_DEFAULTS, ...options.defaults }

    const openChannel = (p: OpenChannelParameters = {}) =>
      chain.openChannel({
        factory: p.factory ?? factory,
        consumer: p.consumer ?? parties.consumer,
        provider: p.provider ?? parties.provider.address,
        costPerRequest: p.costPerRequest ?? defaults.costPerRequest,
        redemptionTimeout: p.redemptionTimeout ?? defaults.redemptionTimeout,
        terminationTimeout: p.terminationTimeout ?? defaults.terminationTimeout,
        value: p.value ?? defaults.value,
      })

    return {
      ...chain,
      factory,
      factoryBlock,
      ...parties,
      parties,
      partyKeys,
      defaults,
      openChannel,
      open: async (p) => (await openChannel(p)).channel,
      send: async (account, channel, functionName, args = [], value) =>
        chain.mined(
          await chain.wallet(account).writeContract({
            address: channel,
            abi: intermediaryAbi as Abi,
            functionName,
            args,
            value,
          }),
        ),
      channelRevert: (account, channel, functionName, args = [], { value, time } = {}) =>
        chain.revertOf({
          account,
          address: channel,
          abi: intermediaryAbi as Abi,
          functionName,
          args,
          value,
          time,
        }),
      sign: async (channel, tokenId, requests, account = parties.consumer, chainId = chain.chain.id) =>
        (await signToken({ account, chainId, channel, tokenId, requests })).signature,
      state: (channel) => readChannelState({ client: chain.publicClient, address: channel }),
    }
  } catch (error) {
    await chain.stop()
    throw error
  }
}
