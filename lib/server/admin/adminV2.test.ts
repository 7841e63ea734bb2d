import { type Address, type Hex, type LocalAccount, parseEventLogs } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  intermediaryFactoryV2Abi,
  intermediaryFactoryV2Bytecode,
  intermediaryV2Abi,
} from '../../../contracts/generated'
import { parseTokenV2, recoverTokenV2Signer, signTokenV2 } from '../../../packages/payment-client/src/tokenV2'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { expectError } from '../../../test/kit/errors'
import { testIndexer } from '../../../test/kit/indexer'
import { type ChannelTestbed, startChannelTestbed } from '../../../test/kit/testbed'
import { categoryNamesTypedData } from '../../admin/categoryNames'
import { priceInputs, priceView } from '../../admin/pricing'
import { tokenRequestTypedData } from '../../admin/tokenRequest'
import { createChainClient } from '../chain'
import type { ServerContext } from '../context'
import { FACTORY_V2_CONTRACT, saveDeployment } from '../deployments'
import { getChannel } from '../explorer'
import { givenNames } from '../payment/givenNames'
import { categoryNamesBody, saveCategoryNames } from './categoryNames'
import { channelSpending } from './channelSpending'
import { redemptionToken, redemptionTokenBody } from './redemptionToken'

/*
 * The wallet admin's server side for version 2 channels, on a real anvil and an indexed
 * Postgres: a v2 channel opened through IntermediaryFactoryV2 with two categories, a token of
 * [3, 1] redeemed, a price change announced; then what the channel page reads (pending prices,
 * the request mix, the runway before and after, to the wei), the provider's token fetch of a v2
 * token, and the names of a fresh channel's categories signed by a party.
 */

const NOW = 4_102_444_800n
const OPENING = [1_000n, 5_000n]
const RAISED = [1_000n, 6_000n]
const DEPOSIT = 1_000_000n

let chain: ChannelTestbed
let database: TestDatabase
let ctx: ServerContext
let chainId: number
let factoryV2: Address
/** The v2 channel with a redemption and a price change; `fresh` is one nobody named yet; `v1` is a v1 channel. */
let channel: Address
let fresh: Address
let v1: Address
let openedAt: bigint

async function openV2(value = 0n): Promise<{ address: Address; block: bigint }> {
  const hash = await chain.wallet(chain.consumer).writeContract({
    address: factoryV2,
    abi: intermediaryFactoryV2Abi,
    functionName: 'open',
    args: [chain.provider.address, OPENING, 60n, 600n],
    value,
  })
  const receipt = await chain.mined(hash)
  const [log] = parseEventLogs({
    abi: intermediaryFactoryV2Abi,
    eventName: 'ChannelOpened',
    logs: receipt.logs,
  })
  return { address: log?.args.channel.toLowerCase() as Address, block: receipt.blockNumber }
}

async function send(account: LocalAccount, functionName: string, args: unknown[] = []) {
  const hash = await chain
    .wallet(account)
    .writeContract({ address: channel, abi: intermediaryV2Abi, functionName, args } as never)
  return chain.mined(hash)
}

beforeAll(async () => {
  chain = await startChannelTestbed()
  database = await createTestDatabase()
  chainId = chain.chain.id
  const hash = await chain.wallet(chain.accounts[0]!).deployContract({
    abi: intermediaryFactoryV2Abi,
    bytecode: intermediaryFactoryV2Bytecode,
  })
  const deployed = await chain.mined(hash)
  factoryV2 = deployed.contractAddress as Address
  const genesis = await chain.publicClient.getBlock({ blockNumber: 0n })
  await saveDeployment({
    db: database.db,
    record: {
      chainId,
      contract: FACTORY_V2_CONTRACT,
      address: factoryV2,
      blockNumber: deployed.blockNumber,
      blockHash: deployed.blockHash,
      txHash: hash,
      genesisHash: genesis.hash,
    },
  })
  const opened = await openV2(DEPOSIT)
  channel = opened.address
  openedAt = (await chain.publicClient.getBlock({ blockNumber: opened.block })).timestamp
  await send(chain.provider, 'startRedemption')
  await chain.advanceTime(61)
  const token = await signTokenV2({
    account: chain.consumer,
    chainId,
    channel,
    tokenId: 1n,
    prices: OPENING,
    requests: [3n, 1n],
  })
  await send(chain.provider, 'redeem', [token.requests, token.prices, token.signature])
  await send(chain.provider, 'startRedemptionWithPrices', [RAISED])
  fresh = (await openV2()).address
  v1 = await chain.open()
  await testIndexer({
    chain,
    db: database.db,
    factoryV2: { address: factoryV2, blockNumber: deployed.blockNumber },
  }).syncToHead()
  ctx = { db: database.db, chain: createChainClient({ rpcUrl: chain.url }), rpcUrl: chain.url }
}, 120_000)

