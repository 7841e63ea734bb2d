import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryV2Abi } from '../../../contracts/generated'
import { costGraphSchema, costSeriesSchema, serviceCostsSchema } from '../../costs/api'
import { costTable, toCsv } from '../../costs/report'
import { isoTime } from '../../costs/window'
import { costGraph, costReport, costSeries, serviceCosts } from '.'
import {
  type CategoriesTestbed,
  DAY,
  GWEI,
  HOUR,
  NAMES,
  NEW_PRICES,
  PRICES,
  type RedeemedLog,
  startCategoriesTestbed,
  V1_PRICE,
} from './categories.fixture'

/*
 * Costs by request category (version 2 channels, issue 29 point 4) on a real anvil and the real
 * indexer (categories.fixture.ts): every figure against the chain's own Redeemed and
 * PricesAnnounced logs read by viem, split by lib/costs/categories.ts categoryShares.
 */

let bed: CategoriesTestbed
let logs: RedeemedLog[]
beforeAll(async () => {
  bed = await startCategoriesTestbed()
  logs = await bed.redeemedLogs()
}, 180_000)
afterAll(() => bed?.stop())

type Figures = { settled: bigint; requests: bigint; redemptions: number }
/** Per category name, a channel's figures in [from, to) as the logs have them. */
function fromLogs(channel: string, from: number, to: number, names: readonly string[]): Map<string, Figures> {
  const out = new Map<string, Figures>()
  for (const log of logs.filter((l) => l.channel === channel && l.time >= from && l.time < to)) {
    log.requests.forEach((requests, i) => {
      if (requests === 0n) return
      const name = names[i] as string
      const f = out.get(name) ?? { settled: 0n, requests: 0n, redemptions: 0 }
      out.set(name, {
        settled: f.settled + (log.shares[i] as bigint),
        requests: f.requests + requests,
        redemptions: f.redemptions + 1,
      })
    })
  }
  return out
}
const UNNAMED = ['category 1', 'category 2']

describe('costGraph() by category', () => {
  it('splits each two-category channel by category to the wei of the Redeemed logs, for windows cut inside hours and days', async () => {
    expect(logs.map((l) => [l.channel, l.tokenId])).toEqual([
      [bed.ch.v2, 1n],
      [bed.ch.v2, 2n],
      [bed.ch.v2, 3n],
      [bed.ch.capped, 1n],
    ])
    // The capped redemption paid less than its counts are worth, and its shares still sum to it.
    const capped = logs[3] as RedeemedLog
    expect(capped.amount).toBe(10n * GWEI)
    expect(capped.shares.reduce((a, b) => a + b, 0n)).toBe(capped.amount)
    expect(capped.shares[0]).toBe((10n * GWEI * 6n * GWEI) / (13n * GWEI))

    const head = await bed.db.indexerState.findFirstOrThrow()
    const now = Number(head.cursorTimestamp)
    const times = new Set<number>([0, now + 1])
    for (const { time } of logs) {
      const hour = time - (time % HOUR)
      for (const t of [time, time + 1, hour, hour + HOUR, time - (time % DAY) + DAY])
        if (t <= now) times.add(t)
    }
    const bounds = [...times].sort((a, b) => a - b)
    let windows = 0
    for (const [i, from] of bounds.entries()) {
      for (const to of bounds.slice(i + 1)) {
        const g = costGraphSchema.parse(await costGraph(bed.ctx, { from: String(from), to: String(to) }))
        for (const [channel, names] of [
          [bed.ch.v2, NAMES],
          [bed.ch.capped, UNNAMED],
        ] as const) {
          const c = g.edges.flatMap((e) => e.channels).find((x) => x.address === channel)
          const actual = new Map(
            (c?.categories ?? [])
              .filter((x) => x.requests !== '0')
              .map((x) => [
                x.name,
                { settled: BigInt(x.settled), requests: BigInt(x.requests), redemptions: x.redemptions },
              ]),
          )
          expect(actual, `${channel} in [${from}, ${to})`).toEqual(fromLogs(channel, from, to, names))
          // A channel's categories sum to its own figures.
          const sum = [...actual.values()].reduce((t, f) => t + f.settled, 0n)
          expect(sum).toBe(BigInt(c?.settled ?? '0'))
        }
        windows++
      }
    }
    expect(windows).toBeGreaterThan(50)
  })

  it("a pair's categories by name, its price range over both tables' categories, and pending per category at its token ID's prices", async () => {
    const g = await costGraph(bed.ctx, { window: 'all' })
    const edge = g.edges.find((e) => e.consumer === bed.consumer && e.provider === bed.provider)
    const all = fromLogs(bed.ch.v2, 0, Number.MAX_SAFE_INTEGER, NAMES)
    expect(edge?.categories).toEqual([
      // Largest settled first: large (21 + 42 + 12 gwei), then small (20 + 8 + 21 gwei).
      {
        name: 'large',
        channels: 1,
        priceMin: NEW_PRICES[1].toString(),
        priceMax: NEW_PRICES[1].toString(),
        settled: all.get('large')?.settled.toString(),
        unconfirmed: '0',
        requests: '11',
        redemptions: 3,
        pending: (1n * NEW_PRICES[1]).toString(),
      },
      {
        name: 'small',
        channels: 1,
        priceMin: NEW_PRICES[0].toString(),
        priceMax: NEW_PRICES[0].toString(),
        settled: all.get('small')?.settled.toString(),
        unconfirmed: '0',
        requests: '21',
        redemptions: 3,
        pending: (2n * NEW_PRICES[0]).toString(),
      },
    ])
    expect(all.get('large')?.settled).toBe(75n * GWEI)
    expect(all.get('small')?.settled).toBe(49n * GWEI)
    // The v1 channel's 5 requests at 3 gwei and the v2 channel's: the pair's price range takes
    // in the v2 table's prices (3 and 6 gwei now).
    expect(edge).toMatchObject({
      settled: (15n * GWEI + 124n * GWEI).toString(),
      requests: '37',
      pending: (12n * GWEI).toString(),
      priceMin: V1_PRICE.toString(),
      priceMax: NEW_PRICES[1].toString(),
    })
    // A version 1 channel carries no categories.
    expect(edge?.channels.find((c) => c.address === bed.ch.v1)?.categories).toBeUndefined()
  })
})

