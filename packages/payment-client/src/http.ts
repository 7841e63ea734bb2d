import {
  type CircuitBreakerParameters,
  createCircuitBreaker,
  type PaymentServerHealth,
} from './circuitBreaker'
import {
  type AttemptOutcome,
  isTransient,
  mayHaveReached,
  type Repeatable,
  type RetryParameters,
  retryDelayMs,
  retryPolicyOf,
} from './retry'
import { failurePhase, fetchTransport, hasNodeHttp, nodeTransport } from './transport'

/**
 * Default bound on one call to the Payment Server, its retries and their waits included; a
 * queued batch waits on the call in flight.
 */
export const DEFAULT_TIMEOUT_MS = 10_000

/** Statuses after which the same call may succeed later (network failures count as 503). */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504])

/**
 * The mark of the product's own errors (a global symbol): the product's code, which uses this
 * library, treats a PaymentError as one of its errors (code, status, hints) without importing it.
 */
const PRODUCT_ERROR: unique symbol = Symbol.for('channel-inspector.AppError')

export type PaymentErrorParameters = {
  code: string
  message: string
  /** HTTP status of the Payment Server's answer; 503 when it could not be reached. */
  status: number
  hints?: string[]
  cause?: unknown
}

/**
 * An error answered by the Payment Server (its `code`, `message` and `status`), or a failure to
 * reach it (`payment_server_unavailable`, status 503). `retryable` is true for 429, 502, 503,
 * 504 and network failures.
 *
 * @example
 * try {
 *   await consumer.token('billing')
 * } catch (error) {
 *   if (error instanceof PaymentError && error.code === 'no_channel') openChannel()
 * }
 */
export class PaymentError extends Error {
  override name = 'PaymentError'
  readonly [PRODUCT_ERROR] = true
  readonly code: string
  readonly status: number
  readonly retryable: boolean
  readonly hints: string[]
  constructor({ code, message, status, hints = [], cause }: PaymentErrorParameters) {
    super(message, { cause })
    this.code = code
    this.status = status
    this.retryable = RETRYABLE_STATUSES.has(status)
    this.hints = hints
  }
}

export type PaymentHttpParameters = {
  /** Origin (and optional base path) of the Payment Server, e.g. `http://127.0.0.1:3000`. */
  serverUrl: string
  /** The calling service's API key, sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string
  /**
   * Used for the calls to the Payment Server when given. Otherwise the library uses Node's
   * `node:http` with keep-alive on Node (less CPU per call, see ./transport) and the global
   * `fetch` elsewhere.
   */
  fetch?: typeof globalThis.fetch
  /**
   * Bound on one call in milliseconds, retries and waits included: each attempt gets the time
   * left, so a hung server fails the call in `timeoutMs` (a timeout is never retried, no time is
   * left). Default {@link DEFAULT_TIMEOUT_MS}.
   */
  timeoutMs?: number
  /**
   * Retries of the Payment Server's transient failures with exponential backoff and full jitter
   * (default 3 attempts, 50 ms base, 1 s most); `false`: one attempt. Refusals are never retried.
   */
  retry?: RetryParameters | false
  /**
   * Fails calls at once while the Payment Server is down (default: open after 5 failures in a
   * row, one trial call after 5 s); `false`: never open.
   */
  circuitBreaker?: CircuitBreakerParameters | false
}

/**
 * Default number of calls to the Payment Server in flight at a time, per provider (consumer) or
 * in all (provider). One makes the fullest batches, which is what a busy Payment Server needs:
 * with 4, `npm run bench:payment` made twice the verify calls at concurrency 20 and served
 * fewer requests (0.27 of payments off instead of 0.35).
 */
export const DEFAULT_MAX_IN_FLIGHT = 1

/** How many calls may be in flight; calls beyond queue and go together in the next one. */
export type InFlightParameters = {
  /** Calls in flight at a time (1..64, default {@link DEFAULT_MAX_IN_FLIGHT}). */
  maxInFlight?: number
}

/** `maxInFlight` checked (a RangeError otherwise), or the default. */
export function maxInFlightOf(value: number | undefined): number {
  const n = value ?? DEFAULT_MAX_IN_FLIGHT
  if (!Number.isSafeInteger(n) || n < 1 || n > 64) {
    throw new RangeError(`maxInFlight must be an integer from 1 to 64, got ${value}`)
  }
  return n
}

/**
 * A parsed answer: its status and its JSON body (`undefined` when the body is not JSON).
 * `maybeRepeated` is set when an earlier attempt of the same call may have reached the server
 * unanswered: a refusal saying the work is already done may then be this call's own doing.
 */
export type JsonAnswer = { status: number; body: unknown; maybeRepeated?: true }

export type PaymentHttp = {
  /**
   * POSTs `body` as JSON to `<serverUrl>/api/payment/<path>`, retrying transient failures
   * (`repeatable`: also those after which the server may have done the work, see ./retry);
   * throws PaymentError when unreachable or when the circuit is open.
   */
  post: (path: string, body: unknown, options?: Partial<Repeatable>) => Promise<JsonAnswer>
  /** The circuit breaker's state for this Payment Server. */
  health: () => PaymentServerHealth
}

