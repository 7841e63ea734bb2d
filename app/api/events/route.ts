import { listEvents } from '@/lib/server/explorer'
import { explorerRoute } from '@/lib/server/explorer/http'
import { pageLimit } from '@/lib/server/http/params'

export const dynamic = 'force-dynamic'

/** GET /api/events?cursor=&limit=: the newest channel events of all channels. */
export const GET = explorerRoute('events.list', ({ ctx, query }) =>
  listEvents(ctx, { cursor: query.get('cursor'), limit: pageLimit(query.get('limit')) }),
)