describe('the pair table and its CSV', () => {
  it('a row per category and one for the rest of the pair, summing to it; `category` last, empty for the rest; the CSV equals the table', async () => {
    const g = await costGraph(bed.ctx, { window: 'all' })
    const table = costTable(g, 'pair')
    expect(table.columns.at(-1)).toEqual({ key: 'category', title: 'Category', kind: 'text' })
    const { csv } = await costReport(bed.ctx, { window: 'all' }, 'pair')
    expect(csv).toBe(toCsv(table))
    const rows = table.rows.map((r) => [
      r.consumer_address,
      r.category,
      r.channels,
      r.price_wei,
      r.requests,
      r.settled_wei,
    ])
    const cappedLog = logs[3] as RedeemedLog
    expect(rows).toEqual([
      [bed.consumer, '', '1', V1_PRICE.toString(), '5', (15n * GWEI).toString()],
      [bed.consumer, 'large', '1', NEW_PRICES[1].toString(), '11', (75n * GWEI).toString()],
      [bed.consumer, 'small', '1', NEW_PRICES[0].toString(), '21', (49n * GWEI).toString()],
      [bed.other, 'category 2', '1', PRICES[1].toString(), '1', cappedLog.shares[1]?.toString()],
      [bed.other, 'category 1', '1', PRICES[0].toString(), '3', cappedLog.shares[0]?.toString()],
    ])
    const settled = table.rows.reduce((t, r) => t + BigInt(r.settled_wei ?? '0'), 0n)
    expect(settled).toBe(BigInt(g.totals.settled))
    const pending = table.rows.reduce((t, r) => t + BigInt(r.pending_wei || '0'), 0n)
    expect(pending).toBe(BigInt(g.totals.pending ?? '0'))
  })
})

describe('costSeries() by category', () => {
  it("stacks a provider's categories by name, each summing to its logs, and its other channels apart", async () => {
    const s = costSeriesSchema.parse(await costSeries(bed.ctx, { window: 'all' }))
    expect(s.bucketSeconds).toBe(DAY)
    expect(s.providers.map((p) => [p.key, p.category ?? null])).toEqual([
      [bed.provider, null],
      [`${bed.provider}#0`, 'large'],
      [`${bed.provider}#1`, 'small'],
      [`${bed.provider}#2`, 'category 2'],
      [`${bed.provider}#3`, 'category 1'],
    ])
    const total = (key: string) => s.points.reduce((t, p) => t + BigInt(p.values[key] ?? '0'), 0n)
    expect(total(bed.provider)).toBe(15n * GWEI)
    expect(total(`${bed.provider}#0`)).toBe(75n * GWEI)
    expect(total(`${bed.provider}#1`)).toBe(49n * GWEI)
    expect(total(`${bed.provider}#2`)).toBe((logs[3] as RedeemedLog).shares[1])
  })

  it('an hourly series over a window holding a whole UTC day puts each redemption in its own hour, not at midnight', async () => {
    // The day of the first redemption unless it fell in the day's first hour (then the second's).
    const [first, second] = logs as [RedeemedLog, RedeemedLog]
    const at = first.time % DAY >= HOUR ? first.time : second.time
    const day = at - (at % DAY)
    const s = await costSeries(bed.ctx, { from: String(day), to: String(day + DAY) })
    expect(s.bucketSeconds).toBe(HOUR)
    const redeemed = [...logs, ...(await bed.v1Logs())].filter((l) => l.time >= day && l.time < day + DAY)
    expect(redeemed.length).toBeGreaterThan(0)
    const hourOf = (time: number) => time - (time % HOUR)
    for (const hour of new Set(redeemed.map((l) => hourOf(l.time)))) {
      const point = s.points.find((p) => p.bucket === isoTime(hour))
      const sum = Object.values(point?.values ?? {}).reduce((t, v) => t + BigInt(v), 0n)
      const expected = redeemed.filter((l) => hourOf(l.time) === hour).reduce((t, l) => t + l.amount, 0n)
      expect(sum, `the hour of ${isoTime(hour)}`).toBe(expected)
    }
    // Nothing anywhere else: the day's total is in those hours.
    const all = s.points.reduce((t, p) => t + Object.values(p.values).reduce((u, v) => u + BigInt(v), 0n), 0n)
    expect(all).toBe(redeemed.reduce((t, l) => t + l.amount, 0n))
  })
})

