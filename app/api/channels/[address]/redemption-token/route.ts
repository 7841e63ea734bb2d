import { redemptionToken, redemptionTokenBody } from '@/lib/server/admin/redemptionToken'
import { explorerRoute } from '@/lib/server/explorer/http'
import { jsonBody } from '@/lib/server/http/body'
import { addressParam } from '@/lib/server/http/params'

export const dynamic = 'force-dynamic'

/**
 * POST /api/channels/{address}/redemption-token: the highest token the Payment Server accepted
 * for a token ID of the channel, for its provider (body signed with the provider's wallet).
 */
export const POST = explorerRoute<{ address: string }>(
  'channels.redemptionToken',
  async ({ ctx, params, request }) =>
    redemptionToken({
      ctx,
      channel: addressParam(params.address),
      body: await jsonBody(request, redemptionTokenBody),
    }),
)