/**
 * The small HTTP helper both sides share: JSON in and out, the bearer key, retries within a
 * timeout, a circuit breaker, and network failures turned into a retryable {@link PaymentError}.
 * One per Payment Server: its circuit breaker is this instance's.
 *
 * @example
 * const http = createPaymentHttp({ serverUrl: 'http://127.0.0.1:3000', apiKey })
 * const { status, body } = await http.post('tokens', { provider: 'billing', count: 1 })
 */
export function createPaymentHttp({
  serverUrl,
  apiKey,
  fetch,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  retry,
  circuitBreaker,
}: PaymentHttpParameters): PaymentHttp {
  const base = paymentBaseUrl(serverUrl)
  if (typeof apiKey !== 'string' || apiKey.length === 0) {
    throw new TypeError('apiKey must be a non-empty string')
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError('timeoutMs must be positive')
  const headers = {
    accept: 'application/json',
    'content-type': 'application/json',
    authorization: `Bearer ${apiKey}`,
  }
  const transport = fetch
    ? fetchTransport(fetch)
    : hasNodeHttp()
      ? nodeTransport()
      : fetchTransport(globalThis.fetch)
  const policy = retryPolicyOf(retry)
  const breaker = createCircuitBreaker(circuitBreaker)

  const post = async (path: string, body: unknown, { repeatable = false }: Partial<Repeatable> = {}) => {
    const deadline = Date.now() + timeoutMs
    const call = { url: `${base}/${path}`, headers, body: JSON.stringify(body) }
    let maybeRepeated = false
    let last: { answer: JsonAnswer } | { error: PaymentError } | undefined
    for (let attempt = 1; attempt <= policy.attempts; attempt++) {
      const left = deadline - Date.now()
      // A timer that fired late left no time: the last outcome stands (checked before a permit,
      // which a half-open circuit hands out once).
      if (last && left <= 0) break
      const permit = breaker.permit()
      if (!permit) {
        const cause = last && 'error' in last ? last.error : undefined
        throw unavailable(`The Payment Server at ${serverUrl} is unavailable: ${breaker.openReason()}`, cause)
      }
      let outcome: AttemptOutcome
      try {
        const answer = await transport({ ...call, timeoutMs: Math.max(1, left) })
        outcome = { failed: false, status: answer.status, retryAfter: answer.retryAfter }
        breaker.record(permit, answer.status >= 500 ? `it answered ${answer.status}` : null)
        const parsed = { status: answer.status, body: parseJson(answer.text) }
        last = { answer: maybeRepeated ? { ...parsed, maybeRepeated: true } : parsed }
      } catch (cause) {
        const timedOut = cause instanceof Error && cause.name === 'TimeoutError'
        outcome = { failed: true, phase: failurePhase(cause), timedOut }
        const reason = networkReason(cause)
        breaker.record(permit, reason)
        const tries = attempt > 1 ? ` (${attempt} attempts)` : ''
        last = {
          error: unavailable(
            `The Payment Server at ${serverUrl} could not be reached: ${reason}${tries}.`,
            cause,
          ),
        }
      }
      if (attempt === policy.attempts || !isTransient(outcome, { repeatable })) break
      const wait = retryDelayMs(policy, attempt, outcome.failed ? undefined : outcome.retryAfter)
      // A wait that would outlast the call's time (e.g. a long Retry-After) is not waited.
      if (Date.now() + wait >= deadline) break
      maybeRepeated ||= mayHaveReached(outcome)
      await sleep(wait)
    }
    if (!last) throw new Error('unreachable: a call makes at least one attempt')
    if ('error' in last) throw last.error
    return last.answer
  }

  return { post, health: breaker.health }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The PaymentError for a non-success answer: the server's `{ error: { code, message, hints? } }`
 * when it sent one, otherwise a generic error for the status.
 */
export function errorFromAnswer({ status, body }: JsonAnswer): PaymentError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    const hints = Array.isArray(error.hints) ? error.hints.filter((h) => typeof h === 'string') : undefined
    return new PaymentError({ code: error.code, message: error.message, status, hints })
  }
  if (status >= 500)
    return new PaymentError({
      code: 'payment_server_unavailable',
      status,
      message: `The Payment Server answered ${status}.`,
    })
  return new PaymentError({
    code: 'unexpected_response',
    status,
    message: `The Payment Server answered ${status} without an error body.`,
  })
}

/** A 503 PaymentError for an unreachable server or an answer that makes no sense. */
export function unavailable(message: string, cause?: unknown): PaymentError {
  return new PaymentError({ code: 'payment_server_unavailable', status: 503, message, cause })
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function paymentBaseUrl(serverUrl: string): string {
  try {
    const url = new URL(serverUrl)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(url.protocol)
  } catch {
    throw new TypeError(`serverUrl must be an http(s) URL, got ${JSON.stringify(serverUrl)}`)
  }
  return `${serverUrl.replace(/\/+$/, '')}/api/payment`
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function networkReason(cause: unknown): string {
  if (cause instanceof Error && cause.name === 'TimeoutError') return 'no answer in time'
  const reason =
    cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : ''
  return reason || 'network error'
}
