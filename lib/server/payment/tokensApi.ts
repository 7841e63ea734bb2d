import { NotFoundError } from '../../errors'
import { type Call, jsonBody } from '../http/body'
import { Answer } from '../http/route'
import { requireService } from './http'
import { issueBody, verifyBody } from './schemas'
import type { PaymentServer } from './server'
import type { VerifyOutcome } from './verifier'
import { resolveProvider } from './views'

/**
 * The two calls every paid request makes, as functions of a {@link Call}: the Next.js
 * route handlers (`app/api/payment/tokens/**`) and the fast path (./fastPath) both answer
 * with them, so the two can never differ.
 */

/** POST /api/payment/tokens (consumer): the next `count` tokens for the caller's open channel to a provider. */
export async function issueTokens(server: PaymentServer, call: Call) {
  const consumer = await requireService(call, server)
  const { provider, count = 1 } = await jsonBody(call, issueBody)
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
}

const outcomeJson = (o: VerifyOutcome) =>
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
export async function verifyTokens(server: PaymentServer, call: Call) {
  const provider = await requireService(call, server)
  const body = await jsonBody(call, verifyBody)
  if ('tokens' in body)
    return { results: (await server.verifier.verifyMany(provider, body.tokens)).map(outcomeJson) }
  const outcome = await server.verifier.verify(provider, body.token)
  if (outcome.accepted) return outcomeJson(outcome)
  return new Answer(outcome.status, { error: { code: outcome.code, message: outcome.message } })
}
