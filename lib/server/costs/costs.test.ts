import fc from 'fast-check'
import { type Address, type Hex, parseEther, parseGwei } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { intermediaryAbi } from '../../../contracts/generated'
import { ANVIL_KEYS } from '../../../stack/anvil'
import { startTestChain, type TestChain } from '../../../test/kit/chain'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { sendCall, testIndexer } from '../../../test/kit/indexer'
import { type CostGraph, costGraphSchema, costSeriesSchema, serviceCostsSchema } from '../../costs/api'
import { costTable, type GroupBy, toCsv } from '../../costs/report'
import { isoTime, type Span, splitWindow } from '../../costs/window'
import { isAppError } from '../../errors'
import { labelEditBody } from '../../services/api'
import { labelEditTypedData } from '../../services/labels'
import { createChainClient } from '../chain'
import type { ServerContext } from '../context'
import type { Db } from '../db/client'
import { env } from '../env'
import { chainView } from '../explorer/shared'
import { labelsFor, saveServiceLabel } from '../services'
import { signTokenNative } from '../tokenCrypto'
import { costGraph, costReport, costSeries, serviceCosts } from '.'

/*
 * The costs feature against a real anvil, the real indexer and a real Postgres (with the
 * rollup triggers of prisma/migrations/0004_costs): the thesis example (section 3.4), where
 * alice and bob call charlie at 10 gwei per request and charlie calls dave at 5 gwei.
 *
 *   alice → charlie: 30 requests = 300 gwei   (redeemed at T1)
 *   bob   → charlie: 10 requests = 100 gwei   (redeemed at T2 = T1 + >1 h)
 *   charlie → dave:  20 requests = 100 gwei   (redeemed at T3 = T2 + >2 days)
 *
 * The redemptions are more than an hour and then more than two days apart, so windows with
 * edges inside hours and days are summed from raw events, the hourly and the daily rollup.
 */

// env() parses process.env once, on first use: set the label admin (anvil account 5) and the
// team admin key before anything in this file calls it (no imported module does at import).
const LABEL_ADMIN = privateKeyToAccount(ANVIL_KEYS[5]).address
const ADMIN_KEY = 'costs-test-admin-key-'.padEnd(40, 'x')
process.env.LABEL_ADMINS = LABEL_ADMIN
process.env.PAYMENT_ADMIN_KEY = ADMIN_KEY

const GWEI = 10n ** 9n
const HOUR = 3_600
const DAY = 86_400
const DEPOSIT = parseEther('0.01')

type Name = 'alice' | 'bob' | 'charlie' | 'dave'
const TEAMS: Record<Name, string> = { alice: 'apps', bob: 'apps', charlie: 'platform', dave: 'storage' }

let chain: TestChain
let database: TestDatabase
let db: Db
let ctx: ServerContext
let factory: Address
let indexer: ReturnType<typeof testIndexer>
const addr = {} as Record<Name, Address>
/** The three channels, by pair. */
const ch = {} as Record<'ac' | 'bc' | 'cd', Address>
/** Block timestamp each channel was opened at. */
const openedAt = {} as Record<'ac' | 'bc' | 'cd', number>
/** Each redemption: channel, block, time, amount, requests. */
type Redemption = { channel: Address; block: bigint; time: number; amount: bigint; requests: bigint }
const redeemed = {} as Record<'ac' | 'bc' | 'cd', Redemption>
const serviceId = {} as Record<Name, number>

async function expectError(promise: Promise<unknown>, status: number, code: string): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (!isAppError(error)) throw error
    expect({ status: error.status, code: error.code }).toEqual({ status, code })
    expect(error.message).toMatch(/^.{10,}\.$/s)
    return error.message
  }
  throw new Error(`expected a ${status} ${code}`)
}

/** The newest indexed block and its time: the costs' "now". */
async function indexedHead(): Promise<{ block: bigint; now: number }> {
  const state = await db.indexerState.findUniqueOrThrow({ where: { chainId: chain.chain.id } })
  return { block: state.cursorNumber!, now: Number(state.cursorTimestamp) }
}

const edgeOf = (g: CostGraph, consumer: Name, provider: Name) =>
  g.edges.find((e) => e.consumer === addr[consumer] && e.provider === addr[provider])
const nodeOf = (g: CostGraph, name: Name) => g.nodes.find((n) => n.address === addr[name])

type Query = Pick<Db, '$queryRawUnsafe'>
type RollupRow = {
  chain_id: number
  bucket: string
  channel: string
  amount: string
  requests: string
  redemptions: number
}
const byKey = (rows: RollupRow[]) =>
  [...rows].sort((a, b) =>
    `${a.chain_id}/${a.bucket.padStart(20, '0')}/${a.channel}`.localeCompare(
      `${b.chain_id}/${b.bucket.padStart(20, '0')}/${b.channel}`,
    ),
  )

/** A rollup table as stored. */
async function rollup(q: Query, table: 'cost_hourly' | 'cost_daily'): Promise<RollupRow[]> {
  return byKey(
    await q.$queryRawUnsafe<RollupRow[]>(
      `SELECT chain_id, bucket::text AS bucket, channel, amount::text AS amount, requests::text AS requests, redemptions
       FROM ${table}`,
    ),
  )
}

/** What a rollup must hold: the Redeemed events aggregated afresh. */
async function freshRollup(q: Query, period: number): Promise<RollupRow[]> {
  return byKey(
    await q.$queryRawUnsafe<RollupRow[]>(
      `SELECT chain_id, (block_timestamp - block_timestamp % $1)::text AS bucket, channel,
              sum((args->>'amount')::numeric)::text AS amount, sum((args->>'requests')::numeric)::text AS requests,
              count(*)::int AS redemptions
       FROM event WHERE name = 'Redeemed'
       GROUP BY 1, 2, 3`,
      period,
    ),
  )
}

type ChannelSum = { chain_id: number; channel: string; amount: string; requests: string; redemptions: number }
const sumsSql = (source: string) =>
  `SELECT chain_id, channel, sum(amount)::text AS amount, sum(requests)::text AS requests, sum(redemptions)::int AS redemptions
   FROM (${source}) s GROUP BY chain_id, channel ORDER BY chain_id, channel`
const channelSums = (q: Query, table: 'cost_hourly' | 'cost_daily' | 'event') =>
  q.$queryRawUnsafe<ChannelSum[]>(
    sumsSql(
      table === 'event'
        ? `SELECT chain_id, channel, (args->>'amount')::numeric AS amount, (args->>'requests')::numeric AS requests, 1 AS redemptions
           FROM event WHERE name = 'Redeemed'`
        : `SELECT chain_id, channel, amount, requests, redemptions FROM ${table}`,
    ),
  )

class Rollback extends Error {}
/** Runs `fn` in a transaction that is then rolled back. */
async function rolledBack(fn: (tx: Query & Pick<Db, '$executeRawUnsafe'>) => Promise<void>): Promise<void> {
  await expect(
    db.$transaction(
      async (tx) => {
        await fn(tx)
        throw new Rollback('roll back')
      },
      { timeout: 30_000 },
    ),
  ).rejects.toBeInstanceOf(Rollback)
}

