import { fetchTransport, hasNodeHttp, nodeTransport } from './transport'

/** Default bound on one call to the Payment Server; a queued batch waits on the call in flight. */
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
  /** Bound on one call in milliseconds; default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number
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

/** A parsed answer: its status and its JSON body (`undefined` when the body is not JSON). */
export type JsonAnswer = { status: number; body: unknown }

export type PaymentHttp = {
  /** POSTs `body` as JSON to `<serverUrl>/api/payment/<path>`; throws PaymentError when unreachable. */
  post: (path: string, body: unknown) => Promise<JsonAnswer>
}

/**
 * The small HTTP helper both sides share: JSON in and out, the bearer key, a timeout, and
 * network failures turned into a retryable {@link PaymentError}.
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
  return {
    post: async (path, body) => {
      let answer: { status: number; text: string }
      try {
        answer = await transport({ url: `${base}/${path}`, headers, body: JSON.stringify(body), timeoutMs })
      } catch (cause) {
        throw unavailable(
          `The Payment Server at ${serverUrl} could not be reached: ${networkReason(cause)}`,
          cause,
        )
      }
      return { status: answer.status, body: parseJson(answer.text) }
    },
  }
}

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
  if (cause instanceof Error && cause.name === 'TimeoutError') return 'no answer in time.'
  const reason =
    cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : ''
  return reason ? `${reason}.` : 'network error.'
}
