import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isoTime } from '../../costs/window'
import type { ServerContext } from '../context'
import type { Db } from '../db/client'
import { costGraph, costOverview, costReport, costSeries, serviceCosts } from '.'
import { type CostsTestbed, DAY, GWEI, startCostsTestbed } from './testing'

/*
 * One answer is one snapshot: a redemption indexed after the answer decided its `asOf` block,
 * while it reads the rollups, is not in any of its figures. A hook on the clock's read (the
 * indexer state) indexes a redemption already mined on chain, so the race is not left to luck.
 */

let bed: CostsTestbed
beforeAll(async () => {
  bed = await startCostsTestbed({ settled: true })
}, 120_000)
afterAll(() => bed?.stop())

/**
 * The testbed's context, but the first read of the indexer state (the answer's clock) is
 * followed by the indexer catching up: rows newer than the clock land while the answer reads.
 * `clock` is the cursor that read saw.
 */
function racingContext(): { ctx: ServerContext; clock: { block: bigint | null } } {
  const clock = { block: null as bigint | null }
  let fired = false
  const db = bed.db.$extends({
    query: {
      indexerState: {
        async findFirst({ args, query }) {
          const state = await query(args)
          if (!fired) {
            fired = true
            clock.block = state?.cursorNumber ?? null
            await bed.indexer.syncToHead()
          }
          return state
        },
      },
    },
  }) as unknown as Db
  return { ctx: { ...bed.ctx, db }, clock }
}

/** Every Redeemed amount of the chain indexed up to `block`, from the event table. */
async function settledUpTo(block: bigint): Promise<bigint> {
  const [row] = await bed.db.$queryRaw<Array<{ total: string | null }>>`
    SELECT sum((args->>'amount')::numeric)::text AS total FROM event
    WHERE chain_id = ${bed.chainId} AND name = 'Redeemed' AND block_number <= ${block}`
  return BigInt(row?.total ?? '0')
}

describe('a window ending in the future, while the indexer writes a newer redemption', () => {
  const future = async () => {
    const { now } = await bed.indexedHead()
    return { from: '0', to: isoTime(now + 3 * DAY) }
  }

  it('costGraph() reads every figure at its asOf block', async () => {
    const query = await future()
    const redeemedAt = await bed.mineRedemption(8n)
    const { ctx, clock } = racingContext()
    const g = await costGraph(ctx, query)
    expect(clock.block).not.toBeNull()
    expect(g.asOf.block).toBe(clock.block?.toString())
    expect(redeemedAt).toBeGreaterThan(clock.block!)
    // The newer redemption is indexed now, and not in the answer.
    expect(await settledUpTo(redeemedAt)).toBe((await settledUpTo(clock.block!)) + 40n * GWEI)
    expect(g.totals.settled).toBe((await settledUpTo(clock.block!)).toString())
    expect(g.totals.redemptions).toBe(3)
    expect(g.edges.find((e) => e.provider === bed.addr.dave)?.settled).toBe((100n * GWEI).toString())
  })

  it('costSeries() sums to the redemptions up to its asOf block', async () => {
    const query = await future()
    const redeemedAt = await bed.mineRedemption(2n)
    const { ctx, clock } = racingContext()
    const s = await costSeries(ctx, query)
    expect(s.asOf.block).toBe(clock.block?.toString())
    expect(redeemedAt).toBeGreaterThan(clock.block!)
    const total = s.points.reduce(
      (sum, p) => sum + Object.values(p.values).reduce((a, v) => a + BigInt(v), 0n),
      0n,
    )
    expect(total).toBe(await settledUpTo(clock.block!))
  })

  it("serviceCosts() reads dave's earnings and burn rate at its asOf block", async () => {
    const query = await future()
    const before = await bed.indexedHead()
    const redeemedAt = await bed.mineRedemption(4n)
    const { ctx, clock } = racingContext()
    const dave = await serviceCosts(ctx, 'dave', query)
    expect(dave.asOf.block).toBe(before.block.toString())
    expect(redeemedAt).toBeGreaterThan(clock.block!)
    const [row] = await bed.db.$queryRaw<Array<{ total: string }>>`
      SELECT sum((args->>'amount')::numeric)::text AS total FROM event
      WHERE chain_id = ${bed.chainId} AND name = 'Redeemed' AND channel = ${bed.ch.cd}
        AND block_number <= ${clock.block}`
    expect(dave.service.earned).toBe(row?.total)
    // The burn rate counts the same redemptions (the last 24 h hold all of this channel's).
    const channel = dave.channels.find((c) => c.address === bed.ch.cd)
    const since = Math.max(Math.floor((before.now - DAY) / 3_600) * 3_600, bed.openedAt.cd)
    const seconds = BigInt(Math.max(3_600, before.now - since))
    expect(channel?.burnPerHour).toBe(((BigInt(row?.total ?? '0') * 3_600n) / seconds).toString())
  })

  it("costOverview() reads the page's graph and series at one block", async () => {
    const query = await future()
    const redeemedAt = await bed.mineRedemption(3n)
    const { ctx, clock } = racingContext()
    const { graph, series } = await costOverview(ctx, query)
    expect(redeemedAt).toBeGreaterThan(clock.block!)
    expect([graph.asOf, series.asOf].map((a) => a.block)).toEqual([
      clock.block?.toString(),
      clock.block?.toString(),
    ])
    const charted = series.points.reduce(
      (sum, p) => sum + Object.values(p.values).reduce((a, v) => a + BigInt(v), 0n),
      0n,
    )
    expect(charted.toString()).toBe(graph.totals.settled)
    expect(graph.totals.settled).toBe((await settledUpTo(clock.block!)).toString())
  })

  it("costReport() writes the pairs' totals at its asOf block", async () => {
    const query = await future()
    const redeemedAt = await bed.mineRedemption(6n)
    const { ctx, clock } = racingContext()
    const { csv } = await costReport(ctx, query, 'pair')
    expect(redeemedAt).toBeGreaterThan(clock.block!)
    const [header, ...rows] = csv
      .trim()
      .split('\r\n')
      .map((l) => l.split(','))
    const settled = header!.indexOf('settled_wei')
    const total = rows.reduce((sum, r) => sum + BigInt(r[settled]!), 0n)
    expect(total).toBe(await settledUpTo(clock.block!))
  })
})
