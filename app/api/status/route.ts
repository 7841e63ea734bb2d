import { serverContext } from '@/lib/server/context'
import { readIndexerStatus } from '@/lib/server/indexerStatus'

export const dynamic = 'force-dynamic'

/**
 * GET /api/status: the indexer's progress: chain id, chain head, indexed head, lag in blocks
 * and seconds, phase (backfill, live, stopped, not started), events indexed, last error.
 * 200 while the database answers (the node may not: then `chainError` says why), else 503.
 */
export async function GET(): Promise<Response> {
  const headers = { 'cache-control': 'no-store' }
  try {
    return Response.json(await readIndexerStatus(serverContext()), { headers })
  } catch {
    const error = {
      code: 'database_unavailable',
      message: 'The database does not answer; the status is unknown.',
    }
    return Response.json({ error }, { status: 503, headers })
  }
}
