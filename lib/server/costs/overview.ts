import type { CostGraph, CostSeries } from '../../costs/api'
import type { WindowQuery } from '../../costs/window'
import type { ServerContext } from '../context'
import { atOneBlock } from './clock'
import { costGraphAt } from './graph'
import { costSeriesAt } from './series'

/**
 * The /costs page's graph (compared with the window as long before it) and series of one
 * window, read at one block: the chart and the totals beside it never disagree by a redemption
 * indexed between two reads.
 */
export function costOverview(
  ctx: ServerContext,
  query: WindowQuery,
): Promise<{ graph: CostGraph; series: CostSeries }> {
  return atOneBlock(ctx, async (snapshot, clock) => ({
    graph: await costGraphAt(snapshot, clock, query, 'previous'),
    series: await costSeriesAt(snapshot, clock, query),
  }))
}