beforeAll(async () => {
  chain = await startTestChain()
  database = await createTestDatabase()
  db = database.db
  const accounts = {
    alice: chain.accounts[1]!,
    bob: chain.accounts[2]!,
    charlie: chain.accounts[3]!,
    dave: chain.accounts[4]!,
  }
  for (const name of Object.keys(accounts) as Name[])
    addr[name] = accounts[name].address.toLowerCase() as Address
  factory = await chain.deployFactory()
  const factoryBlock = await chain.publicClient.getBlockNumber()

  const pairs = {
    ac: { consumer: 'alice', provider: 'charlie', price: parseGwei('10'), requests: 30n, key: chain.keys[1] },
    bc: { consumer: 'bob', provider: 'charlie', price: parseGwei('10'), requests: 10n, key: chain.keys[2] },
    cd: { consumer: 'charlie', provider: 'dave', price: parseGwei('5'), requests: 20n, key: chain.keys[3] },
  } as const
  const keys = Object.keys(pairs) as Array<keyof typeof pairs>
  for (const k of keys) {
    const p = pairs[k]
    const opened = await chain.openChannel({
      factory,
      consumer: accounts[p.consumer],
      provider: accounts[p.provider].address,
      value: DEPOSIT,
      costPerRequest: p.price,
      redemptionTimeout: 60n,
      terminationTimeout: 600n,
    })
    ch[k] = opened.channel
    openedAt[k] = Number(
      (await chain.publicClient.getBlock({ blockNumber: opened.receipt.blockNumber })).timestamp,
    )
  }
  for (const k of keys) {
    const receipt = await sendCall(chain, {
      account: accounts[pairs[k].provider],
      address: ch[k],
      functionName: 'startRedemption',
      args: [2n],
    })
    expect(receipt.status).toBe('success')
  }
  await chain.advanceTime(61)
  // Over an hour between the first two redemptions, over two days before the third.
  const gaps = { ac: 3_700, bc: 2 * DAY + 7_300, cd: 0 }
  for (const k of keys) {
    const p = pairs[k]
    const token = signTokenNative({
      privateKey: p.key,
      chainId: chain.chain.id,
      channel: ch[k],
      tokenId: 1n,
      requests: p.requests,
    })
    const receipt = await sendCall(chain, {
      account: accounts[p.provider],
      address: ch[k],
      functionName: 'redeem',
      args: [p.requests, token.signature],
    })
    expect(receipt.status).toBe('success')
    const block = await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber })
    redeemed[k] = {
      channel: ch[k],
      block: receipt.blockNumber,
      time: Number(block.timestamp),
      amount: p.requests * p.price,
      requests: p.requests,
    }
    if (gaps[k] > 0) await chain.advanceTime(gaps[k])
  }

  // The Payment Server's services; the trigger labels their addresses (dave's given mixed-case).
  for (const [i, name] of (['alice', 'bob', 'charlie', 'dave'] as const).entries()) {
    const created = await db.paymentService.create({
      data: {
        name,
        team: TEAMS[name],
        address: name === 'dave' ? accounts.dave.address : addr[name],
        keySource: 'env',
        keyEnv: `${name.toUpperCase()}_KEY`,
        apiKeyHash: Buffer.alloc(32, i + 1),
        apiKeyPrefix: `psk_${name}_x`,
      },
    })
    serviceId[name] = created.id
  }

  indexer = testIndexer({ chain, db, factory: { address: factory, blockNumber: factoryBlock } })
  await indexer.syncToHead()
  ctx = { db, chain: createChainClient({ rpcUrl: chain.url }), rpcUrl: chain.url }
}, 120_000)

afterAll(async () => {
  await database?.drop()
  await chain?.stop()
})

describe('setup', () => {
  it('labels every Payment Server service through the payment_service trigger', async () => {
    const labels = await db.serviceLabel.findMany({ orderBy: { name: 'asc' } })
    expect(labels).toMatchObject(
      (['alice', 'bob', 'charlie', 'dave'] as const).map((name) => ({
        address: addr[name],
        name,
        team: TEAMS[name],
        version: 1,
        source: 'payment',
        updatedBy: null,
      })),
    )
    expect(labels).toHaveLength(4)
    // Neither an address nor a name already labelled is taken over (and nothing fails).
    await rolledBack(async (tx) => {
      await tx.$executeRawUnsafe(
        `INSERT INTO payment_service (name, team, address, key_source, key_env, api_key_hash, api_key_prefix)
         VALUES ('alice-two', 'x', $1, 'env', 'K', '\\x01ff'::bytea, 'p'), ('zed', 'y', $2, 'env', 'K', '\\x02ff'::bytea, 'p')`,
        chain.accounts[1]!.address, // alice's address, checksummed: a different payment_service address
        chain.accounts[8]!.address,
      )
      const rows = await tx.$queryRawUnsafe<Array<{ address: string; name: string; team: string }>>(
        `SELECT address, name, team FROM service_label WHERE name IN ('alice', 'alice-two', 'zed') ORDER BY name`,
      )
      expect(rows).toEqual([
        { address: addr.alice, name: 'alice', team: 'apps' },
        { address: chain.accounts[8]!.address.toLowerCase(), name: 'zed', team: 'y' },
      ])
    })
  })

  it('has the redemptions on chain as planned: 300, 100 and 100 gwei, more than 1 h and 2 days apart', async () => {
    expect(redeemed.ac.amount).toBe(300n * GWEI)
    expect(redeemed.bc.amount).toBe(100n * GWEI)
    expect(redeemed.cd.amount).toBe(100n * GWEI)
    expect(redeemed.bc.time - redeemed.ac.time).toBeGreaterThan(HOUR)
    expect(redeemed.cd.time - redeemed.bc.time).toBeGreaterThan(2 * DAY)
    const events = await db.event.findMany({ where: { name: 'Redeemed' }, orderBy: { blockNumber: 'asc' } })
    expect(
      events.map((e) => ({
        channel: e.channel,
        block: e.blockNumber,
        time: Number(e.blockTimestamp),
        amount: BigInt((e.args as { amount: string }).amount),
        requests: BigInt((e.args as { requests: string }).requests),
      })),
    ).toEqual([redeemed.ac, redeemed.bc, redeemed.cd])
  })
})

