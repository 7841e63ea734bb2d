import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deployFactoryV2, openChannelV2 } from '../../../indexer/v2.fixture'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { type FactoryDeployment, testIndexer } from '../../../test/kit/indexer'
import { type ChannelTestbed, startChannelTestbed } from '../../../test/kit/testbed'
import { channelDetailSchema, channelPageSchema } from '../../explorer/api'
import { createChainClient } from '../chain'
import type { ServerContext } from '../context'
import { getChannel, getTransaction, listChannels } from '.'

/*
 * The explorer's answer for a version 2 channel (real anvil, real indexed Postgres): its
 * version, its active price table with the Payment Server's category names, its price
 * history, and its per-category arrays in the events, readable.
 */

let chain: ChannelTestbed
let database: TestDatabase
let ctx: ServerContext
let named: Address
let unnamed: Address
let factoryV2: FactoryDeployment
const ORIGIN = '0x00000000000000000000000000000000000000AA'

beforeAll(async () => {
  chain = await startChannelTestbed()
  database = await createTestDatabase()
  factoryV2 = await deployFactoryV2(chain)
  const c = await openChannelV2(chain, factoryV2, { prices: [1_000n, 5_000n], value: 100_000n })
  named = c.address
  await c.startRedemption()
  await c.redeem(1n, [1_000n, 5_000n], [3n, 2n])
  await c.startRedemptionWithPrices([2_000n, 7_000n])
  unnamed = (await openChannelV2(chain, factoryV2, { prices: [42n] })).address
  // The Payment Server's row names the categories (the trigger fills channel_category).
  const service = await database.db.paymentService.create({
    data: {
      name: 'alice',
      team: 'team-a',
      address: chain.consumer.address.toLowerCase(),
      keySource: 'env',
      keyEnv: 'ALICE_KEY',
      apiKeyHash: Buffer.alloc(32, 1),
      apiKeyPrefix: 'psk_alice_x',
    },
  })
  await database.db.paymentChannel.create({
    data: {
      consumerServiceId: service.id,
      chainId: chain.chain.id,
      address: named,
      consumer: chain.consumer.address.toLowerCase(),
      provider: chain.provider.address.toLowerCase(),
      costPerRequest: 1_000,
      redemptionTimeout: 60n,
      terminationTimeout: 600n,
      contractVersion: 2,
      categories: ['search', 'render'],
    },
  })
  // No origin for the first category, one for the second (NULL entries: raw SQL, as Prisma's lists have none).
  await database.db.$executeRawUnsafe(
    `UPDATE payment_channel SET category_origins = ARRAY[NULL, $1] WHERE address = $2`,
    ORIGIN,
    named,
  )
  await testIndexer({ chain, db: database.db, factoryV2 }).syncToHead()
  ctx = { db: database.db, chain: createChainClient({ rpcUrl: chain.url }), rpcUrl: chain.url }
}, 120_000)

afterAll(async () => {
  await database?.drop()
  await chain?.stop()
})

describe('explorer: version 2 channels', () => {
  it('getChannel() answers the version, the active prices by category name and the price history', async () => {
    const detail = channelDetailSchema.parse(await getChannel(ctx, named))
    expect(detail.channel).toMatchObject({
      contractVersion: '2',
      prices: ['2000', '7000'],
      costPerRequest: '2000',
      totalRequests: '5',
      totalRedeemed: '13000',
    })
    // Token 1 redeemed 3 and 2 requests at the opening prices: what each category was paid.
    expect(detail.pricing?.categories).toEqual([
      {
        category: 0,
        name: 'search',
        named: true,
        origin: null,
        price: '2000',
        redeemedAmount: '3000',
        redeemedRequests: '3',
      },
      {
        category: 1,
        name: 'render',
        named: true,
        origin: ORIGIN.toLowerCase(),
        price: '7000',
        redeemedAmount: '10000',
        redeemedRequests: '2',
      },
    ])
    expect(detail.pricing?.history.map((h) => [h.fromTokenId, h.version, h.prices])).toEqual([
      ['3', '1', ['2000', '7000']],
      ['1', '0', ['1000', '5000']],
    ])
    // The Redeemed event's counts and prices per category, as arrays of exact values.
    const redeemed = detail.events.find((e) => e.name === 'Redeemed')
    expect(redeemed?.args.filter((a) => a.name === 'requests' || a.name === 'prices')).toEqual([
      { name: 'requests', type: 'uint256[]', value: ['3', '2'] },
      { name: 'prices', type: 'uint256[]', value: ['1000', '5000'] },
    ])
    // The factory call that opened it is labelled with the v2 factory.
    expect(detail.labels[factoryV2.address]).toMatchObject({ name: 'channel factory v2', kind: 'factory' })
    // Its calls decode with the v2 ABI (the indexer stored them so).
    expect(detail.transactions.map((t) => t.method)).toContain('startRedemptionWithPrices')
    const tx = await getTransaction(
      ctx,
      detail.transactions.find((t) => t.method === 'startRedemptionWithPrices')!.hash,
    )
    expect(tx.transaction.call?.args).toEqual([
      { name: 'prices', type: 'uint256[]', value: ['2000', '7000'] },
    ])
  })

  it('getChannel() names a category without a given name "category N", and a v1 channel has no pricing', async () => {
    const detail = channelDetailSchema.parse(await getChannel(ctx, unnamed))
    expect(detail.pricing?.categories).toEqual([
      {
        category: 0,
        name: 'category 1',
        named: false,
        origin: null,
        price: '42',
        redeemedAmount: '0',
        redeemedRequests: '0',
      },
    ])
    const v1 = await chain.open()
    await testIndexer({ chain, db: database.db, factoryV2 }).syncToHead()
    const v1Detail = channelDetailSchema.parse(await getChannel(ctx, v1))
    expect(v1Detail.pricing).toBeNull()
    expect(v1Detail.channel).toMatchObject({ contractVersion: '1', prices: null })
    const page = channelPageSchema.parse(await listChannels(ctx))
    expect(page.channels.map((c) => [c.address, c.contractVersion])).toEqual(
      expect.arrayContaining([
        [named, '2'],
        [v1, '1'],
      ]),
    )
  })

  it('channel_category follows the Payment Server row: renamed, shortened, origins lowercase', async () => {
    const where = { chainId_address: { chainId: chain.chain.id, address: named } }
    await database.db.paymentChannel.update({
      where,
      data: { categories: ['lookup'], categoryOrigins: [ORIGIN] },
    })
    expect(
      await database.db.channelCategory.findMany({ where: { channel: named }, orderBy: { category: 'asc' } }),
    ).toEqual([
      { chainId: chain.chain.id, channel: named, category: 0, name: 'lookup', origin: ORIGIN.toLowerCase() },
    ])
    await database.db.paymentChannel.update({
      where,
      data: { categories: ['search', 'render'], categoryOrigins: [] },
    })
    const detail = await getChannel(ctx, named)
    expect(detail.pricing?.categories.map((c) => [c.name, c.origin])).toEqual([
      ['search', null],
      ['render', null],
    ])
  })
})
