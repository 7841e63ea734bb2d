import { withPreviousColumns } from '../../costs/comparisonReport'
import { withOverheadColumns } from '../../costs/overheadReport'
import { costTable, GROUP_BYS, type GroupBy, toCsv, withUnitColumns } from '../../costs/report'
import { previousWindow, type WindowQuery } from '../../costs/window'
import { BadRequestError } from '../../errors'
import { type FiatRate, parseUnit, unitChoices } from '../../units'
import type { ServerContext } from '../context'
import { displayFiat } from '../displayUnit'
import { atOneBlock, windowOf } from './clock'
import { compareOf, costGraphAt } from './graph'
import { costOverheadAt } from './overhead'

/**
 * GET /api/costs/report.csv: the /costs page's table of services, teams or pairs as CSV, exact
 * wei; with `unit`, each wei column is followed by the page's reading in that unit
 * (withUnitColumns); service and team rows carry the gas the payment system cost them
 * (withOverheadColumns); with `compare` = `previous`, each row's figures in the window as long
 * right before and the change (withPreviousColumns), read at the same block. `fiat` is the
 * operator's currency (default: DISPLAY_CURRENCY).
 */
export async function costReport(
  ctx: ServerContext,
  query: WindowQuery,
  groupBy: string | null,
  {
    unit = null,
    fiat = displayFiat(),
    compare = null,
  }: { unit?: string | null; fiat?: FiatRate | null; compare?: string | null } = {},
): Promise<{ csv: string; filename: string }> {
  const group = (groupBy ?? 'service') as GroupBy
  if (!GROUP_BYS.includes(group)) {
    throw new BadRequestError({
      code: 'invalid_group_by',
      message: `\`groupBy\` must be one of ${GROUP_BYS.join(', ')}.`,
    })
  }
  const chosen = parseUnit(unit, fiat)
  if (unit !== null && chosen === null) {
    throw new BadRequestError({
      code: 'invalid_unit',
      message: `\`unit\` must be one of ${unitChoices(fiat).join(', ')}.`,
    })
  }
  const comparing = compareOf(compare)
  // The overhead's columns (service and team rows) and the previous window are read at the
  // graph's block.
  const { graph, overhead, before } = await atOneBlock(ctx, async (snapshot, clock) => {
    const previous = comparing ? previousWindow(windowOf(query, clock)) : null
    return {
      graph: await costGraphAt(snapshot, clock, query),
      overhead: group === 'pair' ? null : await costOverheadAt(snapshot, clock, query),
      before: previous
        ? await costGraphAt(snapshot, clock, { from: String(previous.from), to: String(previous.to) })
        : null,
    }
  })
  const current = overhead
    ? withOverheadColumns(costTable(graph, group), group, overhead)
    : costTable(graph, group)
  const table = before
    ? withPreviousColumns(current, costTable(before, group), group, {
        window: graph.window,
        previous: before.window,
      })
    : current
  const day = (iso: string) => iso.replaceAll(':', '').replace(/\.\d+/, '')
  return {
    csv: toCsv(chosen ? withUnitColumns(table, chosen, fiat) : table),
    filename: `costs-by-${group}-${day(graph.window.from)}-${day(graph.window.to)}.csv`,
  }
}
