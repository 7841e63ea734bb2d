import {
  type Attributes,
  type Context,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api'
import { isRecord } from './http'
import type { Payment, VerifyResult } from './provider'
import { parseToken } from './token'

/**
 * OpenTelemetry spans of a paid call, through `@opentelemetry/api` only: without an SDK
 * registered by the service every call here is the API's no-op. The consumer's `fetch` makes a
 * CLIENT span `payment.fetch` and sends W3C `traceparent` to the provider; the provider's
 * middleware makes `payment.verify` in the same trace. uint256 values are decimal strings
 * (exact, as in the Payment Server's API); a number would round past 2^53.
 */

/** The attribute names of the payment spans. */
export const PAYMENT_ATTRIBUTES = {
  /** The consumer's channel (0x address, lowercase). */
  channel: 'payment.channel',
  /** The token ID within the channel. */
  tokenId: 'payment.token_id',
  /** The request count the token signs (cumulative on its token ID). */
  requests: 'payment.requests',
  /** What the accepted token pays in total so far, wei (provider side: the consumer's token does not carry it). */
  valueWei: 'payment.value_wei',
  /** The route's price, wei per request, when the middleware has one. */
  priceWei: 'payment.price_wei',
  /** The provider the consumer pays (the name or address given to `fetch`). */
  provider: 'payment.provider',
  /** The refusal's code: the provider's 402/503, or the Payment Server's refusal to issue. */
  refusalCode: 'payment.refusal_code',
} as const

const TRACER = '@channel-inspector/payment-client'

/** Looked up per span, so that a provider registered after this module loaded is used. */
const tracer = () => trace.getTracer(TRACER)

/** A request's headers as the middleware reads them. */
export type HeaderSource = {
  get: (name: string) => string | string[] | null | undefined
  keys: () => Iterable<string>
}

const headerGetter: TextMapGetter<HeaderSource> = {
  get: (carrier, key) => carrier.get(key) ?? undefined,
  keys: (carrier) => [...carrier.keys()],
}

/** The channel, token ID and count of a wire token, or none when it cannot be read. */
export function tokenAttributes(wire: string | string[] | null | undefined): Attributes {
  if (typeof wire !== 'string') return {}
  try {
    const { token } = parseToken(wire.trim())
    return {
      [PAYMENT_ATTRIBUTES.channel]: token.channel.toLowerCase(),
      [PAYMENT_ATTRIBUTES.tokenId]: token.tokenId.toString(),
      [PAYMENT_ATTRIBUTES.requests]: token.requests.toString(),
    }
  } catch {
    return {}
  }
}

function paymentAttributes({ channel, tokenId, requests, value }: Payment): Attributes {
  return {
    [PAYMENT_ATTRIBUTES.channel]: channel,
    [PAYMENT_ATTRIBUTES.tokenId]: tokenId.toString(),
    [PAYMENT_ATTRIBUTES.requests]: requests.toString(),
    [PAYMENT_ATTRIBUTES.valueWei]: value.toString(),
  }
}

function refused(span: Span, code: string, message: string): void {
  span.setAttribute(PAYMENT_ATTRIBUTES.refusalCode, code)
  span.setStatus({ code: SpanStatusCode.ERROR, message: `${code}: ${message}` })
}

/**
 * Runs the provider's verification of one request in a span `payment.verify` and gives its
 * result and the context the route's handler should run in (the request's trace).
 *
 * The span covers the verification, not the whole request: a service with HTTP
 * instrumentation already has the request's SERVER span active, and a second one around the
 * handler would double it; `payment.verify` is then its INTERNAL child. Without one, the span is
 * the provider's SERVER span continuing the caller's `traceparent` (extracted here), so the
 * paid call still shows up on the provider side of the consumer's trace; the handler then runs
 * in that caller's context, so its own spans join the trace too.
 */
export async function traceVerification<R extends VerifyResult>({
  headers,
  price,
  verify,
}: {
  headers: HeaderSource
  price: string | undefined
  verify: () => Promise<R>
}): Promise<{ result: R; context: Context }> {
  const active = context.active()
  const served = trace.getSpan(active) !== undefined
  const parent = served ? active : propagation.extract(active, headers, headerGetter)
  const span = tracer().startSpan(
    'payment.verify',
    { kind: served ? SpanKind.INTERNAL : SpanKind.SERVER },
    parent,
  )
  // The token is read for its attributes only for a span an SDK records: without one, a paid
  // request parses its token once (the verifier's), not twice.
  if (span.isRecording()) {
    span.setAttributes(tokenAttributes(headers.get('payment-token')))
    if (price !== undefined) span.setAttribute(PAYMENT_ATTRIBUTES.priceWei, price)
  }
  try {
    const result = await context.with(trace.setSpan(parent, span), verify)
    if (result.accepted) span.setAttributes(paymentAttributes(result))
    else refused(span, result.code, result.message)
    return { result, context: parent }
  } finally {
    span.end()
  }
}

/** Writes `traceparent` (and the registered propagator's other fields) into `headers`. */
const headerSetter = { set: (carrier: Headers, key: string, value: string) => carrier.set(key, value) }

/**
 * Runs the consumer's paid call in a CLIENT span `payment.fetch`: `call` gets a token, sets its
 * attributes with `onToken`, injects the trace context into the provider request's headers with
 * `inject`, and calls the provider. A 4xx/5xx answer with the product's `{ error: { code } }`
 * (the provider's 402) marks the span as refused with that code; so does a PaymentError (the
 * Payment Server refusing to issue a token), which is rethrown.
 */
export async function traceFetch(
  provider: string,
  call: (hooks: { onToken: (wire: string) => void; inject: (headers: Headers) => void }) => Promise<Response>,
): Promise<Response> {
  const span = tracer().startSpan('payment.fetch', {
    kind: SpanKind.CLIENT,
    attributes: { [PAYMENT_ATTRIBUTES.provider]: provider },
  })
  const inSpan = trace.setSpan(context.active(), span)
  try {
    const response = await context.with(inSpan, () =>
      call({
        onToken: (wire) => {
          if (span.isRecording()) span.setAttributes(tokenAttributes(wire))
        },
        inject: (headers) => propagation.inject(inSpan, headers, headerSetter),
      }),
    )
    span.setAttribute('http.response.status_code', response.status)
    if (response.status >= 400) {
      // The refusal's code is read only for a span an SDK records (no SDK: nothing is read).
      const code = span.isRecording() ? await errorCodeOf(response) : undefined
      if (code) refused(span, code, `the provider answered ${response.status}`)
      else span.setStatus({ code: SpanStatusCode.ERROR, message: `the provider answered ${response.status}` })
    }
    return response
  } catch (error) {
    const code = isRecord(error) && typeof error.code === 'string' ? error.code : undefined
    if (code) refused(span, code, error instanceof Error ? error.message : 'refused')
    else span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) })
    if (error instanceof Error) span.recordException(error)
    throw error
  } finally {
    span.end()
  }
}

/** Largest error body read for its code: the product's refusals are a few hundred bytes. */
const MAX_ERROR_BODY = 16 * 1024

/**
 * The `error.code` of a JSON error answer, read from a copy so the caller still gets the body;
 * only from a body of a declared, small length (a streamed one would hold the answer back).
 */
async function errorCodeOf(response: Response): Promise<string | undefined> {
  const length = Number(response.headers.get('content-length') ?? Number.NaN)
  if (!response.headers.get('content-type')?.includes('json') || !(length <= MAX_ERROR_BODY)) return undefined
  try {
    const body: unknown = await response.clone().json()
    const error = isRecord(body) ? body.error : undefined
    return isRecord(error) && typeof error.code === 'string' ? error.code : undefined
  } catch {
    return undefined
  }
}
