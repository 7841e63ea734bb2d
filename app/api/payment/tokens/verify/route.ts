import { jsonBody, paymentRoute, requireService } from '@/lib/server/payment/http'
import { verifyBody } from '@/lib/server/payment/schemas'
import type { VerifyOutcome } from '@/lib/server/payment/verifier'

export const dynamic = 'force-dynamic'

const json = (o: VerifyOutcome) =>
  o.accepted
    ? {
        accepted: true,
        channel: o.channel,
        tokenId: o.tokenId.toString(),
        requests: o.requests.toString(),
        value: o.value.toString(),
      }
    : { accepted: false, error: { code: o.code, message: o.message } }

/**
 * POST /api/payment/tokens/verify (provider): `{token}` answers 200 when accepted, else the
 * refusal's status (402, 400 malformed, 403 not the provider) with its code and sentence;
 * `{tokens: [...]}` answers 200 with one result per token, in order.
 */
export const POST = paymentRoute('tokens.verify', async ({ request, server }) => {
  const provider = await requireService(request, server)
  const body = await jsonBody(request, verifyBody)
  if ('tokens' in body)
    return { results: (await server.verifier.verifyMany(provider, body.tokens)).map(json) }
  const outcome = await server.verifier.verify(provider, body.token)
  if (outcome.accepted) return json(outcome)
  return Response.json(
    { error: { code: outcome.code, message: outcome.message } },
    {
      status: outcome.status,
      headers: { 'cache-control': 'no-store' },
    },
  )
})
