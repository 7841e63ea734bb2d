import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { costGraphSchema, costSeriesSchema } from '../../costs/api'
import { isoTime } from '../../costs/window'
import type { Db } from '../db/client'
import { env } from '../env'
import { costGraph, costSeries } from '.'
import { type CostsTestbed, DAY, GWEI, HOUR, type Name, startCostsTestbed, TEAMS } from './testing'

/*
 * The costs feature on the thesis example (testing.ts): the setup as planned, the rollups kept
 * exact by their triggers, and the cost graph before and after the finality depth.
 */

let bed: CostsTestbed
beforeAll(async () => {
  bed = await startCostsTestbed()
}, 120_000)
afterAll(() => bed?.stop())

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
    bed.db.$transaction(
      async (tx) => {
        await fn(tx)
        throw new Rollback('roll back')
      },
      { timeout: 30_000 },
    ),
  ).rejects.toBeInstanceOf(Rollback)
}

describe('setup', () => {
  it('labels every Payment Server service through the payment_service trigger', async () => {
    const labels = await bed.db.serviceLabel.findMany({ orderBy: { name: 'asc' } })
    expect(labels).toMatchObject(
      (['alice', 'bob', 'charlie', 'dave'] as const).map((name) => ({
        address: bed.addr[name],
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
        bed.chain.accounts[1]!.address, // alice's address, checksummed: a different payment_service address
        bed.chain.accounts[8]!.address,
      )
      const rows = await tx.$queryRawUnsafe<Array<{ address: string; name: string; team: string }>>(
        `SELECT address, name, team FROM service_label WHERE name IN ('alice', 'alice-two', 'zed') ORDER BY name`,
      )
      expect(rows).toEqual([
        { address: bed.addr.alice, name: 'alice', team: 'apps' },
        { address: bed.chain.accounts[8]!.address.toLowerCase(), name: 'zed', team: 'y' },
      ])
    })
  })

  it('has the redemptions on chain as planned: 300, 100 and 100 gwei, more than 1 h and 2 days apart', async () => {
    expect(bed.redeemed.ac.amount).toBe(300n * GWEI)
    expect(bed.redeemed.bc.amount).toBe(100n * GWEI)
    expect(bed.redeemed.cd.amount).toBe(100n * GWEI)
    expect(bed.redeemed.bc.time - bed.redeemed.ac.time).toBeGreaterThan(HOUR)
    expect(bed.redeemed.cd.time - bed.redeemed.bc.time).toBeGreaterThan(2 * DAY)
    const events = await bed.db.event.findMany({
      where: { name: 'Redeemed' },
      orderBy: { blockNumber: 'asc' },
    })
    expect(
      events.map((e) => ({
        channel: e.channel,
        block: e.blockNumber,
        time: Number(e.blockTimestamp),
        amount: BigInt((e.args as { amount: string }).amount),
        requests: BigInt((e.args as { requests: string }).requests),
      })),
    ).toEqual([bed.redeemed.ac, bed.redeemed.bc, bed.redeemed.cd])
  })
})

describe('rollups (cost_hourly, cost_daily)', () => {
  const expectedSums = () =>
    (['ac', 'bc', 'cd'] as const)
      .map((k) => ({
        chain_id: bed.chainId,
        channel: bed.ch[k],
        amount: bed.redeemed[k].amount.toString(),
        requests: bed.redeemed[k].requests.toString(),
        redemptions: 1,
      }))
      .sort((a, b) => a.channel.localeCompare(b.channel))

  it('per channel, both rollups add up to the Redeemed events, and each bucket is exact', async () => {
    expect(await channelSums(bed.db, 'event')).toEqual(expectedSums())
    expect(await channelSums(bed.db, 'cost_hourly')).toEqual(expectedSums())
    expect(await channelSums(bed.db, 'cost_daily')).toEqual(expectedSums())
    expect(await rollup(bed.db, 'cost_hourly')).toEqual(await freshRollup(bed.db, HOUR))
    expect(await rollup(bed.db, 'cost_daily')).toEqual(await freshRollup(bed.db, DAY))
    const hourly = await rollup(bed.db, 'cost_hourly')
    expect(hourly).toHaveLength(3) // three redemptions in three different hours
    expect(hourly.find((r) => r.channel === bed.ch.ac)?.bucket).toBe(
      String(bed.redeemed.ac.time - (bed.redeemed.ac.time % HOUR)),
    )
  })

  it('re-inserting the same events (ON CONFLICT DO NOTHING) changes nothing', async () => {
    const hourly = await rollup(bed.db, 'cost_hourly')
    const daily = await rollup(bed.db, 'cost_daily')
    const inserted = await bed.db.$executeRawUnsafe(
      'INSERT INTO event SELECT * FROM event ON CONFLICT DO NOTHING',
    )
    expect(inserted).toBe(0)
    expect(await rollup(bed.db, 'cost_hourly')).toEqual(hourly)
    expect(await rollup(bed.db, 'cost_daily')).toEqual(daily)
  })

  it("a reorg's rollback takes the deleted redemptions out and drops emptied buckets; rolled back, all is back", async () => {
    const hourly = await rollup(bed.db, 'cost_hourly')
    const daily = await rollup(bed.db, 'cost_daily')
    await rolledBack(async (tx) => {
      const deleted = await tx.$executeRawUnsafe(
        'DELETE FROM event WHERE chain_id = $1 AND block_number > $2',
        bed.chainId,
        bed.redeemed.bc.block - 1n,
      )
      expect(deleted).toBeGreaterThanOrEqual(2)
      const h = await rollup(tx, 'cost_hourly')
      const d = await rollup(tx, 'cost_daily')
      expect(h).toEqual(await freshRollup(tx, HOUR))
      expect(d).toEqual(await freshRollup(tx, DAY))
      // Only alice's redemption is left; bob's and charlie's buckets are gone, not zero.
      for (const rows of [h, d]) {
        expect(rows.map((r) => [r.channel, r.amount, r.requests, r.redemptions])).toEqual([
          [bed.ch.ac, '300000000000', '30', 1],
        ])
      }
      const empty = await tx.$queryRawUnsafe<Array<{ n: number }>>(
        `SELECT (SELECT count(*) FROM cost_hourly WHERE redemptions <= 0 OR amount = 0)::int
              + (SELECT count(*) FROM cost_daily WHERE redemptions <= 0 OR amount = 0)::int AS n`,
      )
      expect(empty).toEqual([{ n: 0 }])
    })
    expect(await rollup(bed.db, 'cost_hourly')).toEqual(hourly)
    expect(await rollup(bed.db, 'cost_daily')).toEqual(daily)
  })

  it('a redemption added to and then removed from a bucket that keeps another one decrements it', async () => {
    const hourly = await rollup(bed.db, 'cost_hourly')
    const daily = await rollup(bed.db, 'cost_daily')
    await rolledBack(async (tx) => {
      // A second Redeemed event in alice's block (7 requests, 70 gwei).
      await tx.$executeRawUnsafe(
        `INSERT INTO event (chain_id, block_hash, log_index, block_number, block_timestamp, tx_hash, tx_index, address,
                            channel, name, args, topics, data)
         SELECT chain_id, block_hash, log_index + 1000, block_number, block_timestamp, tx_hash, tx_index, address, channel,
                name, jsonb_set(jsonb_set(args::jsonb, '{amount}', '"70000000000"'), '{requests}', '"7"'), topics, data
         FROM event WHERE chain_id = $1 AND channel = $2 AND name = 'Redeemed'`,
        bed.chainId,
        bed.ch.ac,
      )
      const ac = (rows: RollupRow[]) => rows.find((r) => r.channel === bed.ch.ac)
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
        bed.chainId,
        bed.ch.ac,
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
    const { block, now } = await bed.indexedHead()
    expect(block - bed.redeemed.ac.block).toBeLessThan(depth) // every redemption is still in the reorg window
    const g = await costGraph(bed.ctx, { window: 'all' })
    expect(costGraphSchema.parse(g)).toEqual(g)
    expect(g.chainId).toBe(bed.chainId)
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
      address: bed.ch[k],
      price,
      settled: bed.redeemed[k].amount.toString(),
      requests: bed.redeemed[k].requests.toString(),
      pending: '0',
      terminated: false,
    })
    const edge = (consumer: Name, provider: Name, k: 'ac' | 'bc' | 'cd', price: string) => ({
      consumer: bed.addr[consumer],
      provider: bed.addr[provider],
      settled: bed.redeemed[k].amount.toString(),
      unconfirmed: bed.redeemed[k].amount.toString(),
      requests: bed.redeemed[k].requests.toString(),
      redemptions: 1,
      priceMin: price,
      priceMax: price,
      pending: '0',
      channels: [channel(k, price)],
    })
    expect(g.edges).toHaveLength(3)
    expect(g.edges[0]).toEqual(edge('alice', 'charlie', 'ac', '10000000000'))
    expect(bed.edgeOf(g, 'bob', 'charlie')).toEqual(edge('bob', 'charlie', 'bc', '10000000000'))
    expect(bed.edgeOf(g, 'charlie', 'dave')).toEqual(edge('charlie', 'dave', 'cd', '5000000000'))

    const node = (name: Name, paid: bigint, earned: bigint, made: number, served: number) => ({
      address: bed.addr[name],
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
    expect(bed.nodeOf(g, 'bob')).toEqual(node('bob', 100n, 0n, 10, 0))
    expect(bed.nodeOf(g, 'dave')).toEqual(node('dave', 0n, 100n, 0, 20))
    expect(bed.nodeOf(g, 'charlie')).toMatchObject({
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
    await bed.settle()
    const { block, now } = await bed.indexedHead()
    expect(block - BigInt(depth)).toBeGreaterThanOrEqual(bed.redeemed.cd.block)
    expect(now).toBeGreaterThanOrEqual(bed.redeemed.cd.time + depth + 1)
    const g = await costGraph(bed.ctx, { window: 'all' })
    expect(g.asOf.finalBlock).toBe((block - BigInt(depth)).toString())
    expect(g.totals).toMatchObject({ settled: '500000000000', unconfirmed: '0' })
    expect(g.edges.map((e) => e.unconfirmed)).toEqual(['0', '0', '0'])
  })

  it('costSeries stacks the same settled amounts by provider (daily buckets over all time)', async () => {
    const s = await costSeries(bed.ctx, { window: 'all' })
    expect(costSeriesSchema.parse(s)).toEqual(s)
    expect(s.bucketSeconds).toBe(DAY)
    expect(s.providers).toEqual([
      { key: bed.addr.charlie, address: bed.addr.charlie, name: 'charlie' },
      { key: bed.addr.dave, address: bed.addr.dave, name: 'dave' },
    ])
    const total = (key: string) => s.points.reduce((t, p) => t + BigInt(p.values[key] ?? '0'), 0n)
    expect(total(bed.addr.charlie)).toBe(400n * GWEI)
    expect(total(bed.addr.dave)).toBe(100n * GWEI)
    const day = (t: number) => isoTime(t - (t % DAY))
    expect(s.points[0]?.bucket).toBe(day(bed.redeemed.ac.time))
    expect(s.points.find((p) => p.bucket === day(bed.redeemed.cd.time))?.values[bed.addr.dave]).toBe(
      '100000000000',
    )
  })
})
