import { env } from '@/lib/server/env'
import { paymentRoute } from '@/lib/server/payment/http'

export const dynamic = 'force-dynamic'

/** GET /api/payment/health (no key needed, no secrets): database, chain and runner of this process. */
export const GET = paymentRoute('health', async ({ server }) => {
  const [database, head] = await Promise.all([
    server.db.$queryRaw`SELECT 1`.then(() => true).catch(() => false),
    server.client
      .getBlockNumber()
      .then(String)
      .catch(() => null),
  ])
  const ok = database && head !== null
  return Response.json(
    {
      status: ok ? 'ok' : 'degraded',
      chainId: server.chainId,
      database: database ? 'ok' : 'unavailable',
      chainHead: head,
      runner: env().PAYMENT_RUNNER === 'off' ? 'off' : server.runner.isLeader() ? 'leader' : 'standby',
    },
    { status: ok ? 200 : 503, headers: { 'cache-control': 'no-store' } },
  )
})
