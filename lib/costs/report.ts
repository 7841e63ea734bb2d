import { csvLine } from '../explorer/csv'
import { shortAddress } from '../explorer/format'
import { type DisplayUnit, type FiatRate, formatAmount } from '../units'
import type { CostGraph } from './api'
import { pairParts } from './byCategory'
import { byBigIntDesc } from './order'

/**
 * The cost tables: one row per service, team or pair. The /costs page renders these rows and
 * `/api/costs/report.csv` writes the same rows, so the CSV equals the table. Client-safe.
 */

export const GROUP_BYS = ['service', 'team', 'pair'] as const
export type GroupBy = (typeof GROUP_BYS)[number]

export type Column = { key: string; title: string; kind: 'text' | 'wei' | 'count' | 'address' }
export type CostTable = { columns: Column[]; rows: Record<string, string>[] }

export const UNLABELLED_TEAM = '(no team)'

const money: Column[] = [
  { key: 'paid_wei', title: 'Paid', kind: 'wei' },
  { key: 'earned_wei', title: 'Earned', kind: 'wei' },
  { key: 'net_wei', title: 'Net', kind: 'wei' },
  { key: 'requests_made', title: 'Requests made', kind: 'count' },
  { key: 'requests_served', title: 'Requests served', kind: 'count' },
  { key: 'pending_paid_wei', title: 'Pending paid', kind: 'wei' },
  { key: 'pending_earned_wei', title: 'Pending earned', kind: 'wei' },
]

/** The rows of one grouping, largest volume first (the graph's order). */
export function costTable(graph: CostGraph, groupBy: GroupBy): CostTable {
  const nameOf = new Map(graph.nodes.map((n) => [n.address, n]))
  const label = (a: string) => nameOf.get(a)?.name ?? shortAddress(a)
  const team = (a: string) => nameOf.get(a)?.team ?? UNLABELLED_TEAM
  const pendingOr = (v: string | null) => v ?? ''

  if (groupBy === 'pair') {
    // Each party's full address in a column of its own: an unlabelled one's name is only the
    // short form (0x2361…1e8f), which an export must not be left with. A pair whose channels
    // have several request categories is a row per category (and one for its other channels),
    // the rows summing to the pair; their `category` column, last so that a reader of columns
    // by position keeps working, is there only then and empty for unsplit rows.
    const split = graph.edges.some((e) => (e.categories?.length ?? 0) > 0)
    return {
      columns: [
        { key: 'consumer', title: 'Consumer', kind: 'text' },
        { key: 'consumer_address', title: 'Consumer address', kind: 'address' },
        { key: 'consumer_team', title: 'Consumer team', kind: 'text' },
        { key: 'provider', title: 'Provider', kind: 'text' },
        { key: 'provider_address', title: 'Provider address', kind: 'address' },
        { key: 'provider_team', title: 'Provider team', kind: 'text' },
        { key: 'channels', title: 'Channels', kind: 'count' },
        { key: 'price_wei', title: 'Price per request', kind: 'wei' },
        { key: 'requests', title: 'Requests', kind: 'count' },
        { key: 'settled_wei', title: 'Settled', kind: 'wei' },
        { key: 'unconfirmed_wei', title: 'of which not final', kind: 'wei' },
        { key: 'pending_wei', title: 'Pending', kind: 'wei' },
        ...(split ? [{ key: 'category', title: 'Category', kind: 'text' } as const] : []),
      ],
      rows: graph.edges.flatMap((e) =>
        pairParts(e).map((p) => ({
          consumer: label(e.consumer),
          consumer_address: e.consumer,
          consumer_team: team(e.consumer),
          provider: label(e.provider),
          provider_address: e.provider,
          provider_team: team(e.provider),
          channels: String(p.channels),
          price_wei: p.priceMin === p.priceMax ? p.priceMin : `${p.priceMin}-${p.priceMax}`,
          requests: p.requests,
          settled_wei: p.settled,
          unconfirmed_wei: p.unconfirmed,
          pending_wei: pendingOr(p.pending),
          ...(split ? { category: p.category } : {}),
        })),
      ),
    }
  }

  if (groupBy === 'service') {
    return {
      columns: [
        { key: 'service', title: 'Service', kind: 'text' },
        { key: 'team', title: 'Team', kind: 'text' },
        { key: 'address', title: 'Address', kind: 'address' },
        ...money,
      ],
      rows: graph.nodes.map((n) => ({
        service: n.name ?? shortAddress(n.address),
        team: n.team ?? UNLABELLED_TEAM,
        address: n.address,
        paid_wei: n.paid,
        earned_wei: n.earned,
        net_wei: n.net,
        requests_made: n.requestsMade,
        requests_served: n.requestsServed,
        pending_paid_wei: pendingOr(n.pendingPaid),
        pending_earned_wei: pendingOr(n.pendingEarned),
      })),
    }
  }

  // Teams: the sums of their services (payments between a team's own services included).
  const teams = new Map<string, { services: number; v: bigint[]; pending: boolean }>()
  for (const n of graph.nodes) {
    const key = n.team ?? UNLABELLED_TEAM
    const t = teams.get(key) ?? { services: 0, v: [0n, 0n, 0n, 0n, 0n, 0n], pending: false }
    const add = [
      n.paid,
      n.earned,
      n.requestsMade,
      n.requestsServed,
      n.pendingPaid ?? '0',
      n.pendingEarned ?? '0',
    ]
    t.v = t.v.map((x, i) => x + BigInt(add[i] as string))
    t.services++
    t.pending = n.pendingPaid !== null
    teams.set(key, t)
  }
  const rows = [...teams]
    .sort(
      byBigIntDesc(
        ([, t]) => (t.v[0] as bigint) + (t.v[1] as bigint),
        (a, b) => a[0].localeCompare(b[0]),
      ),
    )
    .map(([name, t]) => {
      const [paid, earned, made, served, pPaid, pEarned] = t.v as [
        bigint,
        bigint,
        bigint,
        bigint,
        bigint,
        bigint,
      ]
      return {
        team: name,
        services: String(t.services),
        paid_wei: paid.toString(),
        earned_wei: earned.toString(),
        net_wei: (earned - paid).toString(),
        requests_made: made.toString(),
        requests_served: served.toString(),
        pending_paid_wei: t.pending ? pPaid.toString() : '',
        pending_earned_wei: t.pending ? pEarned.toString() : '',
      }
    })
  return {
    columns: [
      { key: 'team', title: 'Team', kind: 'text' },
      { key: 'services', title: 'Services', kind: 'count' },
      ...money,
    ],
    rows,
  }
}

