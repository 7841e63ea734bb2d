import type { MiddlewareHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Payment, PaymentVerifier } from '../provider'
import {
  createPaymentGate,
  inContext,
  type PaymentMiddlewareOptions,
  REFUSAL_HEADERS,
  webHeaders,
} from './core'

/** The variables {@link honoPayment} sets: `c.get('payment')` in the handler. */
export type PaymentVariables = { payment: Payment }

/**
 * Hono (4) middleware: verifies the `payment-token` header at the route's `price`, then sets
 * `c.set('payment', { channel, tokenId, requests, value })` and awaits `next()`, or answers 402
 * (503 when the Payment Server cannot judge the token) with `{ error: { code, message } }`
 * without calling `next`. Typed: `c.get('payment')` is a Payment in the route's handler.
 * Throws a RangeError for a bad price.
 *
 * @example
 * app.post('/invoices', honoPayment(verifier, { price: 1_000n }), (c) => c.json({ paidBy: c.get('payment').channel }))
 */
export function honoPayment(
  verifier: PaymentVerifier,
  options?: PaymentMiddlewareOptions,
): MiddlewareHandler<{ Variables: PaymentVariables }> {
  const gate = createPaymentGate(verifier, options)
  return async (c, next) => {
    const verdict = await gate(webHeaders(c.req.raw.headers), c.get('payment'))
    if (!verdict.accepted)
      return c.json(verdict.body, verdict.status as ContentfulStatusCode, REFUSAL_HEADERS)
    c.set('payment', verdict.payment)
    await inContext(verdict, next)
  }
}

export type { PaymentMiddlewareOptions } from './core'