afterAll(async () => {
  await database?.drop()
  await chain?.stop()
})

/** The provider as a service of this Payment Server, and `channel`'s row with a pending table. */
async function paymentRow(pendingPrices: bigint[]) {
  const service = await database.db.paymentService.upsert({
    where: { name: 'bob' },
    create: {
      name: 'bob',
      team: 'team-b',
      address: chain.provider.address.toLowerCase(),
      keySource: 'env',
      keyEnv: 'BOB_KEY',
      apiKeyHash: Buffer.alloc(32, 2),
      apiKeyPrefix: 'psk_bob_x',
    },
    update: {},
  })
  const data = {
    chainId,
    address: channel,
    consumer: chain.consumer.address.toLowerCase(),
    provider: chain.provider.address.toLowerCase(),
    providerServiceId: service.id,
    costPerRequest: '1000',
    redemptionTimeout: 60n,
    terminationTimeout: 600n,
    contractVersion: 2,
    categories: ['small', 'large'],
    pendingPrices: pendingPrices.map(String),
  }
  await database.db.paymentChannel.upsert({
    where: { chainId_address: { chainId, address: channel } },
    create: data,
    update: data,
  })
}

describe('channelSpending', () => {
  it('channelSpending() sums the v2 tokens redeemed per category over the last day, and is null for a v1 channel', async () => {
    const now = openedAt + 3_600n
    expect(await channelSpending(ctx, { chainId, address: channel, now })).toEqual({
      pendingPrices: null,
      mix: { requests: ['3', '1'], seconds: 3_600 },
    })
    expect(await channelSpending(ctx, { chainId, address: v1, now })).toBeNull()
    // A day and more after the redemption: no mix to measure at.
    const later = await channelSpending(ctx, { chainId, address: channel, now: NOW })
    expect(later).toEqual({ pendingPrices: null, mix: null })
  })

  it("the page's runway before and after the announced change is the funds over the mix's value at each table, to the wei", async () => {
    const detail = await getChannel(ctx, channel)
    const spending = await channelSpending(ctx, { chainId, address: channel, now: openedAt + 3_600n })
    if (!detail.pricing || !spending) throw new Error('not a v2 channel in the index')
    const funds = await chain.publicClient.readContract({
      address: channel,
      abi: intermediaryV2Abi,
      functionName: 'consumerFunds',
    })
    expect(funds).toBe(DEPOSIT - 8_000n)
    const view = priceView(priceInputs({ channel: detail.channel, pricing: detail.pricing, spending }))
    expect(view.announced).toEqual({
      kind: 'announced',
      fromTokenId: '3',
      before: { prices: ['1000', '5000'], perHour: '8000', runwaySeconds: Number((funds * 3_600n) / 8_000n) },
      after: { prices: ['1000', '6000'], perHour: '9000', runwaySeconds: Number((funds * 3_600n) / 9_000n) },
    })
  })

  it("channelSpending() reads the table pending on this dashboard's Payment Server", async () => {
    await paymentRow([2_000n, 6_000n])
    const spending = await channelSpending(ctx, { chainId, address: channel, now: NOW })
    expect(spending?.pendingPrices).toEqual(['2000', '6000'])
  })
})

