import { costSeries, windowQuery } from '@/lib/server/costs'
import { explorerRoute } from '@/lib/server/explorer/http'

export const dynamic = 'force-dynamic'

/** GET /api/costs/series?window=|from=&to=: settled spend per hour or day, stacked by provider. */
export const GET = explorerRoute('costs.series', ({ ctx, query }) => costSeries(ctx, windowQuery(query)))
