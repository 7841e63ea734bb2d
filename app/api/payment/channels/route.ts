import { ConflictError } from '@/lib/errors'
import { jsonBody } from '@/lib/server/http/body'
import { paymentRoute, requireService } from '@/lib/server/payment/http'
import { openChannelBody } from '@/lib/server/payment/schemas'
import { channelJson, resolveProvider } from '@/lib/server/payment/views'

export const dynamic = 'force-dynamic'

/** GET /api/payment/channels: the caller's channels, as consumer or provider. */
export const GET = paymentRoute('channels.list', async ({ request, server }) => {
  const service = await requireService(request, server)
  const channels = await server.channels.listFor(service)
  return { channels: await Promise.all(channels.map((c) => channelJson(server, c))) }
})

/**
 * POST /api/payment/channels: get-or-create the caller's open channel to a provider (200 when
 * it exists, 201 when deployed now through the factory, paid by the caller).
 */
export const POST = paymentRoute('channels.open', async ({ request, server }) => {
  const consumer = await requireService(request, server)
  const body = await jsonBody(request, openChannelBody)
  const provider = await resolveProvider(server, body.provider)
  if (provider.address === consumer.address) {
    throw new ConflictError({
      code: 'invalid_provider',
      message: 'A service cannot open a channel to itself.',
    })
  }
  const costPerRequest = body.costPerRequest ? BigInt(body.costPerRequest) : provider.service?.price
  if (!costPerRequest) {
    throw new ConflictError({
      code: 'price_required',
      message: 'The provider has no price on this server: give costPerRequest.',
    })
  }
  const redemptionTimeout = BigInt(body.redemptionTimeout ?? 60)
  const { channel, created } = await server.channels.open({
    consumer,
    provider: provider.address,
    costPerRequest,
    deposit: BigInt(body.deposit ?? '0'),
    redemptionTimeout,
    terminationTimeout: BigInt(body.terminationTimeout ?? Math.max(900, Number(redemptionTimeout) * 3)),
    autoFund: body.autoFund
      ? { threshold: BigInt(body.autoFund.threshold), amount: BigInt(body.autoFund.amount) }
      : null,
  })
  return Response.json(
    { channel: await channelJson(server, channel), created },
    { status: created ? 201 : 200, headers: { 'cache-control': 'no-store' } },
  )
})