describe('rollups (cost_hourly, cost_daily)', () => {
  const expectedSums = () =>
    (['ac', 'bc', 'cd'] as const)
      .map((k) => ({
        chain_id: chain.chain.id,
        channel: ch[k],
        amount: redeemed[k].amount.toString(),
        requests: redeemed[k].requests.toString(),
        redemptions: 1,
      }))
      .sort((a, b) => a.channel.localeCompare(b.channel))

  it('per channel, both rollups add up to the Redeemed events, and each bucket is exact', async () => {
    expect(await channelSums(db, 'event')).toEqual(expectedSums())
    expect(await channelSums(db, 'cost_hourly')).toEqual(expectedSums())
    expect(await channelSums(db, 'cost_daily')).toEqual(expectedSums())
    expect(await rollup(db, 'cost_hourly')).toEqual(await freshRollup(db, HOUR))
    expect(await rollup(db, 'cost_daily')).toEqual(await freshRollup(db, DAY))
    const hourly = await rollup(db, 'cost_hourly')
    expect(hourly).toHaveLength(3) // three redemptions in three different hours
    expect(hourly.find((r) => r.channel === ch.ac)?.bucket).toBe(
      String(redeemed.ac.time - (redeemed.ac.time % HOUR)),
    )
  })

  it('re-inserting the same events (ON CONFLICT DO NOTHING) changes nothing', async () => {
    const hourly = await rollup(db, 'cost_hourly')
    const daily = await rollup(db, 'cost_daily')
    const inserted = await db.$executeRawUnsafe(
      'INSERT INTO event SELECT * FROM event ON CONFLICT DO NOTHING',
    )
    expect(inserted).toBe(0)
    expect(await rollup(db, 'cost_hourly')).toEqual(hourly)
    expect(await rollup(db, 'cost_daily')).toEqual(daily)
  })

  it("a reorg's rollback takes the deleted redemptions out and drops emptied buckets; rolled back, all is back", async () => {
    const hourly = await rollup(db, 'cost_hourly')
    const daily = await rollup(db, 'cost_daily')
    await rolledBack(async (tx) => {
      const deleted = await tx.$executeRawUnsafe(
        'DELETE FROM event WHERE chain_id = $1 AND block_number > $2',
        chain.chain.id,
        redeemed.bc.block - 1n,
      )
      expect(deleted).toBeGreaterThanOrEqual(2)
      const h = await rollup(tx, 'cost_hourly')
      const d = await rollup(tx, 'cost_daily')
      expect(h).toEqual(await freshRollup(tx, HOUR))
      expect(d).toEqual(await freshRollup(tx, DAY))
      // Only alice's redemption is left; bob's and charlie's buckets are gone, not zero.
      for (const rows of [h, d]) {
        expect(rows.map((r) => [r.channel, r.amount, r.requests, r.redemptions])).toEqual([
          [ch.ac, '300000000000', '30', 1],
        ])
      }
      const empty = await tx.$queryRawUnsafe<Array<{ n: number }>>(
        `SELECT (SELECT count(*) FROM cost_hourly WHERE redemptions <= 0 OR amount = 0)::int
              + (SELECT count(*) FROM cost_daily WHERE redemptions <= 0 OR amount = 0)::int AS n`,
      )
      expect(empty).toEqual([{ n: 0 }])
    })
    expect(await rollup(db, 'cost_hourly')).toEqual(hourly)
    expect(await rollup(db, 'cost_daily')).toEqual(daily)
  })

  it('a redemption added to and then removed from a bucket that keeps another one decrements it', async () => {
    const hourly = await rollup(db, 'cost_hourly')
    const daily = await rollup(db, 'cost_daily')
    await rolledBack(async (tx) => {
      // A second Redeemed event in alice's block (7 requests, 70 gwei).
      await tx.$executeRawUnsafe(
        `INSERT INTO event (chain_id, block_hash, log_index, block_number, block_timestamp, tx_hash, tx_index, address,
                            channel, name, args, topics, data)
         SELECT chain_id, block_hash, log_index + 1000, block_number, block_timestamp, tx_hash, tx_index, address, channel,
                name, jsonb_set(jsonb_set(args::jsonb, '{amount}', '"70000000000"'), '{requests}', '"7"'), topics, data
         FROM event WHERE chain_id = $1 AND channel = $2 AND name = 'Redeemed'`,
        chain.chain.id,
        ch.ac,
      )
      const ac = (rows: RollupRow[]) => rows.find((r) => r.channel === ch.ac)
      expect(ac(await rollup(tx, 'cost_hourly'))).toMatchObject({
        amount: '370000000000',
        requests: '37',
        redemptions: 2,
      })
      expect(ac(await rollup(tx, 'cost_daily'))).toMatchObject({
        amount: '370000000000',
        requests: '37',
        redemptions: 2,
      })
      await tx.$executeRawUnsafe(
        `DELETE FROM event WHERE chain_id = $1 AND channel = $2 AND log_index >= 1000`,
        chain.chain.id,
        ch.ac,
      )
      expect(await rollup(tx, 'cost_hourly')).toEqual(hourly)
      expect(await rollup(tx, 'cost_daily')).toEqual(daily)
    })
  })
})

describe('costGraph', () => {
  it("window 'all': the thesis graph, exact, with labels; all of it unconfirmed within the finality depth", async () => {
    const depth = env().INDEXER_FINALITY_DEPTH
    expect(depth).toBe(12)
    const { block, now } = await indexedHead()
    expect(block - redeemed.ac.block).toBeLessThan(depth) // every redemption is still in the reorg window
    const g = await costGraph(ctx, { window: 'all' })
    expect(costGraphSchema.parse(g)).toEqual(g)
    expect(g.chainId).toBe(chain.chain.id)
    expect(g.window).toEqual({
      preset: 'all',
      from: '1970-01-01T00:00:00Z',
      to: isoTime(now + 1),
      live: true,
    })
    expect(g.asOf).toEqual({
      block: block.toString(),
      time: isoTime(now),
      finalBlock: (block - BigInt(depth)).toString(),
      finalityDepth: depth,
    })
    const channel = (k: 'ac' | 'bc' | 'cd', price: string) => ({
      address: ch[k],
      price,
      settled: redeemed[k].amount.toString(),
      requests: redeemed[k].requests.toString(),
      pending: '0',
      terminated: false,
    })
    const edge = (consumer: Name, provider: Name, k: 'ac' | 'bc' | 'cd', price: string) => ({
      consumer: addr[consumer],
      provider: addr[provider],
      settled: redeemed[k].amount.toString(),
      unconfirmed: redeemed[k].amount.toString(),
      requests: redeemed[k].requests.toString(),
      redemptions: 1,
      priceMin: price,
      priceMax: price,
      pending: '0',
      channels: [channel(k, price)],
    })
    expect(g.edges).toHaveLength(3)
    expect(g.edges[0]).toEqual(edge('alice', 'charlie', 'ac', '10000000000'))
    expect(edgeOf(g, 'bob', 'charlie')).toEqual(edge('bob', 'charlie', 'bc', '10000000000'))
    expect(edgeOf(g, 'charlie', 'dave')).toEqual(edge('charlie', 'dave', 'cd', '5000000000'))

    const node = (name: Name, paid: bigint, earned: bigint, made: number, served: number) => ({
      address: addr[name],
      name,
      team: TEAMS[name],
      paid: (paid * GWEI).toString(),
      earned: (earned * GWEI).toString(),
      net: ((earned - paid) * GWEI).toString(),
      requestsMade: String(made),
      requestsServed: String(served),
      pendingPaid: '0',
      pendingEarned: '0',
    })
    expect(g.nodes).toHaveLength(4)
    // Most money moved first: charlie (500 gwei), alice (300), then bob and dave (100 each).
    expect(g.nodes.slice(0, 2)).toEqual([node('charlie', 100n, 400n, 20, 40), node('alice', 300n, 0n, 30, 0)])
    expect(nodeOf(g, 'bob')).toEqual(node('bob', 100n, 0n, 10, 0))
    expect(nodeOf(g, 'dave')).toEqual(node('dave', 0n, 100n, 0, 20))
    expect(nodeOf(g, 'charlie')).toMatchObject({
      earned: '400000000000',
      paid: '100000000000',
      net: '300000000000',
    })
    expect(g.totals).toEqual({
      settled: '500000000000',
      unconfirmed: '500000000000',
      pending: '0',
      requests: '60',
      redemptions: 3,
      services: 4,
      channels: 3,
    })
  })

  it('nothing is unconfirmed once the redemptions are more than the finality depth deep', async () => {
    const depth = env().INDEXER_FINALITY_DEPTH
    // One second apart: anvil gives blocks mined at once the same timestamp, and the later tests
    // need the chain's time past the last redemption.
    await chain.testClient.mine({ blocks: depth + 1, interval: 1 })
    await indexer.syncToHead()
    const { block, now } = await indexedHead()
    expect(block - BigInt(depth)).toBeGreaterThanOrEqual(redeemed.cd.block)
    expect(now).toBeGreaterThanOrEqual(redeemed.cd.time + depth + 1)
    const g = await costGraph(ctx, { window: 'all' })
    expect(g.asOf.finalBlock).toBe((block - BigInt(depth)).toString())
    expect(g.totals).toMatchObject({ settled: '500000000000', unconfirmed: '0' })
    expect(g.edges.map((e) => e.unconfirmed)).toEqual(['0', '0', '0'])
  })

  it('costSeries stacks the same settled amounts by provider (daily buckets over all time)', async () => {
    const s = await costSeries(ctx, { window: 'all' })
    expect(costSeriesSchema.parse(s)).toEqual(s)
    expect(s.bucketSeconds).toBe(DAY)
    expect(s.providers).toEqual([
      { key: addr.charlie, address: addr.charlie, name: 'charlie' },
      { key: addr.dave, address: addr.dave, name: 'dave' },
    ])
    const total = (key: string) => s.points.reduce((t, p) => t + BigInt(p.values[key] ?? '0'), 0n)
    expect(total(addr.charlie)).toBe(400n * GWEI)
    expect(total(addr.dave)).toBe(100n * GWEI)
    const day = (t: number) => isoTime(t - (t % DAY))
    expect(s.points[0]?.bucket).toBe(day(redeemed.ac.time))
    expect(s.points.find((p) => p.bucket === day(redeemed.cd.time))?.values[addr.dave]).toBe('100000000000')
  })
})

