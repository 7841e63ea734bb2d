import { type Address, encodePacked, type Hex, keccak256, type LocalAccount, parseEventLogs } from 'viem'
import { expect } from 'vitest'
import {
  intermediaryFactoryV2Abi,
  intermediaryFactoryV2Bytecode,
  intermediaryV2Abi,
} from '../contracts/generated'
import { categoryShares } from '../lib/costs/categories'
import type { Db } from '../lib/server/db/client'
import { signTokenV2Native } from '../lib/server/payment/v2/tokenCryptoV2'
import type { FactoryDeployment } from '../test/kit/indexer'
import type { ChannelTestbed } from '../test/kit/testbed'

/*
 * Version 2 channels for the indexer's tests: an IntermediaryFactoryV2 deployed beside the
 * testbed's v1 factory, channels opened and driven through it with real tokens, and the checks
 * that the index equals the chain (the contract's views) and the events (the rollups).
 */

/** Deploys IntermediaryFactoryV2 (dev account 0) on the testbed's chain. */
export async function deployFactoryV2(chain: ChannelTestbed): Promise<FactoryDeployment> {
  const hash = await chain.wallet(chain.accounts[0]!).deployContract({
    abi: intermediaryFactoryV2Abi,
    bytecode: intermediaryFactoryV2Bytecode,
  })
  const receipt = await chain.mined(hash)
  return { address: receipt.contractAddress!.toLowerCase() as Address, blockNumber: receipt.blockNumber }
}

/** A v2 channel of the testbed's consumer and provider, and its calls. */
export type ChannelV2 = Awaited<ReturnType<typeof openChannelV2>>

/**
 * Opens a v2 channel through `factory` (the testbed's consumer to its provider, 60 s / 600 s
 * timeouts) and returns its calls: each waits for its successful receipt; `redeem` signs the
 * consumer's token for the expiring ID at `prices` (its table) with `requests`.
 */
export async function openChannelV2(
  chain: ChannelTestbed,
  factory: FactoryDeployment,
  {
    prices,
    value = 0n,
    consumer = chain.consumer,
  }: { prices: bigint[]; value?: bigint; consumer?: LocalAccount },
) {
  const provider = chain.provider
  const hash = await chain.wallet(consumer).writeContract({
    address: factory.address,
    abi: intermediaryFactoryV2Abi,
    functionName: 'open',
    args: [provider.address, prices, 60n, 600n],
    value,
  })
  const receipt = await chain.mined(hash)
  const [opened] = parseEventLogs({
    abi: intermediaryFactoryV2Abi,
    logs: receipt.logs,
    eventName: 'ChannelOpened',
  })
  const address = opened!.args.channel.toLowerCase() as Address
  const call = async (
    account: LocalAccount,
    functionName: string,
    args: readonly unknown[] = [],
    v?: bigint,
  ) => {
    const tx = await chain
      .wallet(account)
      .writeContract({ address, abi: intermediaryV2Abi, functionName, args, value: v } as never)
    return chain.mined(tx)
  }
  const consumerKey = chain.keys[chain.accounts.findIndex((a) => a.address === consumer.address)] as Hex
  return {
    address,
    deposit: (amount: bigint) => call(consumer, 'deposit', [], amount),
    startRedemption: () => call(provider, 'startRedemption'),
    startRedemptionWithPrices: (next: bigint[]) => call(provider, 'startRedemptionWithPrices', [next]),
    /** Redeems the expiring token ID with the consumer's token for `requests` at `tablePrices`. */
    async redeem(tokenId: bigint, tablePrices: bigint[], requests: bigint[]) {
      await chain.advanceTime(61)
      const token = signTokenV2Native({
        privateKey: consumerKey,
        chainId: chain.chain.id,
        channel: address,
        tokenId,
        prices: tablePrices,
        requests,
      })
      return call(provider, 'redeem', [requests, tablePrices, token.signature])
    },
    withdraw: () => call(provider, 'withdraw'),
  }
}

/** Reads a v2 channel's state from its views, as the `channel` row should hold it. */
export async function chainStateV2(chain: ChannelTestbed, address: Address) {
  const read = <T>(functionName: string, args: readonly unknown[] = []) =>
    chain.publicClient.readContract({
      address,
      abi: intermediaryV2Abi,
      functionName,
      args,
    } as never) as Promise<T>
  const [active] = await read<readonly [bigint, bigint]>('priceVersions')
  return {
    consumer: (await read<Address>('consumer')).toLowerCase(),
    provider: (await read<Address>('provider')).toLowerCase(),
    redemptionTimeout: await read<bigint>('redemptionTimeout'),
    terminationTimeout: await read<bigint>('terminationTimeout'),
    consumerFunds: await read<bigint>('consumerFunds'),
    providerFunds: await read<bigint>('providerFunds'),
    activeTokenId: await read<bigint>('activeTokenId'),
    expiringTokenId: await read<bigint>('expiringTokenId'),
    redeemableAt: await read<bigint>('redeemableAt'),
    lastTokenId: await read<bigint>('lastTokenId'),
    terminatesAt: await read<bigint>('terminatesAt'),
    terminated: await read<boolean>('terminated'),
    categories: await read<bigint>('categories'),
    /** keccak256 of the active token ID's price table, as the contract keeps it. */
    activePricesHash: await read<Hex>('pricesHash', [active]),
  }
}

