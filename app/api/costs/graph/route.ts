import { costGraph, windowQuery } from '@/lib/server/costs'
import { explorerRoute } from '@/lib/server/explorer/http'

export const dynamic = 'force-dynamic'

/** GET /api/costs/graph?window=|from=&to=: services, consumer → provider pairs and totals. */
export const GET = explorerRoute('costs.graph', ({ ctx, query }) => costGraph(ctx, windowQuery(query)))