describe('redemptionToken of a version 2 channel', () => {
  it("redemptionToken() hands the provider the maximum accepted counts per category, its ID's prices and the v2 wire token", async () => {
    await paymentRow([])
    const token = await signTokenV2({
      account: chain.consumer,
      chainId,
      channel,
      tokenId: 2n,
      prices: OPENING,
      requests: [1n, 2n],
    })
    await database.db.paymentAcceptedV2.create({
      data: {
        chainId,
        channel,
        tokenId: '2',
        requests: ['1', '2'],
        prices: OPENING.map(String),
        signature: token.signature,
        steps: [],
        accepted: '3',
        lastAcceptedAt: new Date('2099-12-31T23:59:58.000Z'),
      },
    })
    const expiresAt = NOW + 300n
    const sign = (account: LocalAccount) =>
      account.signTypedData(tokenRequestTypedData({ chainId, request: { channel, tokenId: 2n, expiresAt } }))
    const body = async (account: LocalAccount) =>
      redemptionTokenBody.parse({
        tokenId: '2',
        expiresAt: expiresAt.toString(),
        signature: await sign(account),
      })
    const answer = await redemptionToken({ ctx, channel, body: await body(chain.provider), nowSeconds: NOW })
    expect(answer).toMatchObject({
      channel,
      tokenId: '2',
      contractVersion: 2,
      requests: ['1', '2'],
      prices: ['1000', '5000'],
      signature: token.signature,
    })
    const parsed = parseTokenV2(answer.token)
    expect(parsed.token).toEqual({
      channel,
      tokenId: 2n,
      prices: OPENING,
      requests: [1n, 2n],
      signature: token.signature.toLowerCase(),
    })
    expect(await recoverTokenV2Signer(parsed)).toBe(chain.consumer.address)
    await expectError(
      redemptionToken({ ctx, channel, body: await body(chain.consumer), nowSeconds: NOW }),
      403,
      'not_provider',
    )
  })
})

describe('category names', () => {
  async function namesBody(names: string[], account: LocalAccount = chain.consumer, signedChannel = fresh) {
    const expiresAt = NOW + 300n
    const signature: Hex = await account.signTypedData(
      categoryNamesTypedData({ chainId, message: { channel: signedChannel, names, expiresAt } }),
    )
    return categoryNamesBody.parse({ names, expiresAt: expiresAt.toString(), signature })
  }

  it('saveCategoryNames() records the names a party signed, and the Payment Server takes them for the channel', async () => {
    expect(await givenNames({ db: database.db, chainId, channel: fresh, count: 2 })).toEqual(['0', '1'])
    expect(
      await saveCategoryNames({
        ctx,
        channel: fresh,
        body: await namesBody(['small', 'large']),
        nowSeconds: NOW,
      }),
    ).toEqual({
      channel: fresh,
      names: ['small', 'large'],
    })
    const rows = await database.db.channelCategory.findMany({
      where: { chainId, channel: fresh },
      orderBy: { category: 'asc' },
    })
    expect(rows.map((r) => [r.category, r.name])).toEqual([
      [0, 'small'],
      [1, 'large'],
    ])
    // The provider may rename them while the Payment Server has no row of the channel.
    await saveCategoryNames({
      ctx,
      channel: fresh,
      body: await namesBody(['s', 'l'], chain.provider),
      nowSeconds: NOW,
    })
    expect(await givenNames({ db: database.db, chainId, channel: fresh, count: 2 })).toEqual(['s', 'l'])
    expect(await givenNames({ db: database.db, chainId, channel: fresh, count: 3 })).toEqual(['0', '1', '2'])
  })

  it('saveCategoryNames() refuses a stranger, a wrong count, bad names, a v1 channel and a channel the Payment Server named', async () => {
    const run = async (body: Promise<ReturnType<typeof categoryNamesBody.parse>>, address = fresh) =>
      saveCategoryNames({ ctx, channel: address, body: await body, nowSeconds: NOW })
    await expectError(run(namesBody(['a', 'b'], chain.stranger)), 403, 'not_party')
    await expectError(run(namesBody(['a', 'b', 'c'])), 400, 'categories_mismatch')
    await expectError(run(namesBody(['a', 'b'], chain.consumer, v1), v1), 404, 'not_found')
    await paymentRow([])
    await expectError(run(namesBody(['a', 'b'], chain.consumer, channel), channel), 409, 'names_set')
    expect(
      categoryNamesBody.safeParse({ names: ['a', 'a'], expiresAt: '1', signature: `0x${'1'.repeat(130)}` })
        .success,
    ).toBe(false)
    expect(
      categoryNamesBody.safeParse({ names: ['-a'], expiresAt: '1', signature: `0x${'1'.repeat(130)}` })
        .success,
    ).toBe(false)
    const rows = await database.db.channelCategory.findMany({
      where: { chainId, channel: fresh },
      orderBy: { category: 'asc' },
    })
    expect(rows.map((r) => r.name)).toEqual(['s', 'l'])
  })
})
