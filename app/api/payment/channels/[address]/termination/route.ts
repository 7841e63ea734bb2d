import { addressParam } from '@/lib/server/http/params'
import { paymentRoute, requireService } from '@/lib/server/payment/http'
import { transactionJson } from '@/lib/server/payment/views'

export const dynamic = 'force-dynamic'

/**
 * POST /api/payment/channels/{address}/termination: the consumer announces termination (the
 * runner terminates after the deadline and withdraws the refund); the provider terminates at
 * once (redeem first: a pending redemption is void after termination).
 */
export const POST = paymentRoute<{ address: string }>(
  'channels.terminate',
  async ({ request, server, params }) => {
    const service = await requireService(request, server)
    const channel = await server.channels.forParty(addressParam(params.address), service)
    const action = channel.consumerServiceId === service.id ? 'startTermination' : 'terminate'
    return transactionJson(action, await server.channels.act(channel, service, action))
  },
)
