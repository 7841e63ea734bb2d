/**
 * Client library of the Payment Server, for the services that pay (consumers) and the services
 * that are paid (providers). No Next.js, no server code: `node:http` or `fetch`, and web/Node types.
 *
 * @example
 * import { createPaymentConsumer, createPaymentVerifier, paymentRequired } from '@channel-inspector/payment-client'
 */

export type { CircuitBreakerParameters, CircuitState, PaymentServerHealth } from './circuitBreaker'
export { type Coalescer, type CoalescerParameters, createCoalescer, MAX_BATCH_SIZE } from './coalesce'
export { createPaymentConsumer, type PaymentConsumer, type PaymentConsumerParameters } from './consumer'
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
export {
  createPaymentVerifier,
  type NodeResponse,
  type PaidRequest,
  type Payment,
  type PaymentVerifier,
  type PaymentVerifierParameters,
  paymentRequired,
  type RefusalCode,
  refusalBody,
  type VerifyRefusal,
  type VerifyResult,
  withPayment,
} from './provider'
export type { RetryParameters } from './retry'
export { TOKEN_HEADER } from './token'
