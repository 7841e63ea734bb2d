import { shortAddress } from '../explorer/format'
import {
  ACTION_TITLES,
  type CostOverhead,
  OVERHEAD_ACTIONS,
  type OverheadFigures,
  type OverheadService,
} from './overhead'
import { type Column, type CostTable, type GroupBy, UNLABELLED_TEAM } from './report'

/**
 * The overhead's columns in the cost tables (lib/costs/report): what each service or team paid
 * in gas per action, the value it moved and the ratio, exact wei. The /costs page's table and
 * `/api/costs/report.csv` both add them through this, so the CSV still equals the table.
 * Client-safe.
 */

/** The columns added, in order: fees per action, their total, the value moved, the ratio. */
export const OVERHEAD_COLUMNS: Column[] = [
  ...OVERHEAD_ACTIONS.map((a) => ({
    key: `gas_${a}_wei`,
    title: `Gas: ${ACTION_TITLES[a]}`,
    kind: 'wei' as const,
  })),
  { key: 'gas_total_wei', title: 'Gas: total', kind: 'wei' },
  { key: 'moved_wei', title: 'Value moved', kind: 'wei' },
  { key: 'overhead_ratio', title: 'Overhead (gas ÷ value)', kind: 'text' },
]

/** A ratio as a CSV cell: a plain decimal ('0.8'), empty when nothing was moved. */
export const ratioCell = (ratio: number | null): string => (ratio === null ? '' : String(ratio))

const cells = (f: OverheadFigures): Record<string, string> => ({
  ...Object.fromEntries(OVERHEAD_ACTIONS.map((a) => [`gas_${a}_wei`, f.fees[a]])),
  gas_total_wei: f.total,
  moved_wei: f.settled,
  overhead_ratio: ratioCell(f.ratio),
})

/**
 * `table` (by service or team) with the overhead's columns: each row gets its service's or
 * team's figures (zero when it paid no gas), and a service or team that paid gas but has no row
 * (it moved nothing in the window) gets one, its other amounts zero. Pairs are returned as they
 * are: a pair pays nothing, its two services do.
 * @example withOverheadColumns(costTable(graph, 'team'), 'team', overhead)
 */
export function withOverheadColumns(table: CostTable, groupBy: GroupBy, overhead: CostOverhead): CostTable {
  if (groupBy === 'pair') return table
  const key = groupBy === 'service' ? 'address' : 'team'
  const figures = new Map<string, OverheadFigures>(
    groupBy === 'service'
      ? overhead.teams.flatMap((t) => t.services.map((s) => [s.address, s] as const))
      : overhead.teams.map((t) => [t.team, t] as const),
  )
  const none = cells({
    fees: Object.fromEntries(OVERHEAD_ACTIONS.map((a) => [a, '0'])) as OverheadFigures['fees'],
    total: '0',
    gasUsed: '0',
    transactions: 0,
    settled: '0',
    ratio: null,
  })
  const rows = table.rows.map((row) => {
    const f = figures.get(row[key] ?? '')
    return { ...row, ...(f ? cells(f) : none) }
  })
  const seen = new Set(table.rows.map((r) => r[key]))
  for (const [k, f] of figures) {
    if (seen.has(k)) continue
    const row: Record<string, string> = {}
    for (const c of table.columns) {
      // As costTable writes them: pending amounts only for a window that ends now.
      const pending = c.key.startsWith('pending') && !overhead.window.live
      row[c.key] = (c.kind === 'wei' || c.kind === 'count') && !pending ? '0' : ''
    }
    if (groupBy === 'service') {
      const s = f as OverheadService
      Object.assign(row, {
        service: s.name ?? shortAddress(s.address),
        team: s.team ?? UNLABELLED_TEAM,
        address: s.address,
      })
    } else {
      const services = overhead.teams.find((t) => t.team === k)?.services.length ?? 0
      Object.assign(row, { team: k, services: String(services) })
    }
    rows.push({ ...row, ...cells(f) })
  }
  return { columns: [...table.columns, ...OVERHEAD_COLUMNS], rows }
}