describe('windows', () => {
  it('a custom window that ends before the first redemption is empty (to is exclusive)', async () => {
    const t1 = redeemed.ac.time
    const g = await costGraph(ctx, { from: isoTime(t1 - 2 * HOUR), to: isoTime(t1) })
    expect(costGraphSchema.parse(g)).toEqual(g)
    expect(g.window).toEqual({ preset: 'custom', from: isoTime(t1 - 2 * HOUR), to: isoTime(t1), live: false })
    expect(g.edges).toEqual([])
    expect(g.nodes).toEqual([])
    expect(g.totals).toEqual({
      settled: '0',
      unconfirmed: '0',
      pending: null,
      requests: '0',
      redemptions: 0,
      services: 0,
      channels: 0,
    })
  })

  it("presets end at the newest indexed block's time: 1h and 24h hold only charlie → dave", async () => {
    const { now } = await indexedHead()
    expect(now - redeemed.cd.time).toBeLessThan(HOUR)
    for (const [preset, length] of [
      ['1h', HOUR],
      ['24h', DAY],
    ] as const) {
      const g = await costGraph(ctx, { window: preset })
      expect(g.window).toEqual({ preset, from: isoTime(now + 1 - length), to: isoTime(now + 1), live: true })
      expect(g.edges.map((e) => [e.consumer, e.provider, e.settled, e.requests])).toEqual([
        [addr.charlie, addr.dave, '100000000000', '20'],
      ])
      expect(g.totals).toMatchObject({ settled: '100000000000', requests: '20', redemptions: 1, services: 2 })
    }
    const week = await costGraph(ctx, { window: '7d' })
    expect(week.totals).toMatchObject({ settled: '500000000000', requests: '60', redemptions: 3 })
    // No window: the default, 24h.
    expect((await costGraph(ctx, {})).window.preset).toBe('24h')
  })

  it('from/to as ISO-8601 (with or without a zone) or unix seconds', async () => {
    const { ac, bc, cd } = redeemed
    const bobOnly = (g: CostGraph) => g.edges.map((e) => [e.consumer, e.settled])
    const iso = await costGraph(ctx, { from: isoTime(bc.time), to: isoTime(cd.time) })
    expect(iso.window).toEqual({
      preset: 'custom',
      from: isoTime(bc.time),
      to: isoTime(cd.time),
      live: false,
    })
    expect(bobOnly(iso)).toEqual([[addr.bob, '100000000000']])
    const unix = await costGraph(ctx, { from: String(bc.time), to: String(cd.time) })
    expect(unix).toEqual(iso)
    const noZone = await costGraph(ctx, {
      from: isoTime(bc.time).replace('Z', ''),
      to: isoTime(cd.time).replace('Z', ''),
    })
    expect(noZone).toEqual(iso)
    const offset = new Date((bc.time + 2 * HOUR) * 1000).toISOString().replace('.000Z', '+02:00')
    expect((await costGraph(ctx, { from: offset, to: String(cd.time) })).window.from).toBe(isoTime(bc.time))
    // Only `from`: up to now, live. Only `to`: from the beginning.
    const since = await costGraph(ctx, { from: String(ac.time + 1) })
    expect(since.window.live).toBe(true)
    expect(since.totals).toMatchObject({ settled: '200000000000', redemptions: 2, pending: '0' })
    const until = await costGraph(ctx, { to: String(ac.time + 1) })
    expect(until.window).toMatchObject({ from: '1970-01-01T00:00:00Z', live: false })
    expect(until.totals).toMatchObject({ settled: '300000000000', redemptions: 1, pending: null })
  })

  it('refuses a bad window with 400 invalid_window and a sentence', async () => {
    const { now } = await indexedHead()
    const bad: Array<[Parameters<typeof costGraph>[1], RegExp]> = [
      [{ window: 'bogus' }, /`window` must be one of 1h, 24h, 7d, 30d, all\./],
      [{ window: '__proto__' }, /must be one of/],
      [{ from: String(now), to: String(now) }, /`from` must be before `to`\./],
      [{ from: String(now), to: String(now - 10) }, /`from` must be before `to`\./],
      [{ from: 'yesterday' }, /`from` must be an ISO-8601 time/],
      [{ to: '2026-13-45T99:00:00Z' }, /`to` must be an ISO-8601 time/],
      [{ from: '1e9' }, /`from` must be an ISO-8601 time/],
      [{ to: '999999999999' }, /`to` is out of range\./],
    ]
    for (const [query, message] of bad) {
      expect(await expectError(costGraph(ctx, query), 400, 'invalid_window')).toMatch(message)
    }
    await expectError(serviceCosts(ctx, 'alice', { window: '2h' }), 400, 'invalid_window')
    await expectError(costReport(ctx, { from: 'x' }, 'team'), 400, 'invalid_window')
  })

  describe('splitWindow', () => {
    const D = 20_000 * DAY // a UTC midnight

    it('a window across two day boundaries: raw edges, hours around one whole day', () => {
      const from = D + 5_000 // 01:23:20
      const to = D + 2 * DAY + 7_300 // two days later, 02:01:40
      expect(splitWindow(from, to)).toEqual({
        raw: [
          [from, D + 2 * HOUR],
          [D + 2 * DAY + 2 * HOUR, to],
        ],
        hourly: [
          [D + 2 * HOUR, D + DAY],
          [D + 2 * DAY, D + 2 * DAY + 2 * HOUR],
        ],
        daily: [[D + DAY, D + 2 * DAY]],
      })
    })

    it('aligned, inside one hour, across one hour boundary, whole hours only', () => {
      expect(splitWindow(D, D + 2 * DAY)).toEqual({ raw: [], hourly: [], daily: [[D, D + 2 * DAY]] })
      expect(splitWindow(D + 10, D + 20)).toEqual({ raw: [[D + 10, D + 20]], hourly: [], daily: [] })
      expect(splitWindow(D + HOUR - 1, D + HOUR + 1)).toEqual({
        raw: [[D + HOUR - 1, D + HOUR + 1]],
        hourly: [],
        daily: [],
      })
      expect(splitWindow(D + HOUR, D + 3 * HOUR)).toEqual({
        raw: [],
        hourly: [[D + HOUR, D + 3 * HOUR]],
        daily: [],
      })
      expect(splitWindow(D - HOUR, D + HOUR)).toEqual({ raw: [], hourly: [[D - HOUR, D + HOUR]], daily: [] })
    })

    it('property: the spans tile [from, to) exactly, aligned, each kind as coarse as it can be', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 400 * DAY }),
          fc.integer({ min: 1, max: 10 * DAY }),
          (start, length) => {
            const from = start
            const to = start + length
            const { raw, hourly, daily } = splitWindow(from, to)
            const all: Span[] = [...raw, ...hourly, ...daily].sort((a, b) => a[0] - b[0])
            expect(all.length).toBeGreaterThan(0)
            expect(all[0]![0]).toBe(from)
            expect(all.at(-1)![1]).toBe(to)
            for (const [i, [a, b]] of all.entries()) {
              expect(a).toBeLessThan(b)
              if (i > 0) expect(a).toBe(all[i - 1]![1]) // no gap, no overlap
            }
            // Rollup spans start and end on their period; no span holds a whole coarser period.
            const holdsWhole = ([a, b]: Span, period: number) => Math.ceil(a / period) * period + period <= b
            for (const s of hourly) {
              expect([s[0] % HOUR, s[1] % HOUR]).toEqual([0, 0])
              expect(holdsWhole(s, DAY)).toBe(false)
            }
            for (const s of daily) expect([s[0] % DAY, s[1] % DAY]).toEqual([0, 0])
            for (const s of raw) expect(holdsWhole(s, HOUR)).toBe(false)
            expect(raw.length).toBeLessThanOrEqual(2)
            expect(hourly.length).toBeLessThanOrEqual(2)
            expect(daily.length).toBeLessThanOrEqual(1)
          },
        ),
        { numRuns: 2_000 },
      )
    })
  })
})

