import { type Abi, type Address, type Hex, parseEther, parseEventLogs, parseGwei } from 'viem'
import { expect } from 'vitest'
import {
  intermediaryAbi,
  intermediaryFactoryV2Abi,
  intermediaryFactoryV2Bytecode,
  intermediaryV2Abi,
} from '../../../contracts/generated'
import { createTestDatabase } from '../../../test/kit/database'
import { sendCall, testIndexer } from '../../../test/kit/indexer'
import { startChannelTestbed } from '../../../test/kit/testbed'
import { categoryShares } from '../../costs/categories'
import { createChainClient } from '../chain'
import type { ServerContext } from '../context'
import { env } from '../env'
import { signTokenV2Native } from '../payment/v2/tokenCryptoV2'
import { signTokenNative } from '../tokenCrypto'

/*
 * The costs by category suite's fixture (costs.categories.test.ts) on a real anvil, the real
 * indexer (following both factories) and Postgres with migration 0013's rollups: one consumer
 * paying one provider through a version 1 channel and a version 2 channel with two categories
 * whose prices change at a redemption, and a second consumer's underfunded v2 channel (its
 * redemption capped at its funds, its categories unnamed).
 *
 *   v2 (small, large) at (2, 7) gwei: token ID 1 [10, 3] at T1, ID 2 [4, 6] at T2 = T1 + >1 h,
 *      then startRedemptionWithPrices (3, 6) gwei: ID 3 [7, 2] at T3 = T2 + >2 days
 *   v1 at 3 gwei: 5 requests at T1
 *   capped v2 at (2, 7) gwei, 10 gwei deposited: [3, 1] (worth 13 gwei) at T3, pays 10
 *
 * The figures the suite expects are computed from the chain's own Redeemed logs (read by viem)
 * and lib/costs/categories.ts categoryShares, not from the index.
 */

export const GWEI = 10n ** 9n
export const HOUR = 3_600
export const DAY = 86_400
export const NAMES = ['small', 'large'] as const
export const PRICES = [parseGwei('2'), parseGwei('7')] as const
export const NEW_PRICES = [parseGwei('3'), parseGwei('6')] as const
export const V1_PRICE = parseGwei('3')

/** One Redeemed log of a v2 channel as the chain has it, with its block's time and its category shares. */
export type RedeemedLog = {
  channel: Address
  tokenId: bigint
  requests: readonly bigint[]
  prices: readonly bigint[]
  amount: bigint
  shares: bigint[]
  block: bigint
  time: number
}

/** categoryShares() as one share per category index (0 for a category with no requests). */
function sharesByIndex(requests: readonly bigint[], prices: readonly bigint[], amount: bigint): bigint[] {
  const shares = requests.map(() => 0n)
  for (const s of categoryShares(requests, prices, amount)) shares[s.category] = s.amount
  return shares
}

export type CategoriesTestbed = Awaited<ReturnType<typeof startCategoriesTestbed>>

