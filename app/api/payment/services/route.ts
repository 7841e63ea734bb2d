import { jsonBody } from '@/lib/server/http/body'
import { callerOf, paymentRoute, requireAdmin } from '@/lib/server/payment/http'
import { createServiceBody } from '@/lib/server/payment/schemas'
import { serviceJson } from '@/lib/server/payment/views'

export const dynamic = 'force-dynamic'

/** GET /api/payment/services: every service (admin) or the caller's own (service key). */
export const GET = paymentRoute('services.list', async ({ request, server }) => {
  const caller = await callerOf(request, server)
  const services = caller.kind === 'admin' ? await server.services.list() : [caller.service]
  return { services: services.map(serviceJson) }
})

/** POST /api/payment/services (admin): registers a service; its API key is in this answer only. */
export const POST = paymentRoute('services.create', async ({ request, server }) => {
  await requireAdmin(request, server)
  const body = await jsonBody(request, createServiceBody)
  const { service, apiKey } = await server.services.register({
    name: body.name,
    team: body.team,
    price: body.price === undefined ? null : BigInt(body.price),
    key: body.key,
  })
  return Response.json(
    { service: serviceJson(service), apiKey },
    { status: 201, headers: { 'cache-control': 'no-store' } },
  )
})
