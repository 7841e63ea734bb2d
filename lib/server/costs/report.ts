import { costTable, GROUP_BYS, type GroupBy, toCsv } from '../../costs/report'
import type { WindowQuery } from '../../costs/window'
import { BadRequestError } from '../../errors'
import type { ServerContext } from '../context'
import { costGraph } from './graph'

/** GET /api/costs/report.csv: the /costs page's table of services, teams or pairs as CSV. */
export async function costReport(
  ctx: ServerContext,
  query: WindowQuery,
  groupBy: string | null,
): Promise<{ csv: string; filename: string }> {
  const group = (groupBy ?? 'service') as GroupBy
  if (!GROUP_BYS.includes(group)) {
    throw new BadRequestError({
      code: 'invalid_group_by',
      message: `\`groupBy\` must be one of ${GROUP_BYS.join(', ')}.`,
    })
  }
  const graph = await costGraph(ctx, query)
  const day = (iso: string) => iso.replaceAll(':', '').replace(/\.\d+/, '')
  return {
    csv: toCsv(costTable(graph, group)),
    filename: `costs-by-${group}-${day(graph.window.from)}-${day(graph.window.to)}.csv`,
  }
}
