import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../test/kit/database'
import { memoryLogger, testIndexer } from '../test/kit/indexer'
import { type ChannelTestbed, startChannelTestbed } from '../test/kit/testbed'
import {
  categoryTotals,
  categoryTotalsFromEvents,
  deployFactoryV2,
  expectChannelMatchesChain,
  openChannelV2,
  totalsAndEvents,
} from './v2.fixture'

/*
 * Version 2 channels in the index: a channel's life with a price change, folded into the
 * `channel` row exactly as the contract's views report it; the category rollups equal to the
 * events' values to the wei; v1 and v2 channels side by side; a capped redemption's shares.
 */

let chain: ChannelTestbed
const databases: TestDatabase[] = []
beforeAll(async () => {
  chain = await startChannelTestbed()
}, 60_000)
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()))
  await chain?.stop()
})

async function database() {
  const d = await createTestDatabase()
  databases.push(d)
  return d.db
}

const SMALL = 1_000n
const LARGE = 5_000n

describe('indexer with version 2 channels', () => {
  it('syncToHead() indexes a v2 channel through a price change as the contract reports it, rollups by category to the wei', async () => {
    const db = await database()
    const factoryV2 = await deployFactoryV2(chain)
    // A v1 channel beside it: both factories are followed.
    const v1 = await chain.open({ value: 50_000n })
    const c = await openChannelV2(chain, factoryV2, { prices: [SMALL, LARGE], value: 100_000n })
    await c.deposit(20_000n)
    await c.startRedemption()
    await c.redeem(1n, [SMALL, LARGE], [3n, 2n]) // 3,000 + 10,000
    await c.startRedemptionWithPrices([2_000n, 7_000n]) // token 3 at the new prices
    const indexer = testIndexer({ chain, db, factoryV2 })
    await indexer.syncToHead()
    // Mid-way: token 2 (old prices) is expiring, token 3 is active at the new table.
    const mid = await expectChannelMatchesChain(db, chain, c.address)
    expect(mid.prices).toEqual([2_000n, 7_000n])

    await c.redeem(2n, [SMALL, LARGE], [1n, 0n]) // 1,000
    await c.startRedemption()
    await c.redeem(3n, [2_000n, 7_000n], [4n, 5n]) // 8,000 + 35,000
    await c.withdraw()
    await indexer.syncToHead()

    const { row } = await expectChannelMatchesChain(db, chain, c.address)
    expect(String(row.total_redeemed)).toBe(String(13_000 + 1_000 + 43_000))
    expect(String(row.total_requests)).toBe(String(5 + 1 + 9))
    expect(row.redemptions).toBe(3)
    const [v1Row] = await db.$queryRawUnsafe<{ contract_version: number; prices: unknown }[]>(
      `SELECT contract_version, prices FROM channel WHERE address = $1`,
      v1,
    )
    expect(v1Row).toEqual({ contract_version: 1, prices: null })

    // The price history: the opening table (token 1) and the change (token 3).
    const announced = await db.$queryRawUnsafe<{ args: unknown }[]>(
      `SELECT args FROM event WHERE channel = $1 AND name = 'PricesAnnounced' ORDER BY block_number, log_index`,
      c.address,
    )
    expect(announced.map((e) => e.args)).toEqual([
      { fromTokenId: '1', version: '0', prices: ['1000', '5000'] },
      { fromTokenId: '3', version: '1', prices: ['2000', '7000'] },
    ])

    const expected = [
      { channel: c.address, category: 0, amount: '12000', requests: '8', redemptions: 3 },
      { channel: c.address, category: 1, amount: '45000', requests: '7', redemptions: 2 },
    ]
    expect(await categoryTotalsFromEvents(db)).toEqual(expected)
    expect(await categoryTotals(db, 'cost_category_hourly')).toEqual(expected)
    expect(await categoryTotals(db, 'cost_category_daily')).toEqual(expected)
    const totals = await totalsAndEvents(db)
    expect(totals.hourly).toEqual(totals.events)
    expect(totals.hourly.find((t) => t.channel === c.address)).toEqual({
      channel: c.address,
      amount: '57000',
      requests: '15',
      redemptions: 3,
    })
  })

  it('a capped redemption (the consumer short of the value) splits its amount over the categories to the wei', async () => {
    const db = await database()
    const factoryV2 = await deployFactoryV2(chain)
    // 7,777 wei of funds against a token worth 3 × 1,000 + 2 × 5,000 = 13,000.
    const c = await openChannelV2(chain, factoryV2, { prices: [SMALL, LARGE], value: 7_777n })
    await c.startRedemption()
    await c.redeem(1n, [SMALL, LARGE], [3n, 2n])
    await testIndexer({ chain, db, factoryV2 }).syncToHead()
    await expectChannelMatchesChain(db, chain, c.address)
    // floor(7,777 × 3/13) = 1,794; floor(7,777 × 10/13) = 5,982; the 1 wei left to category 1.
    expect(await categoryTotals(db, 'cost_category_hourly')).toEqual([
      { channel: c.address, category: 0, amount: '1794', requests: '3', redemptions: 1 },
      { channel: c.address, category: 1, amount: '5983', requests: '2', redemptions: 1 },
    ])
    expect(await categoryTotalsFromEvents(db)).toEqual(await categoryTotals(db, 'cost_category_daily'))
  })

  it('a reorg that removes a price change rolls back the prices and the category rollups', async () => {
    const db = await database()
    const log = memoryLogger()
    const factoryV2 = await deployFactoryV2(chain)
    const c = await openChannelV2(chain, factoryV2, { prices: [SMALL, LARGE], value: 100_000n })
    await c.startRedemption()
    await c.redeem(1n, [SMALL, LARGE], [3n, 2n])
    const indexer = testIndexer({ chain, db, factoryV2, log })
    await indexer.syncToHead()
    const before = await categoryTotals(db, 'cost_category_hourly')
    const snapshot = await chain.testClient.snapshot()

    // The branch that goes: new prices, and token 2 redeemed at the old ones.
    await c.startRedemptionWithPrices([2_000n, 7_000n])
    await c.redeem(2n, [SMALL, LARGE], [1n, 1n])
    await indexer.syncToHead()
    expect((await expectChannelMatchesChain(db, chain, c.address)).prices).toEqual([2_000n, 7_000n])
    expect(await categoryTotals(db, 'cost_category_hourly')).not.toEqual(before)

    // The branch that stays (longer): a redemption start at unchanged prices.
    await chain.testClient.revert({ id: snapshot })
    await c.startRedemption()
    await chain.testClient.mine({ blocks: 5 })
    await indexer.syncToHead()
    expect(log.lines.filter((l) => l.includes('reorg:'))).toHaveLength(1)
    expect((await expectChannelMatchesChain(db, chain, c.address)).prices).toEqual([SMALL, LARGE])
    expect(await categoryTotals(db, 'cost_category_hourly')).toEqual(before)
    expect(await categoryTotals(db, 'cost_category_daily')).toEqual(before)
    expect(await categoryTotalsFromEvents(db)).toEqual(before)
    const totals = await totalsAndEvents(db)
    expect(totals.hourly).toEqual(totals.events)
  })

  it('a v2 factory found after its block was indexed is followed from its block on, the v1 index below kept', async () => {
    const db = await database()
    const log = memoryLogger()
    const factoryV2 = await deployFactoryV2(chain)
    const c = await openChannelV2(chain, factoryV2, { prices: [SMALL], value: 9_000n })
    let recorded = false
    // Looked for at every round at the head here (2 s apart by default).
    const indexer = testIndexer({
      chain,
      db,
      log,
      factoryV2: () => (recorded ? factoryV2 : null),
      factoryV2CheckMs: 0,
    })
    await indexer.syncToHead()
    expect(await db.channel.count({ where: { address: c.address } })).toBe(0)

    // Recorded by the stack now: the running indexer finds it at the head and adopts it.
    recorded = true
    await indexer.syncToHead()
    expect(log.lines.some((l) => l.includes(`indexing blocks ${factoryV2.blockNumber}..`))).toBe(true)
    await expectChannelMatchesChain(db, chain, c.address)
    const [state] = await db.$queryRawUnsafe<{ factory_v2_address: string; reorgs: number }[]>(
      `SELECT factory_v2_address, reorgs FROM indexer_state`,
    )
    expect(state).toEqual({ factory_v2_address: factoryV2.address, reorgs: 0 })
  })
})
