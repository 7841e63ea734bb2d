import { jsonBody } from '@/lib/server/http/body'
import { addressParam } from '@/lib/server/http/params'
import { paymentRoute, requireService } from '@/lib/server/payment/http'
import { issueChannelBody } from '@/lib/server/payment/schemas'

export const dynamic = 'force-dynamic'

/** POST /api/payment/channels/{address}/tokens (consumer): the next `count` tokens of the channel. */
export const POST = paymentRoute<{ address: string }>(
  'tokens.issueForChannel',
  async ({ request, server, params }) => {
    const consumer = await requireService(request, server)
    const { count = 1 } = await jsonBody(request, issueChannelBody)
    const channel = await server.channels.forParty(addressParam(params.address), consumer, 'consumer')
    const issued = await server.issuer.issue({ channel, consumer, count })
    return { ...issued, tokenId: issued.tokenId.toString() }
  },
)
