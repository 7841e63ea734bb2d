import { paymentRoute, requireAdmin } from '@/lib/server/payment/http'

export const dynamic = 'force-dynamic'

/** GET /api/payment/metrics (admin): Prometheus text format. */
export const GET = paymentRoute('metrics', async ({ request, server }) => {
  await requireAdmin(request, server)
  const { registry } = server.metrics
  return new Response(await registry.metrics(), {
    headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' },
  })
})
