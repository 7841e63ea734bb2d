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
import { CATEGORY_HEADER, isTokenV2Wire, parseTokenV2 } from '../tokenV2'
import { type HeaderSource, traceVerification } from '../tracing'

/**
 * The one implementation behind every framework's middleware (./express, ./fastify, ./hono,
 * ./koa, ./next): each only reads its request's headers, answers a refusal, and hands the
 * payment to its handler in its own way.
 */

/** What every middleware takes besides the verifier. */
export type PaymentMiddlewareOptions = Omit<VerifyOptions, 'category'> & {
  /**
   * Version 2 channels: the request category the route charges (index or name; default the
   * first), or `'*'`: any category of the channel, the one the consumer names in the
   * `payment-category` header (its library sets it). A route serving callers that trace their
   * downstream requests by origin (thesis 3.4) takes `'*'`; `price` is then checked against
   * the price of the token's category, and the Payment Server's checks stay whole: a count of
   * another category, an incomparable token, a stranger's token are refused as on any route.
   */
  category?: number | string | '*'
}

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
    if (paid) return paidBefore(paid, weiValue, category)
    const token = joined(headers.get(TOKEN_HEADER))
    const charged =
      category === '*' ? categoryOfRequest(token, joined(headers.get(CATEGORY_HEADER))) : category
    const { result, context } = await traceVerification({
      headers,
      price: wei,
      // A verifier that rejects (a custom one) fails closed. Node joins repeated custom headers
      // with ', ', which parseToken then refuses as malformed.
      verify: async () =>
        typeof charged === 'object'
          ? charged
          : verifier.verify(token, { price: wei, category: charged }).catch(unavailableResult),
    })
    if (result.accepted) {
      const payment = paymentOf(result)
      if (typeof charged === 'string') chargedName.set(payment, charged)
      return { accepted: true, payment, context }
    }
    return { accepted: false, status: result.status, body: refusalBody(result), refusal: result, context }
  }
}

/** The category name a gate charged a payment in, when it was given by name (the verdict names its index). */
const chargedName = new WeakMap<Payment, string>()

/**
 * A request an earlier gate accepted: served if its channel pays this route's price too (a
 * token's value is its count times the channel's price per request) and, on a version 2
 * channel, it was paid in this route's category (the same index, or the same name given to the
 * earlier gate; a route of any category, `'*'`, takes any); else refused as the Payment Server
 * refuses a channel paying less. The count stays accepted, so the message names the
 * misconfiguration.
 */
function paidBefore(
  payment: Payment,
  price: bigint | undefined,
  category: number | string | undefined,
): Verdict {
  const active = context.active()
  const refuse = (message: string): Verdict => {
    const refusal: VerifyRefusal = { accepted: false, status: 402, code: 'terms_rejected', message }
    return { accepted: false, status: 402, body: refusalBody(refusal), refusal, context: active }
  }
  if (payment.category !== undefined && category !== '*') {
    const wanted = category ?? 0
    const same =
      typeof wanted === 'number' ? payment.category === wanted : chargedName.get(payment) === wanted
    if (!same) {
      return refuse(
        `The request was paid in category ${chargedName.get(payment) ?? payment.category} by an earlier payment middleware; this route charges category ${wanted}. Charge a request with one payment middleware, in the route's category.`,
      )
    }
  }
  if (price === undefined || payment.value >= price * payment.requests)
    return { accepted: true, payment, context: active }
  const perRequest = payment.value / payment.requests
  return refuse(
    `The request was paid ${perRequest} wei by an earlier payment middleware; this route costs ${price} wei. Charge a request with one payment middleware, at the route's price.`,
  )
}

const joined = (value: string | string[] | null | undefined) =>
  Array.isArray(value) ? value.join(', ') : value

/**
 * The category a `'*'` route charges: the index in the consumer's `payment-category` header;
 * none for a v1 token (no categories) or a one-category token (its only one); else a refusal
 * `category_missing` (402, as a missing token: nothing was judged). Whether the token's
 * count of that category is new, its price the route's and so on, the Payment Server decides.
 */
function categoryOfRequest(token: string | null | undefined, header: string | null | undefined) {
  const value = header?.trim()
  if (value && /^[0-7]$/.test(value)) return Number(value)
  if (value) {
    return refused(
      'category_malformed',
      `The ${CATEGORY_HEADER} header must be the index of the request's category (0 to 7), not ${JSON.stringify(value.slice(0, 20))}.`,
    )
  }
  if (!isTokenV2Wire(token?.trim())) return undefined
  try {
    if (parseTokenV2((token as string).trim()).token.requests.length === 1) return 0
  } catch {
    return undefined // malformed: the verifier refuses it as such
  }
  return refused(
    'category_missing',
    `This route serves any category of the channel: name the request's category in the ${CATEGORY_HEADER} header (the client library sets it).`,
  )
}

const refused = (code: string, message: string): VerifyRefusal => ({
  accepted: false,
  status: 402,
  code,
  message,
})

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