/** The scenario above, redeemed, buried past the finality depth and indexed, with pending tokens. */
export async function startCategoriesTestbed() {
  const chain = await startChannelTestbed()
  let dropDatabase = async () => {}
  try {
    const database = await createTestDatabase()
    dropDatabase = () => database.drop()
    const db = database.db
    const chainId = chain.chain.id
    const [consumer, provider, other] = [chain.accounts[1]!, chain.accounts[2]!, chain.accounts[3]!]
    const [consumerKey, otherKey] = [chain.keys[1]!, chain.keys[3]!]
    const deployed = await chain.mined(
      await chain
        .wallet(chain.accounts[0]!)
        .deployContract({ abi: intermediaryFactoryV2Abi, bytecode: intermediaryFactoryV2Bytecode }),
    )
    const factoryV2 = { address: deployed.contractAddress as Address, blockNumber: deployed.blockNumber }
    /** A successful transaction (v2's ABI unless given). */
    const send = async (p: Parameters<typeof sendCall>[1]) => {
      const receipt = await sendCall(chain, { abi: intermediaryV2Abi as Abi, ...p })
      expect(receipt.status).toBe('success')
      return receipt
    }
    const call = (account: typeof consumer, address: Address, functionName: string, args: unknown[] = []) =>
      send({ account, address, functionName, args })
    const openV2 = async (from: typeof consumer, value: bigint) => {
      // Not sendCall: opening deploys a channel, far more than its 500,000 gas.
      const receipt = await chain.mined(
        await chain.wallet(from).writeContract({
          address: factoryV2.address,
          abi: intermediaryFactoryV2Abi,
          functionName: 'open',
          args: [provider.address, [...PRICES], 60n, 600n],
          value,
        }),
      )
      expect(receipt.status).toBe('success')
      const [opened] = parseEventLogs({
        abi: intermediaryFactoryV2Abi,
        logs: receipt.logs,
        eventName: 'ChannelOpened',
      })
      return opened!.args.channel.toLowerCase() as Address
    }
    const v2 = await openV2(consumer, parseEther('0.01'))
    const capped = await openV2(other, 10n * GWEI)
    const { channel: v1 } = await chain.openChannel({
      consumer,
      provider: provider.address,
      value: parseEther('0.01'),
      costPerRequest: V1_PRICE,
      redemptionTimeout: 60n,
      terminationTimeout: 600n,
    })
    const redeemV2 = (
      channel: Address,
      key: Hex,
      tokenId: bigint,
      prices: readonly bigint[],
      requests: bigint[],
    ) => {
      const token = signTokenV2Native({ privateKey: key, chainId, channel, tokenId, prices, requests })
      return call(provider, channel, 'redeem', [requests, [...prices], token.signature])
    }

    // T1: token ID 1 of the v2 channel and the v1 channel's first token.
    await call(provider, v2, 'startRedemption')
    await send({
      account: provider,
      address: v1,
      abi: intermediaryAbi as Abi,
      functionName: 'startRedemption',
      args: [2n],
    })
    await chain.advanceTime(61)
    await redeemV2(v2, consumerKey, 1n, PRICES, [10n, 3n])
    const v1Token = signTokenNative({
      privateKey: consumerKey,
      chainId,
      channel: v1,
      tokenId: 1n,
      requests: 5n,
    })
    await send({
      account: provider,
      address: v1,
      abi: intermediaryAbi as Abi,
      functionName: 'redeem',
      args: [5n, v1Token.signature],
    })
    await chain.advanceTime(HOUR + 100)
    // T2: ID 2 at the opening prices; ID 3 is announced at the new ones.
    await call(provider, v2, 'startRedemptionWithPrices', [[...NEW_PRICES]])
    await chain.advanceTime(61)
    await redeemV2(v2, consumerKey, 2n, PRICES, [4n, 6n])
    await chain.advanceTime(2 * DAY + 7_300)
    // T3: ID 3 at the new prices; the capped channel's only token.
    await call(provider, v2, 'startRedemption')
    await call(provider, capped, 'startRedemption')
    await chain.advanceTime(61)
    await redeemV2(v2, consumerKey, 3n, NEW_PRICES, [7n, 2n])
    await redeemV2(capped, otherKey, 1n, PRICES, [3n, 1n])
    // Past the finality depth, one second apart (anvil gives blocks mined at once one time).
    await chain.testClient.mine({ blocks: env().INDEXER_FINALITY_DEPTH + 1, interval: 1 })

    // The Payment Server's record of the v2 channel names its categories (channel_category's
    // trigger); it has accepted [2, 1] on the active token ID 4 at the new prices: pending.
    const service = await db.paymentService.create({
      data: {
        name: 'storage',
        team: 'data',
        address: provider.address.toLowerCase(),
        keySource: 'env',
        keyEnv: 'STORAGE_KEY',
        apiKeyHash: Buffer.alloc(32, 7),
        apiKeyPrefix: 'psk_storage_x',
      },
    })
    await db.paymentChannel.create({
      data: {
        providerServiceId: service.id,
        chainId,
        address: v2,
        consumer: consumer.address.toLowerCase(),
        provider: provider.address.toLowerCase(),
        costPerRequest: PRICES[0].toString(),
        redemptionTimeout: 60n,
        terminationTimeout: 600n,
        contractVersion: 2,
        categories: [...NAMES],
      },
    })
    const accepted = (
      tokenId: bigint,
      requests: bigint[],
      prices: readonly bigint[],
      redeemedAt: Date | null,
    ) => ({
      chainId,
      channel: v2,
      tokenId: tokenId.toString(),
      requests: requests.map(String),
      prices: prices.map(String),
      signature: `0x${'11'.repeat(65)}`,
      steps: [],
      redeemedAt,
    })
    await db.paymentAcceptedV2.createMany({
      data: [accepted(4n, [2n, 1n], NEW_PRICES, null), accepted(3n, [7n, 2n], NEW_PRICES, new Date())],
    })

    const indexer = testIndexer({ chain, db, resolveFactoryV2: async () => factoryV2 })
    await indexer.syncToHead()
    const ctx: ServerContext = { db, chain: createChainClient({ rpcUrl: chain.url }), rpcUrl: chain.url }

    /** Every v2 Redeemed log with a token, from the chain, with its shares per category. */
    async function redeemedLogs(): Promise<RedeemedLog[]> {
      const logs = await chain.publicClient.getContractEvents({
        abi: intermediaryV2Abi,
        address: [v2, capped],
        eventName: 'Redeemed',
        fromBlock: 0n,
      })
      return Promise.all(
        logs.map(async (log) => {
          const { tokenId, requests, prices, amount } = log.args as {
            tokenId: bigint
            requests: readonly bigint[]
            prices: readonly bigint[]
            amount: bigint
          }
          const block = await chain.publicClient.getBlock({ blockNumber: log.blockNumber })
          return {
            channel: log.address.toLowerCase() as Address,
            tokenId,
            requests,
            prices,
            amount,
            shares: sharesByIndex(requests, prices, amount),
            block: log.blockNumber,
            time: Number(block.timestamp),
          }
        }),
      )
    }

    /** The v1 channel's Redeemed logs: amount and block time. */
    async function v1Logs() {
      const found = await chain.publicClient.getContractEvents({
        abi: intermediaryAbi,
        address: v1,
        eventName: 'Redeemed',
        fromBlock: 0n,
      })
      return Promise.all(
        found.map(async (log) => ({
          amount: (log.args as { amount: bigint }).amount,
          time: Number((await chain.publicClient.getBlock({ blockNumber: log.blockNumber })).timestamp),
        })),
      )
    }

    /** The v2 channel's PricesAnnounced logs from the chain, with their blocks' times. */
    async function announcedLogs() {
      const logs = await chain.publicClient.getContractEvents({
        abi: intermediaryV2Abi,
        address: v2,
        eventName: 'PricesAnnounced',
        fromBlock: 0n,
      })
      return Promise.all(
        logs.map(async (log) => {
          const block = await chain.publicClient.getBlock({ blockNumber: log.blockNumber })
          const { fromTokenId, version, prices } = log.args as {
            fromTokenId: bigint
            version: bigint
            prices: readonly bigint[]
          }
          return {
            fromTokenId,
            version,
            prices,
            block: log.blockNumber,
            time: Number(block.timestamp),
            tx: log.transactionHash,
          }
        }),
      )
    }

    return {
      chain,
      chainId,
      db,
      ctx,
      indexer,
      consumer: consumer.address.toLowerCase() as Address,
      provider: provider.address.toLowerCase() as Address,
      other: other.address.toLowerCase() as Address,
      ch: { v1, v2, capped },
      redeemedLogs,
      v1Logs,
      announcedLogs,
      stop: async () => {
        await database.drop()
        await chain.stop()
      },
    }
  } catch (error) {
    await Promise.allSettled([dropDatabase(), chain.stop()])
    throw error
  }
}
