import { describe, expect, it } from 'vitest'
import { withPreviousColumns } from './comparisonReport'
import type { CostTable } from './report'

/*
 * The previous window's columns on hand-made tables: rows matched by their identity (a pair's
 * category rows each their own), rows that exist only before kept with today's zeros.
 */

const pairColumns: CostTable['columns'] = [
  { key: 'consumer', title: 'Consumer', kind: 'text' },
  { key: 'consumer_address', title: 'Consumer address', kind: 'address' },
  { key: 'provider_address', title: 'Provider address', kind: 'address' },
  { key: 'price_wei', title: 'Price per request', kind: 'wei' },
  { key: 'requests', title: 'Requests', kind: 'count' },
  { key: 'settled_wei', title: 'Settled', kind: 'wei' },
  { key: 'pending_wei', title: 'Pending', kind: 'wei' },
  { key: 'category', title: 'Category', kind: 'text' },
]
const row = (consumer: string, category: string, settled: string, requests: string, pending = '') => ({
  consumer,
  consumer_address: `0x${consumer}`,
  provider_address: '0xp',
  price_wei: '10',
  requests,
  settled_wei: settled,
  pending_wei: pending,
  category,
})
const window = (live: boolean) => ({
  window: { preset: 'custom' as const, from: '2026-12-07T00:00:00Z', to: '2026-12-08T00:00:00Z', live },
  previous: {
    preset: 'custom' as const,
    from: '2026-12-06T00:00:00Z',
    to: '2026-12-07T00:00:00Z',
    live: false,
  },
})

describe('withPreviousColumns()', () => {
  it('withPreviousColumns() puts previous_ and change_ after each settled figure, bounds last', () => {
    const table = withPreviousColumns(
      { columns: pairColumns, rows: [row('a', 'search', '50', '5')] },
      { columns: pairColumns, rows: [row('a', 'search', '80', '8')] },
      'pair',
      window(false),
    )
    expect(table.columns.map((c) => c.key)).toEqual([
      'consumer',
      'consumer_address',
      'provider_address',
      'price_wei',
      'requests',
      'previous_requests',
      'change_requests',
      'settled_wei',
      'previous_settled_wei',
      'change_settled_wei',
      'pending_wei',
      'category',
      'window_from',
      'window_to',
      'previous_from',
      'previous_to',
    ])
    expect(table.rows[0]).toMatchObject({
      previous_settled_wei: '80',
      change_settled_wei: '-30',
      change_requests: '-3',
      previous_from: '2026-12-06T00:00:00Z',
      window_to: '2026-12-08T00:00:00Z',
    })
  })

  it("withPreviousColumns() matches a pair's category rows each to its own, and keeps rows only before with zeros now", () => {
    const table = withPreviousColumns(
      { columns: pairColumns, rows: [row('a', 'search', '50', '5', '7'), row('a', 'embed', '20', '1', '0')] },
      { columns: pairColumns, rows: [row('a', 'embed', '30', '2'), row('b', '', '90', '9')] },
      'pair',
      window(true),
    )
    const find = (consumer: string, category: string) =>
      table.rows.find((r) => r.consumer === consumer && r.category === category)
    expect(find('a', 'search')).toMatchObject({ previous_settled_wei: '0', change_settled_wei: '50' })
    expect(find('a', 'embed')).toMatchObject({ previous_settled_wei: '30', change_settled_wei: '-10' })
    // b paid only before: its names and price from then, its figures now zero (pending too: live).
    expect(find('b', '')).toEqual({
      ...row('b', '', '0', '0', '0'),
      previous_requests: '9',
      change_requests: '-9',
      previous_settled_wei: '90',
      change_settled_wei: '-90',
      ...Object.fromEntries(
        Object.entries(window(true)).flatMap(([k, w]) => [
          [`${k}_from`, w.from],
          [`${k}_to`, w.to],
        ]),
      ),
    })
    expect(table.rows).toHaveLength(3)
  })
})
