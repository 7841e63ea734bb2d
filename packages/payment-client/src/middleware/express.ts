import type { Payment, PaymentVerifier } from '../provider'
import {
  createPaymentGate,
  inContext,
  nodeHeaders,
  type PaymentMiddlewareOptions,
  REFUSAL_HEADERS,
} from './core'

/** The part of Node's IncomingMessage (and Express's Request) the middleware uses. */
export type PaidRequest = { headers: Record<string, string | string[] | undefined>; payment?: Payment }

/** The part of Node's ServerResponse (and Express's Response) the middleware uses. */
export type NodeResponse = {
  statusCode: number
  setHeader: (name: string, value: string) => unknown
  end: (body: string) => unknown
}

declare global {
  // Express's own way for middleware to type what it adds to the request (as passport does).
  namespace Express {
    interface Request {
      /** The accepted payment, set by paymentRequired() before the route's handler runs. */
      payment?: Payment
    }
  }
}

/**
 * Express (4, 5) and plain `node:http` middleware: verifies the `payment-token` header at the
 * route's `price`, then sets `req.payment = { channel, tokenId, requests, value }` and calls
 * `next()`, or answers 402 (503 when the Payment Server cannot judge the token) with
 * `{ error: { code, message } }` and does not call `next`. Throws a RangeError for a bad price.
 *
 * @example
 * app.post('/invoices', paymentRequired(verifier, { price: 1_000n }), (req, res) => {
 *   res.json({ paidBy: req.payment!.channel })
 * })
 */
export function paymentRequired(verifier: PaymentVerifier, options?: PaymentMiddlewareOptions) {
  const gate = createPaymentGate(verifier, options)
  return (req: PaidRequest, res: NodeResponse, next: (error?: unknown) => void): void => {
    gate(nodeHeaders(req.headers), req.payment)
      .then((verdict) => {
        if (!verdict.accepted) {
          res.statusCode = verdict.status
          for (const [name, value] of Object.entries(REFUSAL_HEADERS)) res.setHeader(name, value)
          res.end(JSON.stringify(verdict.body))
          return
        }
        req.payment = verdict.payment
        inContext(verdict, () => next())
      })
      // Only a throwing response or next() lands here; hand it to the framework's error path.
      .catch(next)
  }
}

export type { PaymentMiddlewareOptions } from './core'