describe('the service page: its pairs by category, runway and price history of a v2 channel', () => {
  it("lists a split pair's categories under it, on both sides, as the pair's edge has them", async () => {
    const all = fromLogs(bed.ch.v2, 0, Number.MAX_SAFE_INTEGER, NAMES)
    const expected = ['large', 'small'].map((name) => ({
      name,
      amount: all.get(name)?.settled.toString(),
      requests: all.get(name)?.requests.toString(),
    }))
    const provider = serviceCostsSchema.parse(await serviceCosts(bed.ctx, bed.provider, { window: 'all' }))
    expect(provider.callers.find((c) => c.consumer === bed.consumer)?.categories).toEqual(expected)
    const consumer = serviceCostsSchema.parse(await serviceCosts(bed.ctx, bed.consumer, { window: 'all' }))
    expect(consumer.loaded.direct.find((d) => d.provider === bed.provider)?.categories).toEqual(expected)
  })

  it('runway: the burn is the value redeemed, pending is its accepted tokens at their prices; the active table by name', async () => {
    const s = serviceCostsSchema.parse(await serviceCosts(bed.ctx, bed.consumer, { window: 'all' }))
    const c = s.channels.find((x) => x.address === bed.ch.v2)
    const head = await bed.db.indexerState.findFirstOrThrow()
    const now = Number(head.cursorTimestamp)
    const funds = await bed.chain.publicClient.readContract({
      address: bed.ch.v2,
      abi: intermediaryV2Abi,
      functionName: 'consumerFunds',
    })
    // Only token ID 3 (33 gwei at the new prices) was redeemed in the last 24 h.
    const since = now - DAY
    const spent = logs
      .filter((l) => l.channel === bed.ch.v2 && l.time >= since - (since % HOUR))
      .reduce((t, l) => t + l.amount, 0n)
    expect(spent).toBe(33n * GWEI)
    const seconds = BigInt(now - (since - (since % HOUR)))
    const pending = 12n * GWEI
    expect(c).toMatchObject({
      consumerFunds: funds.toString(),
      pending: pending.toString(),
      burnPerHour: ((spent * 3_600n) / seconds).toString(),
      runwaySeconds: Number(((funds - pending) * seconds) / spent),
      prices: [
        { category: 0, name: 'small', price: NEW_PRICES[0].toString() },
        { category: 1, name: 'large', price: NEW_PRICES[1].toString() },
      ],
    })
    // A version 1 channel's answer has neither.
    const v1 = s.channels.find((x) => x.address === bed.ch.v1)
    expect(v1 && 'prices' in v1).toBe(false)
    expect(v1 && 'priceHistory' in v1).toBe(false)
  })

  it('price history: each table announced, when, and what was bought at each price, as the logs say', async () => {
    const announced = await bed.announcedLogs()
    expect(announced.map((a) => [a.fromTokenId, a.prices])).toEqual([
      [1n, [...PRICES]],
      [3n, [...NEW_PRICES]],
    ])
    for (const side of [bed.consumer, bed.provider]) {
      const s = await serviceCosts(bed.ctx, side, { window: '1h' })
      const history = s.channels.find((x) => x.address === bed.ch.v2)?.priceHistory
      expect(history).toEqual(
        announced.map((a, i) => {
          const next = announced[i + 1]?.fromTokenId
          const bought = logs.filter(
            (l) =>
              l.channel === bed.ch.v2 &&
              l.tokenId >= a.fromTokenId &&
              (next === undefined || l.tokenId < next),
          )
          return {
            fromTokenId: a.fromTokenId.toString(),
            toTokenId: next?.toString() ?? null,
            version: Number(a.version),
            block: a.block.toString(),
            time: isoTime(a.time),
            tx: a.tx,
            categories: a.prices.map((price, c) => ({
              category: c,
              name: NAMES[c],
              price: price.toString(),
              requests: bought.reduce((t, l) => t + (l.requests[c] as bigint), 0n).toString(),
              paid: bought.reduce((t, l) => t + (l.shares[c] as bigint), 0n).toString(),
            })),
            redemptions: bought.length,
          }
        }),
      )
    }
    // Bought at the opening prices: 14 small and 9 large in token IDs 1 and 2; then 7 and 2.
    const s = await serviceCosts(bed.ctx, bed.provider, { window: 'all' })
    const history = s.channels.find((x) => x.address === bed.ch.v2)?.priceHistory
    expect(history?.map((t) => t.categories.map((c) => c.requests))).toEqual([
      ['14', '9'],
      ['7', '2'],
    ])
  })
})