describe('windows with edges inside hours and days sum exactly', () => {
  it('every window between interesting times equals the redemptions in [from, to)', async () => {
    const { ac, bc, cd } = redeemed
    const { now } = await indexedHead()
    const PARTIES: Record<string, Name[]> = {
      [ch.ac]: ['alice', 'charlie'],
      [ch.bc]: ['bob', 'charlie'],
      [ch.cd]: ['charlie', 'dave'],
    }
    const down = (t: number, p: number) => t - (t % p)
    const up = (t: number, p: number) => Math.ceil(t / p) * p
    const points = [
      ...new Set([
        0,
        down(ac.time, DAY),
        down(ac.time, HOUR),
        ac.time - 1,
        ac.time,
        ac.time + 1,
        up(ac.time + 1, HOUR),
        down(bc.time, HOUR),
        bc.time,
        bc.time + 1,
        up(bc.time, DAY),
        cd.time - 1,
        cd.time,
        cd.time + 1,
        now + 1,
      ]),
    ].sort((a, b) => a - b)
    const coverage = { raw: 0, hourly: 0, daily: 0 }
    let windows = 0
    for (const [i, from] of points.entries()) {
      for (const to of points.slice(i + 1)) {
        const inside = [ac, bc, cd].filter((r) => r.time >= from && r.time < to)
        const spans = splitWindow(from, to)
        for (const r of inside) {
          for (const kind of ['raw', 'hourly', 'daily'] as const) {
            if (spans[kind].some(([a, b]) => r.time >= a && r.time < b)) coverage[kind]++
          }
        }
        const g = await costGraph(ctx, { from: String(from), to: String(to) })
        const sum = (f: (r: Redemption) => bigint) => inside.reduce((t, r) => t + f(r), 0n).toString()
        expect({ from, to, totals: g.totals }).toEqual({
          from,
          to,
          totals: {
            settled: sum((r) => r.amount),
            unconfirmed: '0',
            pending: to > now ? '0' : null,
            requests: sum((r) => r.requests),
            redemptions: inside.length,
            services: new Set(inside.flatMap((r) => PARTIES[r.channel]!)).size,
            channels: inside.length,
          },
        })
        expect(Object.fromEntries(g.edges.map((e) => [e.channels[0]!.address, e.settled]))).toEqual(
          Object.fromEntries(inside.map((r) => [r.channel, r.amount.toString()])),
        )
        windows++
      }
    }
    expect(windows).toBe((points.length * (points.length - 1)) / 2)
    // The redemptions were read from each source: raw events, hourly and daily buckets.
    expect(coverage.raw).toBeGreaterThan(0)
    expect(coverage.hourly).toBeGreaterThan(0)
    expect(coverage.daily).toBeGreaterThan(0)
  })

  it('a window starting 1 s after a redemption excludes it; ending 1 s after includes it', async () => {
    const { ac, bc } = redeemed
    const after = await costGraph(ctx, { from: String(ac.time + 1), to: String(bc.time + 1) })
    expect(after.edges.map((e) => e.channels[0]!.address)).toEqual([ch.bc])
    const upTo = await costGraph(ctx, { from: String(ac.time - 1), to: String(ac.time + 1) })
    expect(upTo.edges.map((e) => [e.channels[0]!.address, e.settled])).toEqual([[ch.ac, '300000000000']])
  })
})

