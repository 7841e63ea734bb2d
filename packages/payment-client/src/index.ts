/**
 * Client library of the Payment Server, for the services that pay (consumers) and the services
 * that are paid (providers). No Next.js, no server code: `node:http` or `fetch`, and web/Node types.
 *
 * @example
 * import { createPaymentConsumer, createPaymentVerifier, paymentRequired } from '@channel-inspector/payment-client'
 */

export type { CircuitBreakerParameters, CircuitState, PaymentServerHealth } from './circuitBreaker'
export { type Coalescer, type CoalescerParameters, createCoalescer, MAX_BATCH_SIZE } from './coalesce'
export {
  createPaymentConsumer,
  type PaymentConsumer,
  type PaymentConsumerParameters,
  type PaymentOptions,
} from './consumer'
export {
  createPaymentHttp,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_TIMEOUT_MS,
  type InFlightParameters,
  type JsonAnswer,
  PaymentError,
  type PaymentErrorParameters,
  type PaymentHttp,
  type PaymentHttpParameters,
} from './http'
export type { PaymentMiddlewareOptions } from './middleware/core'
// Express/node:http and Next.js middleware stay here for the code written before the subpath
// exports (./express, ./fastify, ./hono, ./koa, ./next); neither imports its framework.
export { type NodeResponse, type PaidRequest, paymentRequired } from './middleware/express'
export { withPayment } from './middleware/next'
export type { RoutePrice } from './price'
export {
  createPaymentVerifier,
  type Payment,
  type PaymentVerifier,
  type PaymentVerifierParameters,
  type RefusalCode,
  refusalBody,
  type VerifyOptions,
  type VerifyRefusal,
  type VerifyResult,
} from './provider'
export type { RetryParameters } from './retry'
export { TOKEN_HEADER } from './token'
export { CATEGORY_HEADER } from './tokenV2'
export { PAYMENT_ATTRIBUTES } from './tracing'
