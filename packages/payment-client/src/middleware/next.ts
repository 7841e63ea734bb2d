import type { Payment, PaymentVerifier } from '../provider'
import {
  createPaymentGate,
  inContext,
  type PaymentMiddlewareOptions,
  REFUSAL_HEADERS,
  webHeaders,
} from './core'

/**
 * Wraps a Next.js route handler (or any web-standard `(Request) => Response` one): verifies the
 * `payment-token` header at the route's `price`, then calls `handler(request, ctx, payment)`,
 * or answers 402 (503 when the Payment Server cannot judge the token) with
 * `{ error: { code, message } }` without calling it. Uses only the web `Request`/`Response`,
 * so it needs nothing from `next`. Throws a RangeError for a bad price.
 *
 * @example
 * // app/api/invoices/route.ts
 * export const POST = withPayment(verifier, async (request, ctx, payment) =>
 *   Response.json({ paidBy: payment.channel }), { price: '1000' })
 */
export function withPayment<C>(
  verifier: PaymentVerifier,
  handler: (request: Request, ctx: C, payment: Payment) => Response | Promise<Response>,
  options?: PaymentMiddlewareOptions,
): (request: Request, ctx: C) => Promise<Response> {
  const gate = createPaymentGate(verifier, options)
  return async (request, ctx) => {
    const verdict = await gate(webHeaders(request.headers))
    if (!verdict.accepted) {
      return new Response(JSON.stringify(verdict.body), { status: verdict.status, headers: REFUSAL_HEADERS })
    }
    return inContext(verdict, () => handler(request, ctx, verdict.payment))
  }
}

export type { PaymentMiddlewareOptions } from './core'