describe('pending (accepted, not yet redeemed)', () => {
  let activeTokenId: bigint

  beforeAll(async () => {
    const channel = await db.channel.findUniqueOrThrow({
      where: { chainId_address: { chainId: chain.chain.id, address: ch.ac } },
    })
    activeTokenId = BigInt(channel.activeTokenId.toFixed())
    expect(activeTokenId).toBe(2n)
    expect(channel.expiringTokenId.toFixed()).toBe('0')
    const paymentChannel = (k: 'ac' | 'bc', consumer: Name) => ({
      chainId: chain.chain.id,
      address: ch[k],
      consumer: addr[consumer],
      provider: addr.charlie,
      consumerServiceId: serviceId[consumer],
      providerServiceId: serviceId.charlie,
      costPerRequest: parseGwei('10').toString(),
      redemptionTimeout: 60n,
      terminationTimeout: 600n,
    })
    await db.paymentChannel.createMany({ data: [paymentChannel('ac', 'alice'), paymentChannel('bc', 'bob')] })
    const accepted = (k: 'ac' | 'bc', tokenId: bigint, highest: number, redeemedAt: Date | null = null) => ({
      chainId: chain.chain.id,
      channel: ch[k],
      tokenId: tokenId.toString(),
      highest: String(highest),
      signature: `0x${'11'.repeat(65)}`,
      counts: {},
      redeemedAt,
    })
    await db.paymentAccepted.createMany({
      data: [
        accepted('ac', activeTokenId, 4), // counts: 4 × 10 gwei
        accepted('ac', 1n, 9), // the redeemed token ID, neither active nor expiring: not pending
        accepted('bc', activeTokenId, 6, new Date()), // redeemed: not pending
      ],
    })
  })

  it("window 'all': 40 gwei pending on alice → charlie, paid by alice, earned by charlie", async () => {
    const g = costGraphSchema.parse(await costGraph(ctx, { window: 'all' }))
    expect(edgeOf(g, 'alice', 'charlie')).toMatchObject({
      settled: '300000000000',
      pending: '40000000000',
      channels: [{ address: ch.ac, pending: '40000000000' }],
    })
    expect(edgeOf(g, 'bob', 'charlie')).toMatchObject({
      pending: '0',
      channels: [{ address: ch.bc, pending: '0' }],
    })
    expect(edgeOf(g, 'charlie', 'dave')?.pending).toBe('0')
    expect(nodeOf(g, 'alice')).toMatchObject({ pendingPaid: '40000000000', pendingEarned: '0' })
    expect(nodeOf(g, 'charlie')).toMatchObject({ pendingPaid: '0', pendingEarned: '40000000000' })
    expect(nodeOf(g, 'bob')).toMatchObject({ pendingPaid: '0', pendingEarned: '0' })
    expect(g.totals.pending).toBe('40000000000')
    expect(g.totals.settled).toBe('500000000000')
  })

  it("a live window without alice's redemption still shows her pending edge", async () => {
    const g = await costGraph(ctx, { window: '1h' })
    expect(edgeOf(g, 'alice', 'charlie')).toMatchObject({
      settled: '0',
      requests: '0',
      redemptions: 0,
      pending: '40000000000',
    })
    expect(g.totals).toMatchObject({
      settled: '100000000000',
      pending: '40000000000',
      channels: 2,
      services: 3,
    })
  })

  it('a window ending in the past has no pending at all (null)', async () => {
    const g = await costGraph(ctx, { from: '0', to: String(redeemed.cd.time + 1) })
    expect(g.window.live).toBe(false)
    expect(g.totals.pending).toBeNull()
    expect(g.totals.settled).toBe('500000000000')
    expect(g.edges.map((e) => [e.pending, e.channels.map((c) => c.pending)])).toEqual([
      [null, [null]],
      [null, [null]],
      [null, [null]],
    ])
    expect(g.nodes.every((n) => n.pendingPaid === null && n.pendingEarned === null)).toBe(true)
  })
})

describe('serviceCosts', () => {
  const funds = async (channel: Address) =>
    chain.publicClient.readContract({ address: channel, abi: intermediaryAbi, functionName: 'consumerFunds' })

  it('alice: own 300 gwei, loaded 375 gwei (3/4 of charlie’s 100 gwei), her channel with funds from the chain', async () => {
    const s = await serviceCosts(ctx, 'alice', { window: 'all' })
    expect(serviceCostsSchema.parse(s)).toEqual(s)
    expect(s.version).toBe(1)
    expect(s.service).toEqual({
      address: addr.alice,
      name: 'alice',
      team: 'apps',
      paid: '300000000000',
      earned: '0',
      net: '-300000000000',
      requestsMade: '30',
      requestsServed: '0',
      pendingPaid: '40000000000',
      pendingEarned: '0',
    })
    const threeQuarters = { num: '3', den: '4', approx: 0.75 }
    expect(s.loaded).toEqual({
      own: '300000000000',
      attributed: '75000000000',
      total: '375000000000',
      direct: [
        {
          provider: addr.charlie,
          name: 'charlie',
          amount: '300000000000',
          requests: '30',
          shareOfIncoming: threeQuarters,
        },
      ],
      parts: [
        {
          service: addr.charlie,
          name: 'charlie',
          ownSpend: '100000000000',
          share: threeQuarters,
          attributed: '75000000000',
        },
      ],
    })
    expect(s.callers).toEqual([])
    const onChain = await funds(ch.ac)
    expect(onChain).toBe(DEPOSIT - 300n * GWEI)
    expect(s.channels).toEqual([
      {
        address: ch.ac,
        role: 'consumer',
        counterparty: addr.charlie,
        counterpartyName: 'charlie',
        price: '10000000000',
        consumerFunds: onChain.toString(),
        pending: '40000000000',
        burnPerHour: '0', // redeemed more than 24 h ago
        runwaySeconds: null,
        terminated: false,
        terminatesAt: '0',
      },
    ])
    // By address (checksummed or not) it is the same answer.
    expect(await serviceCosts(ctx, chain.accounts[1]!.address, { window: 'all' })).toEqual(s)
  })

  it('bob carries 1/4 of charlie: 125 gwei; dave 0; charlie 100 gwei with both callers', async () => {
    const bob = await serviceCosts(ctx, 'bob', { window: 'all' })
    expect(bob.loaded).toMatchObject({
      own: '100000000000',
      attributed: '25000000000',
      total: '125000000000',
    })
    expect(bob.loaded.direct[0]?.shareOfIncoming).toEqual({ num: '1', den: '4', approx: 0.25 })

    const dave = await serviceCosts(ctx, 'dave', { window: 'all' })
    expect(dave.loaded).toEqual({ own: '0', attributed: '0', total: '0', direct: [], parts: [] })
    expect(dave.callers).toEqual([
      { consumer: addr.charlie, name: 'charlie', amount: '100000000000', requests: '20' },
    ])
    expect(dave.service).toMatchObject({ earned: '100000000000', net: '100000000000', requestsServed: '20' })

    const charlie = serviceCostsSchema.parse(await serviceCosts(ctx, 'charlie', { window: 'all' }))
    expect(charlie.loaded).toEqual({
      own: '100000000000',
      attributed: '0',
      total: '100000000000',
      direct: [
        {
          provider: addr.dave,
          name: 'dave',
          amount: '100000000000',
          requests: '20',
          shareOfIncoming: { num: '1', den: '1', approx: 1 },
        },
      ],
      parts: [],
    })
    expect(charlie.callers).toEqual([
      { consumer: addr.alice, name: 'alice', amount: '300000000000', requests: '30' },
      { consumer: addr.bob, name: 'bob', amount: '100000000000', requests: '10' },
    ])
  })

  it("charlie's channels: both roles, newest first, burn rate and runway by the formula", async () => {
    const s = await serviceCosts(ctx, 'charlie', { window: 'all' })
    const { now } = await indexedHead()
    // The last 24 h, from the start of their first hour (all channels opened long before).
    const start = Math.floor((now - DAY) / HOUR) * HOUR
    expect(start).toBeGreaterThan(openedAt.cd)
    const seconds = BigInt(Math.max(HOUR, now - start))
    const spent = 100n * GWEI // charlie → dave, redeemed at T3, within the last 24 h
    const cdFunds = await funds(ch.cd)
    expect(cdFunds).toBe(DEPOSIT - spent)
    const common = { terminated: false, terminatesAt: '0' }
    expect(s.channels).toEqual([
      {
        address: ch.cd,
        role: 'consumer',
        counterparty: addr.dave,
        counterpartyName: 'dave',
        price: '5000000000',
        consumerFunds: cdFunds.toString(),
        pending: '0',
        burnPerHour: ((spent * 3_600n) / seconds).toString(),
        runwaySeconds: Number((cdFunds * seconds) / spent),
        ...common,
      },
      {
        address: ch.bc,
        role: 'provider',
        counterparty: addr.bob,
        counterpartyName: 'bob',
        price: '10000000000',
        consumerFunds: (await funds(ch.bc)).toString(),
        pending: '0',
        burnPerHour: '0',
        runwaySeconds: null,
        ...common,
      },
      {
        address: ch.ac,
        role: 'provider',
        counterparty: addr.alice,
        counterpartyName: 'alice',
        price: '10000000000',
        consumerFunds: (await funds(ch.ac)).toString(),
        pending: '40000000000',
        burnPerHour: '0',
        runwaySeconds: null,
        ...common,
      },
    ])
    // Sanity: a burn of ~4 gwei an hour against ~0.01 ETH is a runway of about 280 years.
    const runway = s.channels[0]!.runwaySeconds!
    expect(runway / (365 * DAY)).toBeGreaterThan(200)
  })

  it('a custom window in the past counts only its redemptions, the channels stay current', async () => {
    const s = await serviceCosts(ctx, 'alice', { from: '0', to: String(redeemed.ac.time) })
    expect(s.window.live).toBe(false)
    expect(s.loaded).toEqual({ own: '0', attributed: '0', total: '0', direct: [], parts: [] })
    expect(s.service).toMatchObject({ paid: '0', pendingPaid: null })
    expect(s.channels.map((c) => c.pending)).toEqual(['40000000000'])
  })

  it('404 unknown_service for an unknown name and for an unlabelled address without a channel', async () => {
    await expectError(serviceCosts(ctx, 'nobody', { window: 'all' }), 404, 'unknown_service')
    const stranger = chain.accounts[7]!.address
    const message = await expectError(serviceCosts(ctx, stranger, { window: 'all' }), 404, 'unknown_service')
    expect(message).toContain(stranger.toLowerCase())
  })
})

