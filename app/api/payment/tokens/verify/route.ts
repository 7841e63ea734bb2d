import { callOf } from '@/lib/server/http/body'
import { paymentRoute } from '@/lib/server/payment/http'
import { verifyTokens } from '@/lib/server/payment/tokensApi'

export const dynamic = 'force-dynamic'

/** POST /api/payment/tokens/verify (provider): see verifyTokens; `npm start` serves it on its fast path. */
export const POST = paymentRoute('tokens.verify', async ({ request, server }) =>
  verifyTokens(server, callOf(request)),
)
