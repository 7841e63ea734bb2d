import type { BudgetPeriod, BudgetScope, BudgetStatus } from '../../budgets/api'
import { forecastAlertsFrom, linearForecast, percentOf, periodOf } from '../../budgets/period'
import type { CostGraph } from '../../costs/api'
import { isoTime } from '../../costs/window'
import type { ServerContext } from '../context'
import { costGraph } from '../costs'

/**
 * What each budget's team or service spent this period, read from the costs' graph of the
 * period's calendar window (settled amounts, at one indexed block), and the linear forecast.
 */

type BudgetRow = {
  id: number
  scope: string
  target: string
  period: string
  amount: { toFixed(): string }
  updatedBy: string | null
  updatedAt: Date
}

/** What `scope`/`target` paid in a graph: a team's services summed, or one service's. */
export function spentIn(graph: CostGraph, scope: BudgetScope, target: string): bigint {
  let spent = 0n
  for (const node of graph.nodes) {
    if (scope === 'team' ? node.team === target : node.name === target) spent += BigInt(node.paid)
  }
  return spent
}

const WINDOW_OF: Record<BudgetPeriod, string> = { month: 'this-month', week: 'this-week' }

/** The period's cost graph of every period some budget has (one read each). */
async function graphsOf(ctx: ServerContext, periods: Set<BudgetPeriod>) {
  const graphs = new Map<BudgetPeriod, CostGraph>()
  for (const period of periods) graphs.set(period, await costGraph(ctx, { window: WINDOW_OF[period] }))
  return graphs
}

/** Every budget with its spend, forecast and percentages, by scope, target and period. */
export async function budgetStatuses(
  ctx: ServerContext,
): Promise<{ asOf: number | null; budgets: BudgetStatus[] }> {
  const rows: BudgetRow[] = await ctx.db.budget.findMany({
    orderBy: [{ scope: 'asc' }, { target: 'asc' }, { period: 'asc' }],
  })
  if (rows.length === 0) return { asOf: null, budgets: [] }
  const graphs = await graphsOf(ctx, new Set(rows.map((r) => r.period as BudgetPeriod)))
  let asOf: number | null = null
  const budgets = rows.map((r) => {
    const period = r.period as BudgetPeriod
    const graph = graphs.get(period) as CostGraph
    const now = Math.floor(Date.parse(graph.asOf.time) / 1000)
    asOf = now
    const span = periodOf(period, now)
    const amount = BigInt(r.amount.toFixed())
    const spent = spentIn(graph, r.scope as BudgetScope, r.target)
    const forecast = linearForecast({ spent, span, now })
    return {
      id: r.id,
      scope: r.scope as BudgetScope,
      target: r.target,
      period,
      amount: amount.toString(),
      periodKey: span.key,
      from: isoTime(span.from),
      to: isoTime(span.to),
      spent: spent.toString(),
      forecast: forecast.toString(),
      percentSpent: percentOf(spent, amount),
      percentForecast: percentOf(forecast, amount),
      forecastAlertsFrom: isoTime(forecastAlertsFrom(span)),
      updatedBy: r.updatedBy,
      updatedAt: r.updatedAt.toISOString(),
    }
  })
  return { asOf, budgets }
}
