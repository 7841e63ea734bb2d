import { listChannels } from '@/lib/server/explorer'
import { explorerRoute } from '@/lib/server/explorer/http'
import { pageLimit } from '@/lib/server/http/params'

export const dynamic = 'force-dynamic'

/** GET /api/channels?cursor=&limit=: indexed channels, newest first. */
export const GET = explorerRoute('channels.list', ({ ctx, query }) =>
  listChannels(ctx, { cursor: query.get('cursor'), limit: pageLimit(query.get('limit'), 50) }),
)
