import { serviceCosts, windowQuery } from '@/lib/server/costs'
import { explorerRoute } from '@/lib/server/explorer/http'

export const dynamic = 'force-dynamic'

/** GET /api/costs/services/{name}?window=|from=&to=: a service's costs, fully loaded cost and runway. */
export const GET = explorerRoute<{ name: string }>('costs.service', ({ ctx, params, query }) =>
  serviceCosts(ctx, decodeURIComponent(params.name), windowQuery(query)),
)