describe('costReport (CSV)', () => {
  const lines = (csv: string) => csv.split('\r\n').slice(0, -1)

  it('equals the table of the graph for every grouping', async () => {
    const graph = await costGraph(ctx, { window: 'all' })
    for (const group of ['service', 'team', 'pair'] as const satisfies readonly GroupBy[]) {
      const { csv, filename } = await costReport(ctx, { window: 'all' }, group)
      expect(csv).toBe(toCsv(costTable(graph, group)))
      expect(csv.endsWith('\r\n')).toBe(true)
      expect(filename).toMatch(
        new RegExp(`^costs-by-${group}-1970-01-01T000000Z-\\d{4}-\\d\\d-\\d\\dT\\d{6}Z\\.csv$`),
      )
    }
    // Without groupBy: by service.
    expect((await costReport(ctx, { window: 'all' }, null)).csv).toBe(toCsv(costTable(graph, 'service')))
  })

  it('by team: the sums of the teams’ services', async () => {
    const { csv } = await costReport(ctx, { window: 'all' }, 'team')
    const [header, ...rows] = lines(csv)
    expect(header).toBe(
      'team,services,paid_wei,earned_wei,net_wei,requests_made,requests_served,pending_paid_wei,pending_earned_wei',
    )
    expect(rows.map((r) => r.split(','))).toEqual([
      ['platform', '1', '100000000000', '400000000000', '300000000000', '20', '40', '0', '40000000000'],
      ['apps', '2', '400000000000', '0', '-400000000000', '40', '0', '40000000000', '0'],
      ['storage', '1', '0', '100000000000', '100000000000', '0', '20', '0', '0'],
    ])
  })

  it('by pair and by service: names, teams and amounts', async () => {
    const pair = lines((await costReport(ctx, { window: 'all' }, 'pair')).csv)
    expect(pair[0]).toBe(
      'consumer,consumer_team,provider,provider_team,channels,price_wei,requests,settled_wei,unconfirmed_wei,pending_wei',
    )
    expect(pair.slice(1).sort()).toEqual(
      [
        'alice,apps,charlie,platform,1,10000000000,30,300000000000,0,40000000000',
        'bob,apps,charlie,platform,1,10000000000,10,100000000000,0,0',
        'charlie,platform,dave,storage,1,5000000000,20,100000000000,0,0',
      ].sort(),
    )
    const service = lines((await costReport(ctx, { window: 'all' }, 'service')).csv)
    expect(service[1]).toBe(
      `charlie,platform,${addr.charlie},100000000000,400000000000,300000000000,20,40,0,40000000000`,
    )
    // A past window leaves the pending cells empty.
    const past = lines((await costReport(ctx, { to: String(redeemed.bc.time) }, 'team')).csv)
    expect(past.slice(1)).toEqual([
      // 300 gwei moved each: ties are by name.
      'apps,1,300000000000,0,-300000000000,30,0,,',
      'platform,1,0,300000000000,300000000000,0,30,,',
    ])
  })

  it('refuses an unknown grouping with 400 invalid_group_by', async () => {
    const message = await expectError(costReport(ctx, { window: 'all' }, 'bogus'), 400, 'invalid_group_by')
    expect(message).toBe('`groupBy` must be one of service, team, pair.')
  })
})

