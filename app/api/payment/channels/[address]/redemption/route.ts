import { addressParam } from '@/lib/server/http/params'
import { paymentRoute, requireService } from '@/lib/server/payment/http'
import { transactionJson } from '@/lib/server/payment/views'

export const dynamic = 'force-dynamic'

/**
 * POST /api/payment/channels/{address}/redemption (provider): starts a redemption of the active
 * token ID now; the background runner completes it after the timeout with the highest token.
 */
export const POST = paymentRoute<{ address: string }>(
  'channels.redeem',
  async ({ request, server, params }) => {
    const provider = await requireService(request, server)
    const channel = await server.channels.forParty(addressParam(params.address), provider, 'provider')
    const { state } = await server.chainView.get(channel.address, { maxAgeMs: 0 })
    const sent = await server.channels.act(channel, provider, 'startRedemption', [state.lastTokenId + 1n])
    return transactionJson('startRedemption', sent)
  },
)
