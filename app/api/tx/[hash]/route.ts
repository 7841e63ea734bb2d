import { getTransaction } from '@/lib/server/explorer'
import { explorerRoute } from '@/lib/server/explorer/http'

export const dynamic = 'force-dynamic'

/** GET /api/tx/{hash}: a transaction with its call, events and revert reason decoded. */
export const GET = explorerRoute<{ hash: string }>('tx.get', ({ ctx, params }) =>
  getTransaction(ctx, params.hash),
)
