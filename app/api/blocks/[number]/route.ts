import { getBlock } from '@/lib/server/explorer'
import { explorerRoute } from '@/lib/server/explorer/http'

export const dynamic = 'force-dynamic'

/** GET /api/blocks/{number}: a block's header and all its transactions. */
export const GET = explorerRoute<{ number: string }>('blocks.get', ({ ctx, params }) =>
  getBlock(ctx, params.number),
)
