import { getChannel } from '@/lib/server/explorer'
import { explorerRoute } from '@/lib/server/explorer/http'

export const dynamic = 'force-dynamic'

/** GET /api/channels/{address}: state, countdowns, events and transactions of a channel. */
export const GET = explorerRoute<{ address: string }>('channels.get', ({ ctx, params }) =>
  getChannel(ctx, params.address),
)
