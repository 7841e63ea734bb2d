import { NotFoundError } from '@/lib/errors'
import { jsonBody, paymentRoute, requireService } from '@/lib/server/payment/http'
import { issueBody } from '@/lib/server/payment/schemas'
import { resolveProvider } from '@/lib/server/payment/views'

export const dynamic = 'force-dynamic'

/** POST /api/payment/tokens (consumer): the next `count` tokens for the caller's open channel to a provider. */
export const POST = paymentRoute('tokens.issue', async ({ request, server }) => {
  const consumer = await requireService(request, server)
  const { provider, count = 1 } = await jsonBody(request, issueBody)
  const { address } = await resolveProvider(server, provider)
  const channel = await server.channels.openChannel(consumer, address)
  if (!channel) {
    throw new NotFoundError({
      code: 'no_channel',
      message: `Service ${consumer.name} has no open channel to ${provider}.`,
      hints: ['Open one with POST /api/payment/channels.'],
    })
  }
  const issued = await server.issuer.issue({ channel, consumer, count })
  return { ...issued, tokenId: issued.tokenId.toString() }
})
