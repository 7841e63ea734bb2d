import { type Context, context } from '@opentelemetry/api'
import { routePriceOf } from '../price'
import {
  type Payment,
  type PaymentVerifier,
  paymentOf,
  refusalBody,
  unavailableResult,
  type VerifyOptions,
  type VerifyRefusal,
} from '../provider'
import { TOKEN_HEADER } from '../token'
import { type HeaderSource, traceVerification } from '../tracing'

/**
 * The one implementation behind every framework's middleware (./express, ./fastify, ./hono,
 * ./koa, ./next): each only reads its request's headers, answers a refusal, and hands the
 * payment to its handler in its own way.
 */

/** What every middleware takes besides the verifier. */
export type PaymentMiddlewareOptions = VerifyOptions

/** Headers of every refusal: JSON, and never cached (the same request may be paid next time). */
export const REFUSAL_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' } as const

/** The verdict on one request: the payment, or what to answer; and the context to run the handler in. */
export type Verdict = { context: Context } & (
  | { accepted: true; payment: Payment }
  | { accepted: false; status: number; body: ReturnType<typeof refusalBody>; refusal: VerifyRefusal }
)

/**
 * Judges one request from its headers; never rejects. `paid` is the payment an earlier gate of
 * the same request accepted (gates stacked: an app-wide one and a route's): its token is not
 * sent again, which would be refused as count_already_accepted after the consumer paid.
 */
export type PaymentGate = (headers: HeaderSource, paid?: Payment | null) => Promise<Verdict>

/**
 * The gate of one route: verifies the request's `payment-token` (at the route's `price`) in a
 * `payment.verify` span. A bad `price` throws a RangeError here, when the route is set up.
 */
export function createPaymentGate(
  verifier: PaymentVerifier,
  { price, category }: PaymentMiddlewareOptions = {},
): PaymentGate {
  const wei = routePriceOf(price)
  const weiValue = wei === undefined ? undefined : BigInt(wei)
  return async (headers, paid) => {
    if (paid) return paidBefore(paid, weiValue)
    const { result, context } = await traceVerification({
      headers,
      price: wei,
      // A verifier that rejects (a custom one) fails closed. Node joins repeated custom headers
      // with ', ', which parseToken then refuses as malformed.
      verify: () =>
        verifier.verify(joined(headers.get(TOKEN_HEADER)), { price: wei, category }).catch(unavailableResult),
    })
    if (result.accepted) return { accepted: true, payment: paymentOf(result), context }
    return { accepted: false, status: result.status, body: refusalBody(result), refusal: result, context }
  }
}

/**
 * A request an earlier gate accepted: served if its channel pays this route's price too (a
 * token's value is its count times the channel's price per request), else refused as the
 * Payment Server refuses a channel paying less; the count stays accepted, so the message
 * names the misconfiguration.
 */
function paidBefore(payment: Payment, price: bigint | undefined): Verdict {
  const active = context.active()
  if (price === undefined || payment.value >= price * payment.requests)
    return { accepted: true, payment, context: active }
  const perRequest = payment.value / payment.requests
  const refusal: VerifyRefusal = {
    accepted: false,
    status: 402,
    code: 'terms_rejected',
    message: `The request was paid ${perRequest} wei by an earlier payment middleware; this route costs ${price} wei. Charge a request with one payment middleware, at the route's price.`,
  }
  return { accepted: false, status: 402, body: refusalBody(refusal), refusal, context: active }
}

const joined = (value: string | string[] | null | undefined) =>
  Array.isArray(value) ? value.join(', ') : value

/** Runs `next` (the route's handler) in the request's trace context. */
export const inContext = <T>(verdict: Verdict, next: () => T): T => context.with(verdict.context, next)

/** Node's (and Express's, Fastify's, Koa's) `req.headers` as a {@link HeaderSource}. */
export function nodeHeaders(headers: Record<string, string | string[] | undefined>): HeaderSource {
  return { get: (name) => headers[name], keys: () => Object.keys(headers) }
}

/** Web `Headers` (Next.js, Hono) as a {@link HeaderSource}. */
export function webHeaders(headers: Headers): HeaderSource {
  return { get: (name) => headers.get(name), keys: () => headers.keys() }
}