/** RFC 4180 CSV of a table: a header of column keys, then the rows (cells as csvCell writes them). */
export function toCsv(table: CostTable): string {
  let csv = csvLine(table.columns.map((c) => c.key))
  for (const row of table.rows) csv += csvLine(table.columns.map((c) => row[c.key] ?? ''))
  return csv
}

/**
 * `table` with a column in `unit` after each wei column (`paid_wei`, then `paid_gwei` or
 * `paid_usd`), each cell the figure the page shows in that unit, rounded alike, without
 * separators or the unit (the header names it); the exact wei columns stay. A price range
 * `min-max` stays a range.
 * @example withUnitColumns(costTable(graph, 'service'), 'gwei', null)
 */
export function withUnitColumns(table: CostTable, unit: DisplayUnit, fiat: FiatRate | null): CostTable {
  const suffix = `_${unit.toLowerCase()}`
  const reading = (wei: string) => formatAmount({ wei, unit, fiat, grouped: false, withUnit: false })
  const added = (c: Column): Column => ({
    key: c.key.replace(/_wei$|$/, suffix),
    title: `${c.title} (${unit})`,
    kind: 'text',
  })
  return {
    columns: table.columns.flatMap((c) => (c.kind === 'wei' ? [c, added(c)] : [c])),
    rows: table.rows.map((row) => {
      const out = { ...row }
      for (const c of table.columns) {
        const wei = row[c.key] ?? ''
        if (c.kind !== 'wei') continue
        out[added(c).key] =
          wei === '' ? '' : /^\d+-\d+$/.test(wei) ? wei.split('-').map(reading).join('-') : reading(wei)
      }
      return out
    }),
  }
}