/** The hash the contract keeps of a price table (its 32-byte words, packed). */
export const pricesHash = (prices: readonly bigint[]) => keccak256(encodePacked(['uint256[]'], [[...prices]]))

type Row = Record<string, unknown>
const text = (v: unknown) => String(v)

/**
 * Checks the indexed row of a v2 channel against the contract's views: every state field, the
 * active price table (by its hash), and `cost_per_request` as its first price.
 */
export async function expectChannelMatchesChain(db: Db, chain: ChannelTestbed, address: Address) {
  const [row] = await db.$queryRawUnsafe<Row[]>(
    `SELECT *, prices::text[] AS prices FROM channel WHERE chain_id = $1 AND address = $2`,
    chain.chain.id,
    address,
  )
  expect(row, `channel ${address} indexed`).toBeDefined()
  const state = await chainStateV2(chain, address)
  const prices = (row!.prices as string[]).map(BigInt)
  expect({
    consumer: row!.consumer,
    provider: row!.provider,
    redemptionTimeout: text(row!.redemption_timeout),
    terminationTimeout: text(row!.termination_timeout),
    consumerFunds: text(row!.consumer_funds),
    providerFunds: text(row!.provider_funds),
    activeTokenId: text(row!.active_token_id),
    expiringTokenId: text(row!.expiring_token_id),
    redeemableAt: text(row!.redeemable_at),
    lastTokenId: text(row!.last_token_id),
    terminatesAt: text(row!.terminates_at),
    terminated: row!.terminated,
    categories: String(prices.length),
    activePricesHash: pricesHash(prices),
  }).toEqual(
    Object.fromEntries(Object.entries(state).map(([k, v]) => [k, typeof v === 'bigint' ? text(v) : v])),
  )
  expect(row!.contract_version).toBe(2)
  expect(text(row!.cost_per_request)).toBe(text(prices[0]))
  return { row: row!, prices }
}

/** One category rollup row (both tables have these columns). */
export type CategoryRow = {
  channel: string
  category: number
  amount: string
  requests: string
  redemptions: number
}

/** A category rollup's rows summed over buckets, per channel and category. */
export async function categoryTotals(db: Db, table: 'cost_category_hourly' | 'cost_category_daily') {
  return db.$queryRawUnsafe<CategoryRow[]>(
    `SELECT channel, category::int AS category, sum(amount)::text AS amount, sum(requests)::text AS requests,
            sum(redemptions)::int AS redemptions
     FROM ${table} GROUP BY 1, 2 ORDER BY 1, 2`,
  )
}

/** What the category rollups must hold: the indexed v2 Redeemed events split by categoryShares(). */
export async function categoryTotalsFromEvents(db: Db): Promise<CategoryRow[]> {
  const events = await db.$queryRawUnsafe<
    { channel: string; args: { requests: unknown; prices: string[]; amount: string } }[]
  >(`SELECT channel, args FROM event WHERE name = 'Redeemed' ORDER BY channel, block_number, log_index`)
  const sums = new Map<string, CategoryRow>()
  for (const e of events) {
    if (!Array.isArray(e.args.requests)) continue
    const shares = categoryShares(
      (e.args.requests as string[]).map(BigInt),
      e.args.prices.map(BigInt),
      BigInt(e.args.amount),
    )
    for (const s of shares) {
      const key = `${e.channel}/${s.category}`
      const sum = sums.get(key) ?? {
        channel: e.channel,
        category: s.category,
        amount: '0',
        requests: '0',
        redemptions: 0,
      }
      sum.amount = String(BigInt(sum.amount) + s.amount)
      sum.requests = String(BigInt(sum.requests) + s.requests)
      sum.redemptions += 1
      sums.set(key, sum)
    }
  }
  return [...sums.values()].sort((a, b) => a.channel.localeCompare(b.channel) || a.category - b.category)
}

/** Per channel: the total rollup's sums, and the same from the events (v2 requests summed). */
export async function totalsAndEvents(db: Db) {
  const q = (sql: string) => db.$queryRawUnsafe<Row[]>(sql)
  return {
    hourly: await q(
      `SELECT channel, sum(amount)::text AS amount, sum(requests)::text AS requests, sum(redemptions)::int AS redemptions
       FROM cost_hourly GROUP BY 1 ORDER BY 1`,
    ),
    events: await q(
      `SELECT channel, sum((args->>'amount')::numeric)::text AS amount, sum(redeemed_requests(args))::text AS requests,
              count(*)::int AS redemptions
       FROM event WHERE name = 'Redeemed' GROUP BY 1 ORDER BY 1`,
    ),
  }
}
