import type { CostWindowView } from './api'
import type { Column, CostTable, GroupBy } from './report'

/**
 * The previous window's columns in the costs CSV (`/api/costs/report.csv?compare=previous`):
 * beside each settled figure of a row, the same figure in the window as long right before
 * (`previous_paid_wei`) and the change (`change_paid_wei` = this − previous), and both
 * windows' bounds in columns of their own, so a spreadsheet shows what changed without a
 * second download. Client-safe.
 */

/**
 * The figures compared: what was settled and for how many requests. Pending and not-yet-final
 * amounts exist only for the current window, prices and counts of channels are not flows.
 */
const COMPARED = new Set([
  'paid_wei',
  'earned_wei',
  'net_wei',
  'requests_made',
  'requests_served',
  'settled_wei',
  'requests',
])

/** The columns naming both windows' bounds (ISO-8601, UTC; `to` exclusive), last in each row. */
export const WINDOW_COLUMNS: Column[] = [
  { key: 'window_from', title: 'Window from', kind: 'text' },
  { key: 'window_to', title: 'Window to', kind: 'text' },
  { key: 'previous_from', title: 'Previous window from', kind: 'text' },
  { key: 'previous_to', title: 'Previous window to', kind: 'text' },
]

/**
 * A row's identity in its grouping: the same service, team or pair in both windows (a pair's
 * rows per request category, where its channels have several, each its own).
 */
const KEY: Record<GroupBy, (row: Record<string, string>) => string> = {
  service: (r) => r.address ?? '',
  team: (r) => r.team ?? '',
  pair: (r) => `${r.consumer_address}>${r.provider_address}>${r.category ?? ''}`,
}

/**
 * `table` with `previous_*` and `change_*` after each compared column, from `previous` (the same
 * grouping's table of the previous window), and the windows' bounds. A service, team or pair
 * that had rows only in the previous window gets one, its figures now zero (what stopped is a
 * change too); its names, addresses and price come from the previous window's row.
 * @example withPreviousColumns(table, costTable(before, 'service'), 'service', { window, previous })
 */
export function withPreviousColumns(
  table: CostTable,
  previous: CostTable,
  groupBy: GroupBy,
  windows: { window: CostWindowView; previous: CostWindowView },
): CostTable {
  const key = KEY[groupBy]
  const before = new Map(previous.rows.map((r) => [key(r), r]))
  const compared = table.columns.filter((c) => COMPARED.has(c.key))
  const columns = table.columns.flatMap((c): Column[] =>
    COMPARED.has(c.key)
      ? [
          c,
          { key: `previous_${c.key}`, title: `${c.title}, previous window`, kind: c.kind },
          { key: `change_${c.key}`, title: `${c.title}, change`, kind: c.kind },
        ]
      : [c],
  )
  const bounds = {
    window_from: windows.window.from,
    window_to: windows.window.to,
    previous_from: windows.previous.from,
    previous_to: windows.previous.to,
  }
  const withChanges = (row: Record<string, string>, then: Record<string, string> | undefined) => {
    const out: Record<string, string> = { ...row, ...bounds }
    for (const c of compared) {
      const now = BigInt(row[c.key] || '0')
      const was = BigInt(then?.[c.key] || '0')
      out[`previous_${c.key}`] = was.toString()
      out[`change_${c.key}`] = (now - was).toString()
    }
    return out
  }
  const rows = table.rows.map((row) => withChanges(row, before.get(key(row))))
  const seen = new Set(table.rows.map(key))
  for (const then of previous.rows) {
    if (seen.has(key(then))) continue
    const row: Record<string, string> = {}
    for (const c of table.columns) {
      // As costTable writes them: pending amounts only for a window that ends now.
      const pending = c.key.startsWith('pending') && !windows.window.live
      const figure = (c.kind === 'wei' || c.kind === 'count') && c.key !== 'price_wei'
      row[c.key] = figure ? (pending ? '' : '0') : (then[c.key] ?? '')
    }
    rows.push(withChanges(row, then))
  }
  return { columns: [...columns, ...WINDOW_COLUMNS], rows }
}
