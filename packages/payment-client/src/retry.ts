import type { FailurePhase } from './transport'

/**
 * When the library calls the Payment Server again after a transient failure. Retries are for the
 * server's passing troubles only (no connection, a restart, a proxy's 502/503/504, a 429 rate
 * limit); a refusal (a 4xx with a code: 400, 401, 402, 403, 404, 409, 410, ...) is an answer
 * and is never repeated.
 */
export type RetryParameters = {
  /** Attempts in all, the first one included (1..10, default 3). */
  attempts?: number
  /** The first wait's upper bound in ms; it doubles with each retry (default 50). */
  baseDelayMs?: number
  /** Largest wait between two attempts in ms (default 1000). */
  maxDelayMs?: number
}

export type RetryPolicy = Required<RetryParameters>

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 50, maxDelayMs: 1_000 }

/** `retry` checked (a RangeError otherwise); `false` is one attempt. */
export function retryPolicyOf(retry: RetryParameters | false | undefined): RetryPolicy {
  if (retry === false) return { ...DEFAULT_RETRY, attempts: 1 }
  const policy = { ...DEFAULT_RETRY, ...retry }
  if (!Number.isSafeInteger(policy.attempts) || policy.attempts < 1 || policy.attempts > 10) {
    throw new RangeError(`retry.attempts must be an integer from 1 to 10, got ${policy.attempts}`)
  }
  for (const key of ['baseDelayMs', 'maxDelayMs'] as const) {
    if (!Number.isFinite(policy[key]) || policy[key] < 0) {
      throw new RangeError(`retry.${key} must be a number of milliseconds >= 0, got ${policy[key]}`)
    }
  }
  return policy
}

/**
 * Whether a call may be sent twice. The Payment Server's two token calls differ:
 *
 * - `POST /tokens` (issue) is `repeatable`. If its answer is lost, the server may already have
 *   taken the counts; the retry is issued the next ones. The counts skipped are never redeemed
 *   alone, but tokens are cumulative: once a higher count is redeemed, the consumer has paid for
 *   them too. A lost answer costs the consumer at most one request's price per token asked for,
 *   which is cheaper than failing a request whose funds are there.
 * - `POST /tokens/verify` is not. If its answer is lost, the server may already have accepted
 *   the count; sent again, the same token is refused as `count_already_accepted` although the
 *   provider was paid. So it is repeated only when the first attempt surely or almost surely did
 *   not reach the server (no connection, a stale kept-alive connection) or the server said so
 *   itself (503, 429); never after a reset or timeout once it was sent, nor after a gateway's
 *   502/504 (the gateway may have passed it on). And a repeated call's answer is marked
 *   (`maybeRepeated`), so the verifier can treat a `count_already_accepted` on it as "unknown"
 *   (503), never as accepted: a count is never accepted twice, and never on a refusal.
 */
export type Repeatable = { repeatable: boolean }

/** What one attempt gave: a failure at some phase, or an answer's status (and Retry-After). */
export type AttemptOutcome =
  | { failed: true; phase: FailurePhase; timedOut: boolean }
  | { failed: false; status: number; retryAfter?: string }

/** Statuses a retry may cure; a server error that is not among them (500) is a bug, not a hiccup. */
const TRANSIENT_STATUSES = new Set([429, 502, 503, 504])

/** Whether the attempt's outcome may be cured by trying again (the time left decides after). */
export function isTransient(outcome: AttemptOutcome, { repeatable }: Repeatable): boolean {
  // An attempt gets the call's time left: after a timeout none is (a timer may fire a little early).
  if (outcome.failed) return !outcome.timedOut && (outcome.phase !== 'sent' || repeatable)
  if (!TRANSIENT_STATUSES.has(outcome.status)) return false
  return outcome.status === 429 || outcome.status === 503 || repeatable
}

/**
 * Whether the server may have done this attempt's work although the caller got no answer of it:
 * then a later attempt of the same call may find its own work done. A 429 is refused before any
 * work; a connection never made did nothing.
 */
export function mayHaveReached(outcome: AttemptOutcome): boolean {
  if (outcome.failed) return outcome.phase !== 'unsent'
  return outcome.status !== 429
}

/**
 * The wait before retry number `retry` (1 for the first): "full jitter", a uniform draw from 0 to
 * min(maxDelayMs, baseDelayMs * 2^(retry-1)), so that many clients cut off together by a restart
 * do not come back together. A Retry-After the server sent is a floor.
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, retryAfter?: string): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1))
  return Math.max(Math.random() * ceiling, retryAfterMs(retryAfter))
}

/** A Retry-After header (seconds, or an HTTP date) in milliseconds from now; 0 when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number {
  if (!value) return 0
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? 0 : Math.max(0, date - now)
}
