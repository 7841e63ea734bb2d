import { type Address, type PublicClient, parseEventLogs } from 'viem'
import { intermediaryFactoryAbi, intermediaryFactoryV2Abi } from '../../../contracts/generated'
import { ConflictError, DependencyError } from '../../errors'
import type { ChannelStateCache } from './channelStateCache'
import type { Service } from './services'
import type { SentTransaction, Wallet } from './wallet'

/** What opening a channel takes (POST /api/payment/channels, ./channelTerms). */
export type OpenChannelParameters = {
  consumer: Service
  provider: Address
  costPerRequest: bigint
  deposit: bigint
  redemptionTimeout: bigint
  terminationTimeout: bigint
  autoFund: { threshold: bigint; amount: bigint } | null
  /**
   * A version 2 channel with these named categories and prices (wei per request); absent: v1.
   * `origin`: the consumer whose requests the category counts (thesis 3.4, ./v2/origins), or null.
   */
  prices?: ReadonlyArray<{ name: string; price: bigint; origin?: Address | null }>
}

/**
 * How the channel registry deploys channels (through the factory of their contract version)
 * and tells a version 2 channel of ours from the chain.
 */
export function channelDeployer({
  chainId,
  client,
  channelStates,
  factory,
  factoryV2,
  wallet,
}: {
  chainId: number
  client: PublicClient
  channelStates: ChannelStateCache
  factory: () => Promise<Address>
  factoryV2: () => Promise<Address | null>
  wallet: Wallet
}) {
  /** Whether `address` is a channel of our IntermediaryFactoryV2 (false when none is deployed). */
  async function isV2Channel(address: Address): Promise<boolean> {
    const v2 = await factoryV2()
    if (!v2) return false
    try {
      return await client.readContract({
        address: v2,
        abi: intermediaryFactoryV2Abi,
        functionName: 'isChannel',
        args: [address],
      })
    } catch (error) {
      throw new DependencyError({
        code: 'chain_unavailable',
        message: 'The chain node did not answer.',
        cause: error,
      })
    }
  }

  /** Deploys a channel through the factory of its version; its address and the open's transaction. */
  async function deploy(
    p: OpenChannelParameters,
  ): Promise<{ address: Address; hash: SentTransaction['hash']; prices?: readonly bigint[] }> {
    if (p.prices) {
      const v2 = await factoryV2()
      if (!v2)
        throw new ConflictError({
          code: 'factory_unknown',
          message: `No IntermediaryFactoryV2 is known on chain ${chainId}: a channel with a price table cannot be opened; let npm start deploy one.`,
          retryable: true,
        })
      const sent = await wallet.send({
        service: p.consumer,
        address: v2,
        abi: intermediaryFactoryV2Abi,
        functionName: 'open',
        args: [p.provider, p.prices.map((c) => c.price), p.redemptionTimeout, p.terminationTimeout],
        value: p.deposit,
        action: 'open',
      })
      const [opened] = parseEventLogs({
        abi: intermediaryFactoryV2Abi,
        eventName: 'ChannelOpened',
        logs: sent.receipt.logs,
      })
      if (!opened) throw new ConflictError({ code: 'open_failed', message: 'The factory opened no channel.' })
      const address = opened.args.channel.toLowerCase() as Address
      channelStates.markV2(address)
      return { address, hash: sent.hash, prices: opened.args.prices }
    }
    const sent = await wallet.send({
      service: p.consumer,
      address: await factory(),
      abi: intermediaryFactoryAbi,
      functionName: 'open',
      args: [p.provider, p.costPerRequest, p.redemptionTimeout, p.terminationTimeout],
      value: p.deposit,
      action: 'open',
    })
    const [opened] = parseEventLogs({
      abi: intermediaryFactoryAbi,
      eventName: 'ChannelOpened',
      logs: sent.receipt.logs,
    })
    if (!opened) throw new ConflictError({ code: 'open_failed', message: 'The factory opened no channel.' })
    return { address: opened.args.channel.toLowerCase() as Address, hash: sent.hash }
  }

  return { deploy, isV2Channel }
}
