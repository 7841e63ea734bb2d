import {
  type Abi,
  type Account,
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  type Hex,
  http,
  parseEventLogs,
  publicActions,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { intermediaryFactoryAbi, intermediaryFactoryBytecode } from '../../contracts/generated'
import { contractErrorOf } from '../../lib/contractErrors'
import { ANVIL_KEYS, type Anvil, startAnvil } from '../../stack/anvil'

/** The terms and first deposit of a channel `openChannel()` opens when a call does not say. */
export const CHANNEL_DEFAULTS = {
  costPerRequest: 1_000n,
  redemptionTimeout: 60n,
  terminationTimeout: 600n,
  /** The first deposit, in wei. */
  value: 0n,
}

/** A fresh anvil with viem clients and dev accounts; `stop()` kills it. */
export async function startTestChain(options: { chainId?: number } = {}) {
  const anvil: Anvil = await startAnvil({ chainId: options.chainId })
  const chain = { ...foundry, id: options.chainId ?? foundry.id, rpcUrls: { default: { http: [anvil.url] } } }
  const transport = http(anvil.url)
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0, pollingInterval: 50 })
  const testClient = createTestClient({ chain, transport, mode: 'anvil' }).extend(publicActions)
  const accounts = ANVIL_KEYS.map((key) => privateKeyToAccount(key))
  const wallet = (account: Account) => createWalletClient({ chain, transport, account, pollingInterval: 50 })

  /** Waits for a transaction and throws when it reverted. */
  async function mined(hash: Hex) {
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
    return receipt
  }

  type Call = {
    account: Account
    address: Address
    abi: Abi
    functionName: string
    args?: readonly unknown[]
    value?: bigint
    /** Block timestamp to simulate at (default: the next block's). */
    time?: bigint
  }

  /**
   * The custom error (name and arguments) a simulated call reverts with, or null when it would
   * succeed; anything that is not one of the project's contract errors is rethrown.
   */
  async function errorOf({ time, ...call }: Call): Promise<{ name: string; args: unknown[] } | null> {
    try {
      await publicClient.simulateContract({
        ...call,
        args: call.args ?? [],
        blockOverrides: time === undefined ? undefined : { time },
      } as Parameters<typeof publicClient.simulateContract>[0])
      return null
    } catch (error) {
      const decoded = contractErrorOf(error)
      if (!decoded) throw error
      return { name: decoded.name, args: [...decoded.args] }
    }
  }

  /** Like {@link errorOf}, but the call must revert. */
  async function revertOf(call: Call): Promise<{ name: string; args: unknown[] }> {
    const error = await errorOf(call)
    if (!error) throw new Error(`${call.functionName} did not revert`)
    return error
  }

  async function deployFactory(deployer = accounts[0]!): Promise<Address> {
    const hash = await wallet(deployer).deployContract({
      abi: intermediaryFactoryAbi,
      bytecode: intermediaryFactoryBytecode,
    })
    const receipt = await mined(hash)
    if (!receipt.contractAddress) throw new Error('factory not deployed')
    return receipt.contractAddress
  }

  type OpenChannel = {
    factory: Address
    consumer: Account
    provider: Address
    costPerRequest?: bigint
    redemptionTimeout?: bigint
    terminationTimeout?: bigint
    value?: bigint
  }

  /** Opens a channel through the factory and returns its address and the receipt ({@link CHANNEL_DEFAULTS}). */
  async function openChannel(p: OpenChannel) {
    const hash = await wallet(p.consumer).writeContract({
      address: p.factory,
      abi: intermediaryFactoryAbi,
      functionName: 'open',
      args: [
        p.provider,
        p.costPerRequest ?? CHANNEL_DEFAULTS.costPerRequest,
        p.redemptionTimeout ?? CHANNEL_DEFAULTS.redemptionTimeout,
        p.terminationTimeout ?? CHANNEL_DEFAULTS.terminationTimeout,
      ],
      value: p.value ?? CHANNEL_DEFAULTS.value,
    })
    const receipt = await mined(hash)
    const [opened] = parseEventLogs({
      abi: intermediaryFactoryAbi,
      logs: receipt.logs,
      eventName: 'ChannelOpened',
    })
    if (!opened) throw new Error('ChannelOpened not emitted')
    return { channel: opened.args.channel.toLowerCase() as Address, receipt }
  }

  /** Moves anvil's clock forward and mines a block, so `block.timestamp` has advanced. */
  async function advanceTime(seconds: bigint | number) {
    await testClient.increaseTime({ seconds: Number(seconds) })
    await testClient.mine({ blocks: 1 })
  }

  return {
    anvil,
    chain,
    url: anvil.url,
    publicClient,
    testClient,
    accounts,
    keys: ANVIL_KEYS,
    wallet,
    mined,
    errorOf,
    revertOf,
    deployFactory,
    openChannel,
    advanceTime,
    stop: () => anvil.stop(),
  }
}

export type TestChain = Awaited<ReturnType<typeof startTestChain>>
