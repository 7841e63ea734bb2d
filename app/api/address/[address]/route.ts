import { getAddress } from '@/lib/server/explorer'
import { explorerRoute } from '@/lib/server/explorer/http'
import { pageLimit } from '@/lib/server/http/params'

export const dynamic = 'force-dynamic'

/** GET /api/address/{address}?cursor=&limit=: balance, label, channels and transactions. */
export const GET = explorerRoute<{ address: string }>('address.get', ({ ctx, params, query }) =>
  getAddress(ctx, params.address, { cursor: query.get('cursor'), limit: pageLimit(query.get('limit')) }),
)
