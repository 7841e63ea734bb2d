import { listBlocks } from '@/lib/server/explorer'
import { explorerRoute } from '@/lib/server/explorer/http'
import { pageLimit } from '@/lib/server/http/params'

export const dynamic = 'force-dynamic'

/** GET /api/blocks?cursor=&limit=: indexed blocks, newest first, with the chain head. */
export const GET = explorerRoute('blocks.list', ({ ctx, query }) =>
  listBlocks(ctx, { cursor: query.get('cursor'), limit: pageLimit(query.get('limit')) }),
)
