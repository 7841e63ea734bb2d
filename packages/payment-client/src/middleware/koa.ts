import type { Middleware } from 'koa'
import type { Payment, PaymentVerifier } from '../provider'
import {
  createPaymentGate,
  inContext,
  nodeHeaders,
  type PaymentMiddlewareOptions,
  REFUSAL_HEADERS,
} from './core'

/** What {@link koaPayment} adds to `ctx.state`. */
export type PaymentState = { payment: Payment }

/**
 * Koa (2, 3) middleware: verifies the `payment-token` header at the route's `price`, then sets
 * `ctx.state.payment = { channel, tokenId, requests, value }` and awaits `next()`, or answers
 * 402 (503 when the Payment Server cannot judge the token) with `{ error: { code, message } }`
 * without calling `next`. Throws a RangeError for a bad price.
 *
 * @example
 * router.post('/invoices', koaPayment(verifier, { price: 1_000n }), (ctx) => {
 *   ctx.body = { paidBy: ctx.state.payment.channel }
 * })
 */
export function koaPayment(
  verifier: PaymentVerifier,
  options?: PaymentMiddlewareOptions,
): Middleware<PaymentState> {
  const gate = createPaymentGate(verifier, options)
  return async (ctx, next) => {
    const verdict = await gate(nodeHeaders(ctx.headers), ctx.state.payment)
    if (!verdict.accepted) {
      ctx.status = verdict.status
      ctx.set(REFUSAL_HEADERS)
      ctx.body = verdict.body
      return
    }
    ctx.state.payment = verdict.payment
    await inContext(verdict, next)
  }
}

export type { PaymentMiddlewareOptions } from './core'
