import { serverContext } from '@/lib/server/context'
import { checkHealth } from '@/lib/server/health'

export const dynamic = 'force-dynamic'

/** GET /api/health: database and chain reachability; 200 when both answer, else 503. */
export async function GET(): Promise<Response> {
  const health = await checkHealth(serverContext())
  return Response.json(health, {
    status: health.status === 'ok' ? 200 : 503,
    headers: { 'cache-control': 'no-store' },
  })
}
