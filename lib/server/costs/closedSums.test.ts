import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isoTime } from '../../costs/window'
import { costGraph, costSeries } from '.'
import { forgetClosedSums } from './closedSums'
import { type CostsTestbed, GWEI, HOUR, startCostsTestbed } from './testing'

/*
 * The rollups' part of a window is kept in memory between answers while the block it was read
 * at is still indexed (./closedSums.ts), for the graph's sums and the series: kept through new blocks, read again after a reorg
 * that takes that block, on the real indexer and anvil.
 */

let bed: CostsTestbed
beforeAll(async () => {
  bed = await startCostsTestbed({ settled: true })
}, 120_000)
afterAll(() => bed?.stop())

/** Every Redeemed amount indexed, from the events themselves. */
async function indexedTotal(): Promise<bigint> {
  const [row] = await bed.db.$queryRaw<Array<{ total: string | null }>>`
    SELECT sum((args->>'amount')::numeric)::text AS total FROM event
    WHERE chain_id = ${bed.chainId} AND name = 'Redeemed'`
  return BigInt(row?.total ?? '0')
}

/** The series' amounts, summed over buckets and providers. */
async function seriesTotal(window: { from: string; to: string }): Promise<bigint> {
  const s = await costSeries(bed.ctx, window)
  return s.points.reduce((sum, p) => sum + Object.values(p.values).reduce((a, v) => a + BigInt(v), 0n), 0n)
}

describe('kept rollup sums', () => {
  it('serve later answers while their block is indexed; a reorg that takes the block is read again', async () => {
    forgetClosedSums()
    const snapshot = await bed.chain.testClient.snapshot()
    await bed.mineRedemption(7n) // 35 gwei, charlie → dave
    // Two hours on, so the redemption's hour is closed: the window below is all rollups.
    await bed.chain.advanceTime(2 * HOUR)
    await bed.settle()
    const { now } = await bed.indexedHead()
    const window = { from: '0', to: isoTime(Math.floor(now / HOUR) * HOUR) }

    const before = await costGraph(bed.ctx, window)
    expect(before.totals.settled).toBe((await indexedTotal()).toString())
    const withRedemption = BigInt(before.totals.settled)
    expect(await seriesTotal(window)).toBe(withRedemption)

    // New blocks, same chain: the kept sum is used, so a rollup row changed behind the
    // indexer's back (which nothing but this test does) does not show.
    await bed.db.$executeRaw`UPDATE cost_hourly SET amount = amount + 1 WHERE chain_id = ${bed.chainId}`
    await bed.db.$executeRaw`UPDATE cost_daily SET amount = amount + 1 WHERE chain_id = ${bed.chainId}`
    await bed.chain.testClient.mine({ blocks: 2, interval: 1 })
    await bed.indexer.syncToHead()
    const kept = await costGraph(bed.ctx, window)
    expect(kept.asOf.block).not.toBe(before.asOf.block)
    expect(kept.totals.settled).toBe(withRedemption.toString())
    expect(await seriesTotal(window)).toBe(withRedemption)
    await bed.db.$executeRaw`UPDATE cost_hourly SET amount = amount - 1 WHERE chain_id = ${bed.chainId}`
    await bed.db.$executeRaw`UPDATE cost_daily SET amount = amount - 1 WHERE chain_id = ${bed.chainId}`

    // A reorg back past the redemption: the chain continues without it, longer than before.
    await bed.chain.testClient.revert({ id: snapshot })
    await bed.chain.advanceTime(3 * HOUR)
    await bed.settle()
    await bed.chain.testClient.mine({ blocks: 8, interval: 1 })
    await bed.indexer.syncToHead()
    const after = await costGraph(bed.ctx, window)
    expect(await indexedTotal()).toBe(withRedemption - 35n * GWEI)
    expect(after.totals.settled).toBe((withRedemption - 35n * GWEI).toString())
    expect(after.totals.redemptions).toBe(before.totals.redemptions - 1)
    expect(await seriesTotal(window)).toBe(withRedemption - 35n * GWEI)
  })
})
