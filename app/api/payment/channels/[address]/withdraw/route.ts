import { addressParam } from '@/lib/server/http/params'
import { paymentRoute, requireService } from '@/lib/server/payment/http'
import { transactionJson } from '@/lib/server/payment/views'

export const dynamic = 'force-dynamic'

/** POST /api/payment/channels/{address}/withdraw: the provider's earnings, or the consumer's refund after termination. */
export const POST = paymentRoute<{ address: string }>(
  'channels.withdraw',
  async ({ request, server, params }) => {
    const service = await requireService(request, server)
    const channel = await server.channels.forParty(addressParam(params.address), service)
    return transactionJson('withdraw', await server.channels.act(channel, service, 'withdraw'))
  },
)
