import { callOf } from '@/lib/server/http/body'
import { paymentRoute } from '@/lib/server/payment/http'
import { issueTokens } from '@/lib/server/payment/tokensApi'

export const dynamic = 'force-dynamic'

/** POST /api/payment/tokens (consumer): see issueTokens; `npm start` serves it on its fast path. */
export const POST = paymentRoute('tokens.issue', async ({ request, server }) =>
  issueTokens(server, callOf(request)),
)
