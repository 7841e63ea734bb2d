import { jsonBody } from '@/lib/server/http/body'
import { addressParam } from '@/lib/server/http/params'
import { paymentRoute, requireService } from '@/lib/server/payment/http'
import { depositBody } from '@/lib/server/payment/schemas'
import { transactionJson } from '@/lib/server/payment/views'

export const dynamic = 'force-dynamic'

/** POST /api/payment/channels/{address}/deposit (consumer): adds funds; answers once mined. */
export const POST = paymentRoute<{ address: string }>(
  'channels.deposit',
  async ({ request, server, params }) => {
    const consumer = await requireService(request, server)
    const { amount } = await jsonBody(request, depositBody)
    const channel = await server.channels.forParty(addressParam(params.address), consumer, 'consumer')
    return transactionJson(
      'deposit',
      await server.channels.act(channel, consumer, 'deposit', [], BigInt(amount)),
    )
  },
)
