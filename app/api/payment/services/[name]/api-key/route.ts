import { paymentRoute, requireAdmin } from '@/lib/server/payment/http'
import { serviceJson } from '@/lib/server/payment/views'

export const dynamic = 'force-dynamic'

/** POST /api/payment/services/{name}/api-key (admin): a new API key; the old one stops working. */
export const POST = paymentRoute<{ name: string }>(
  'services.rotateKey',
  async ({ request, server, params }) => {
    await requireAdmin(request, server)
    const { service, apiKey } = await server.services.rotateApiKey(params.name)
    return Response.json(
      { service: serviceJson(service), apiKey },
      { status: 201, headers: { 'cache-control': 'no-store' } },
    )
  },
)
