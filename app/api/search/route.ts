import { search } from '@/lib/server/explorer'
import { explorerRoute } from '@/lib/server/explorer/http'

export const dynamic = 'force-dynamic'

/** GET /api/search?q=: the page a block number, hash, address or service name leads to. */
export const GET = explorerRoute('search', ({ ctx, query }) => search(ctx, query.get('q') ?? ''))
