import { describe, expect, it } from 'vitest'
import { type AnnouncedTable, type PriceInputs, priceInputs, priceView, spendAt, tableOf } from './pricing'

/*
 * A v2 channel's price view: which table is current, when a change is announced or pending,
 * and the runway before and after at the same request mix, in exact integers.
 */

const table = (fromTokenId: string, version: string, prices: string[]): AnnouncedTable => ({
  fromTokenId,
  version,
  prices,
})

const opening = table('1', '0', ['1000', '5000'])
const raised = table('3', '1', ['1000', '6000'])

function pricing(overrides: Partial<PriceInputs> = {}): PriceInputs {
  return {
    names: ['small', 'large'],
    tables: [opening, raised],
    activeTokenId: '3',
    expiringTokenId: '2',
    consumerFunds: '1000000',
    pendingPrices: null,
    // 3 small and 1 large in an hour: 8,000 wei an hour at the opening prices.
    mix: { requests: ['3', '1'], seconds: 3_600 },
    ...overrides,
  }
}

describe('tableOf', () => {
  it('tableOf() is the latest table announced at or before the token ID, null for ID 0 or before any', () => {
    expect(tableOf([opening, raised], 1n)).toBe(opening)
    expect(tableOf([opening, raised], 2n)).toBe(opening)
    expect(tableOf([opening, raised], 3n)).toBe(raised)
    expect(tableOf([opening, raised], 9n)).toBe(raised)
    expect(tableOf([opening, raised], 0n)).toBeNull()
    expect(tableOf([raised], 2n)).toBeNull()
  })
})

describe('spendAt', () => {
  it('spendAt() is the mix value per hour and funds × seconds ÷ value, rounded down', () => {
    expect(
      spendAt({ prices: ['1000', '5000'], mix: { requests: ['3', '1'], seconds: 3_600 }, funds: 1_000_000n }),
    ).toEqual({
      prices: ['1000', '5000'],
      perHour: '8000',
      runwaySeconds: 450_000, // 1,000,000 / 8,000 hours
    })
    // 7 requests at 3 wei over 7,200 s: 21 wei per 2 h, 10 wei an hour (10.5 rounded down).
    expect(spendAt({ prices: ['3'], mix: { requests: ['7'], seconds: 7_200 }, funds: 100n })).toEqual({
      prices: ['3'],
      perHour: '10',
      runwaySeconds: 34_285, // 100 × 7,200 / 21 = 34,285.7
    })
  })

  it('spendAt() has no rate without a mix, and no runway when the mix costs nothing', () => {
    expect(spendAt({ prices: ['1'], mix: null, funds: 5n })).toEqual({
      prices: ['1'],
      perHour: null,
      runwaySeconds: null,
    })
    expect(spendAt({ prices: ['1', '2'], mix: { requests: ['0', '0'], seconds: 60 }, funds: 5n })).toEqual({
      prices: ['1', '2'],
      perHour: '0',
      runwaySeconds: null,
    })
  })

  it('spendAt() stays exact for amounts past 2^53', () => {
    const big = (10n ** 30n).toString()
    const s = spendAt({ prices: [big], mix: { requests: ['3'], seconds: 3_600 }, funds: 10n ** 40n })
    expect(s.perHour).toBe((3n * 10n ** 30n).toString())
    expect(s.runwaySeconds).toBe(Number((10n ** 40n * 3_600n) / (3n * 10n ** 30n)))
  })
})

describe('priceView', () => {
  it("priceView() shows an announced change while the expiring ID's table differs from the active one's", () => {
    const view = priceView(pricing())
    expect(view.current).toBe(raised)
    expect(view.pending).toBeNull()
    expect(view.announced).toEqual({
      kind: 'announced',
      fromTokenId: '3',
      before: { prices: ['1000', '5000'], perHour: '8000', runwaySeconds: 450_000 },
      after: { prices: ['1000', '6000'], perHour: '9000', runwaySeconds: 400_000 },
    })
  })

  it('priceView() has no announced change once the expiring ID is redeemed, or when its prices are the same', () => {
    expect(priceView(pricing({ expiringTokenId: '0' })).announced).toBeNull()
    const unchanged = priceView(pricing({ tables: [opening, table('3', '0', ['1000', '5000'])] }))
    expect(unchanged.announced).toBeNull()
  })

  it('priceView() shows a pending table that differs from the current one, from the next token ID, and none that equals it', () => {
    const view = priceView(pricing({ expiringTokenId: '0', pendingPrices: ['2000', '6000'] }))
    expect(view.pending).toEqual({
      kind: 'pending',
      fromTokenId: '4',
      before: { prices: ['1000', '6000'], perHour: '9000', runwaySeconds: 400_000 },
      after: { prices: ['2000', '6000'], perHour: '12000', runwaySeconds: 300_000 },
    })
    expect(priceView(pricing({ expiringTokenId: '0', pendingPrices: ['1000', '6000'] })).pending).toBeNull()
  })

  it('priceView() takes the last table once termination closed the active ID, and none before any is indexed', () => {
    const closed = priceView(pricing({ activeTokenId: '0', expiringTokenId: '3' }))
    expect(closed.current).toBe(raised)
    expect(closed.announced).toBeNull()
    expect(priceView(pricing({ tables: [] }))).toEqual({ current: null, announced: null, pending: null })
  })
})

describe('priceInputs', () => {
  it("priceInputs() takes the names and the tables (oldest first) from the explorer's answer and the rest from the channel", () => {
    const announcement = (t: AnnouncedTable, block: string) => ({
      ...t,
      blockNumber: block,
      timestamp: '2026-12-07T00:00:00.000Z',
      txHash: `0x${'ab'.repeat(32)}`,
      logIndex: '0',
    })
    const category = (i: number, name: string, price: string) => ({
      category: i,
      name,
      named: true,
      origin: null,
      price,
      redeemedAmount: '0',
      redeemedRequests: '0',
    })
    expect(
      priceInputs({
        channel: { activeTokenId: '3', expiringTokenId: '2', consumerFunds: '1000000' },
        pricing: {
          categories: [category(0, 'small', '1000'), category(1, 'large', '6000')],
          history: [announcement(raised, '20'), announcement(opening, '10')],
        },
        spending: { pendingPrices: null, mix: { requests: ['3', '1'], seconds: 3_600 } },
      }),
    ).toEqual({ ...pricing(), tables: [expect.objectContaining(opening), expect.objectContaining(raised)] })
  })
})
