import type { FastifyPluginCallback, preHandlerHookHandler } from 'fastify'
import type { Payment, PaymentVerifier } from '../provider'
import {
  createPaymentGate,
  inContext,
  nodeHeaders,
  type PaymentMiddlewareOptions,
  REFUSAL_HEADERS,
} from './core'

declare module 'fastify' {
  interface FastifyRequest {
    /** The accepted payment, set by the payment preHandler before the route's handler runs. */
    payment: Payment | null
  }
}

/**
 * A Fastify (5) `preHandler` for one route: verifies the `payment-token` header at the route's
 * `price`, then sets `request.payment = { channel, tokenId, requests, value }`, or answers 402
 * (503 when the Payment Server cannot judge the token) with `{ error: { code, message } }`
 * and the handler does not run. Throws a RangeError for a bad price.
 *
 * @example
 * app.post('/invoices', { preHandler: paymentPreHandler(verifier, { price: 1_000n }) }, async (request) => ({
 *   paidBy: request.payment!.channel,
 * }))
 */
export function paymentPreHandler(
  verifier: PaymentVerifier,
  options?: PaymentMiddlewareOptions,
): preHandlerHookHandler {
  const gate = createPaymentGate(verifier, options)
  // Callback style, not async: done() runs the handler inside the request's trace context.
  return (request, reply, done) => {
    gate(nodeHeaders(request.headers), request.payment).then(
      (verdict) => {
        try {
          if (!verdict.accepted) {
            reply.code(verdict.status).headers(REFUSAL_HEADERS).send(verdict.body)
            return
          }
          request.payment = verdict.payment
        } catch (error) {
          // A throwing reply (a custom verifier's bad status) goes to Fastify's error handler.
          done(error as Error)
          return
        }
        inContext(verdict, () => done())
      },
      (error: Error) => done(error),
    )
  }
}

/** {@link fastifyPayment}'s options: the verifier, and the price of the routes it guards. */
export type FastifyPaymentOptions = PaymentMiddlewareOptions & { verifier: PaymentVerifier }

/**
 * A Fastify plugin charging every route of the context that registers it: it decorates
 * `request.payment` and adds {@link paymentPreHandler} as a `preHandler` hook there.
 *
 * It skips Fastify's encapsulation (`Symbol.for('skip-override')`, what fastify-plugin sets):
 * an encapsulated plugin's hook would apply only to routes declared inside the plugin itself,
 * i.e. none. To charge some routes only, register it inside a context of their own (example);
 * for a single route, its `preHandler` option takes {@link paymentPreHandler}.
 *
 * @example
 * await app.register(async (paid) => {
 *   await paid.register(fastifyPayment, { verifier, price: 1_000n })
 *   paid.post('/invoices', async (request) => ({ paidBy: request.payment!.channel }))
 * })
 */
export const fastifyPayment: FastifyPluginCallback<FastifyPaymentOptions> = Object.assign(
  ((instance, { verifier, ...options }, done) => {
    if (!instance.hasRequestDecorator('payment')) instance.decorateRequest('payment', null)
    instance.addHook('preHandler', paymentPreHandler(verifier, options))
    done()
  }) satisfies FastifyPluginCallback<FastifyPaymentOptions>,
  { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'payment-client' },
)

export type { PaymentMiddlewareOptions } from './core'