describe('service labels (saveServiceLabel)', () => {
  const admin = privateKeyToAccount(ANVIL_KEYS[5])
  const outsider = privateKeyToAccount(ANVIL_KEYS[6])
  const nowSeconds = () => BigInt(Math.floor(Date.now() / 1000))
  const request = (headers: Record<string, string> = {}) =>
    new Request('http://x/api/services/labels', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
    })

  /** A signed edit body (as the UI posts it), parsed as the route parses it. */
  async function signed(
    edit: { address: string; name: string; team: string; version: number },
    { by = admin, expiresAt = nowSeconds() + 300n } = {},
  ) {
    const typed = labelEditTypedData({
      chainId: chain.chain.id,
      factory,
      edit: {
        service: edit.address as Address,
        name: edit.name,
        team: edit.team,
        version: BigInt(edit.version),
        expiresAt,
      },
    })
    const signature: Hex = await by.signTypedData(typed)
    return labelEditBody.parse({ ...edit, expiresAt: expiresAt.toString(), signature })
  }
  const row = (address: string) => db.serviceLabel.findUniqueOrThrow({ where: { address } })

  it('env: the label admin and admin key are the ones set at the top of this file', () => {
    expect(env().LABEL_ADMINS).toBe(LABEL_ADMIN)
    expect(env().PAYMENT_ADMIN_KEY).toBe(ADMIN_KEY)
    expect(ADMIN_KEY).toHaveLength(40)
  })

  it("an admin's signed edit of the current version is saved and shows in the explorer", async () => {
    const before = await row(addr.dave)
    expect(before).toMatchObject({ name: 'dave', version: 1, source: 'payment' })
    const body = await signed({ address: addr.dave, name: 'dave-db', team: 'storage', version: 1 })
    const saved = await saveServiceLabel({ ctx, request: request(), body })
    expect(saved).toMatchObject({
      address: addr.dave,
      name: 'dave-db',
      team: 'storage',
      version: 2,
      source: 'edit',
      updatedBy: admin.address.toLowerCase(),
    })
    expect(await row(addr.dave)).toMatchObject({
      name: 'dave-db',
      version: 2,
      source: 'edit',
      updatedBy: admin.address.toLowerCase(),
    })

    const view = await chainView(ctx)
    const labels = await labelsFor(ctx, view, [addr.dave, ch.cd, factory])
    expect(labels[addr.dave]).toEqual({
      address: addr.dave,
      name: 'dave-db',
      team: 'storage',
      kind: 'service',
    })
    expect(labels[ch.cd]).toEqual({
      address: ch.cd,
      name: 'channel charlie → dave-db',
      team: null,
      kind: 'channel',
    })
    expect(labels[factory.toLowerCase()]).toMatchObject({ kind: 'factory' })
    // The cost views name it at once (the label cache is cleared on an edit).
    expect(nodeOf(await costGraph(ctx, { window: 'all' }), 'dave')?.name).toBe('dave-db')
    expect((await serviceCosts(ctx, 'dave-db', { window: 'all' })).version).toBe(2)
    await expectError(serviceCosts(ctx, 'dave', { window: 'all' }), 404, 'unknown_service')

    // Replaying the same signed body: the version it replaces is gone.
    const after = await row(addr.dave)
    await expectError(saveServiceLabel({ ctx, request: request(), body }), 409, 'version_conflict')
    expect(await row(addr.dave)).toEqual(after)
  })

  it('refusals change nothing: not an admin, expired, too far ahead, name taken, no credential', async () => {
    const before = await row(addr.dave)
    const edit = { address: addr.dave, name: 'dave-two', team: 'storage', version: before.version }
    const save = async (body: Promise<z.output<typeof labelEditBody>>, headers?: Record<string, string>) =>
      saveServiceLabel({ ctx, request: request(headers), body: await body })
    const cases: Array<[() => Promise<unknown>, number, string]> = [
      [() => save(signed(edit, { by: outsider })), 403, 'not_label_admin'],
      [() => save(signed(edit, { expiresAt: nowSeconds() - 1n })), 400, 'request_expired'],
      [() => save(signed(edit, { expiresAt: nowSeconds() + 660n })), 400, 'invalid_expiry'],
      [() => save(signed({ ...edit, name: 'alice' })), 409, 'name_taken'],
      [() => save(signed({ ...edit, version: before.version - 1 })), 409, 'version_conflict'],
      [() => save(Promise.resolve(labelEditBody.parse(edit))), 401, 'unauthorized'],
      [
        () =>
          save(Promise.resolve(labelEditBody.parse(edit)), {
            authorization: 'Bearer not-the-admin-key-at-all',
          }),
        401,
        'unauthorized',
      ],
    ]
    for (const [run, status, code] of cases) {
      await expectError(run(), status, code)
      expect(await row(addr.dave)).toEqual(before)
    }
    // A "new label" edit (version 0) for an address that has one says which label to edit instead.
    const message = await expectError(save(signed({ ...edit, version: 0 })), 409, 'version_conflict')
    expect(message).toBe(
      `${addr.dave} is already labelled "${before.name}"; edit that label on its service page.`,
    )
    expect(await row(addr.dave)).toEqual(before)
    // A signature over other values (the team changed after signing) is not an admin's.
    const tampered = { ...(await signed(edit)), team: 'other' }
    await expectError(saveServiceLabel({ ctx, request: request(), body: tampered }), 403, 'not_label_admin')
    // A signature without its expiry.
    const { expiresAt: _dropped, ...noExpiry } = await signed(edit)
    await expectError(saveServiceLabel({ ctx, request: request(), body: noExpiry }), 403, 'invalid_signature')
    expect(await row(addr.dave)).toEqual(before)
  })

  it('the admin key as Authorization: Bearer saves without a signature (updatedBy null)', async () => {
    const before = await row(addr.dave)
    const body = labelEditBody.parse({
      address: addr.dave,
      name: 'dave-store',
      team: 'Data Team',
      version: before.version,
    })
    const saved = await saveServiceLabel({
      ctx,
      request: request({ authorization: `Bearer ${ADMIN_KEY}` }),
      body,
    })
    expect(saved).toMatchObject({
      address: addr.dave,
      name: 'dave-store',
      team: 'Data Team',
      version: before.version + 1,
      source: 'edit',
      updatedBy: null,
    })
    expect(await row(addr.dave)).toMatchObject({
      name: 'dave-store',
      version: before.version + 1,
      updatedBy: null,
    })
  })

  it('a new label for an unlabelled address replaces version 0', async () => {
    const eve = chain.accounts[7]!.address
    const body = await signed({ address: eve, name: 'eve', team: 'guests', version: 0 })
    expect(body.address).toBe(eve.toLowerCase())
    const saved = await saveServiceLabel({ ctx, request: request(), body })
    expect(saved).toMatchObject({ address: eve.toLowerCase(), name: 'eve', version: 1, source: 'edit' })
    // Now a service here (labelled), with nothing spent.
    const s = await serviceCosts(ctx, 'eve', { window: 'all' })
    expect(s).toMatchObject({ version: 1, channels: [], callers: [], loaded: { own: '0', total: '0' } })
  })

  it('concurrent edits: one wins, the other is refused with 409 (never a lost update or a 500)', async () => {
    // Fresh unlabelled addresses, from small private keys.
    const fresh = (seed: number) =>
      privateKeyToAccount(`0x${seed.toString(16).padStart(64, '0')}` as Hex).address.toLowerCase()
    const outcome = (results: PromiseSettledResult<{ name: string; version: number }>[]) =>
      results.map((r) =>
        r.status === 'fulfilled'
          ? `saved v${r.value.version}`
          : isAppError(r.reason)
            ? `${r.reason.status} ${r.reason.code}`
            : `not an AppError: ${(r.reason as Error).name}`,
      )
    for (let round = 0; round < 3; round++) {
      // Two admins' edits both creating the label of the same address (both replace version 0).
      const target = fresh(1_000 + round)
      const bodies = await Promise.all([
        signed({ address: target, name: `race-${round}-a`, team: 't', version: 0 }),
        signed({ address: target, name: `race-${round}-b`, team: 't', version: 0 }),
      ])
      const same = await Promise.allSettled(
        bodies.map((body) => saveServiceLabel({ ctx, request: request(), body })),
      )
      expect
        .soft(outcome(same).sort(), `round ${round}, same address`)
        .toEqual(['409 version_conflict', 'saved v1'])
      expect.soft(await row(target), `round ${round}`).toMatchObject({ version: 1 })

      // Two edits giving the same new name to two different addresses.
      const [a, b] = [fresh(2_000 + round), fresh(3_000 + round)]
      const named = await Promise.all([
        signed({ address: a, name: `twin-${round}`, team: 't', version: 0 }),
        signed({ address: b, name: `twin-${round}`, team: 't', version: 0 }),
      ])
      const twins = await Promise.allSettled(
        named.map((body) => saveServiceLabel({ ctx, request: request(), body })),
      )
      expect.soft(outcome(twins).sort(), `round ${round}, same name`).toEqual(['409 name_taken', 'saved v1'])
    }
  })

  it('labelEditBody refuses bad names, addresses and unknown fields', () => {
    const ok = { address: addr.bob, name: 'bob-2', team: 'apps', version: 1 }
    expect(labelEditBody.safeParse(ok).success).toBe(true)
    expect(labelEditBody.parse({ ...ok, address: chain.accounts[2]!.address }).address).toBe(addr.bob)
    const refused = [
      { ...ok, name: 'Bob' },
      { ...ok, name: `b${'x'.repeat(40)}` },
      { ...ok, name: '2bob' },
      { ...ok, name: '' },
      { ...ok, team: '' },
      { ...ok, address: '0x1234' },
      { ...ok, address: `${addr.bob}00` },
      { ...ok, version: -1 },
      { ...ok, version: 1.5 },
      { ...ok, expiresAt: '0' },
      { ...ok, signature: '0x12' },
      { ...ok, extra: true },
    ]
    for (const body of refused)
      expect(labelEditBody.safeParse(body).success, JSON.stringify(body)).toBe(false)
    expect(labelEditBody.safeParse({ ...ok, name: `b${'x'.repeat(39)}` }).success).toBe(true)
  })
})
