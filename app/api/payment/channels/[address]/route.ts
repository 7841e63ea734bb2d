import { jsonBody } from '@/lib/server/http/body'
import { addressParam } from '@/lib/server/http/params'
import { paymentRoute, requireService } from '@/lib/server/payment/http'
import { patchChannelBody } from '@/lib/server/payment/schemas'
import { channelJson } from '@/lib/server/payment/views'

export const dynamic = 'force-dynamic'

type Params = { address: string }

/** GET /api/payment/channels/{address}: state on chain and on this server (parties only). */
export const GET = paymentRoute<Params>('channels.get', async ({ request, server, params }) => {
  const service = await requireService(request, server)
  const channel = await server.channels.forParty(addressParam(params.address), service)
  return { channel: await channelJson(server, channel) }
})

/** PATCH /api/payment/channels/{address} (consumer): sets or clears auto-funding. */
export const PATCH = paymentRoute<Params>('channels.patch', async ({ request, server, params }) => {
  const service = await requireService(request, server)
  const body = await jsonBody(request, patchChannelBody)
  const channel = await server.channels.forParty(addressParam(params.address), service, 'consumer')
  const autoFund = body.autoFund
    ? { threshold: BigInt(body.autoFund.threshold), amount: BigInt(body.autoFund.amount) }
    : null
  await server.channels.setAutoFund(channel, autoFund)
  return { channel: await channelJson(server, { ...channel, autoFund }) }
})
