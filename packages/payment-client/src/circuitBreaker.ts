/**
 * When to stop calling a Payment Server that is down, so that callers fail at once with a clear
 * error instead of each waiting for a connection or a timeout (and a provider answers its own
 * callers 503 at once).
 */
export type CircuitBreakerParameters = {
  /** Failures in a row (no answer, or a 5xx) that open the circuit (1..1000, default 5). */
  failureThreshold?: number
  /** How long an open circuit fails calls at once before one trial call goes through (ms, default 5000). */
  resetAfterMs?: number
  /**
   * A failure more than this long (ms, default 60 000) after the previous one starts a new
   * streak: an idle service's rare failures an hour apart do not add up to an open circuit,
   * while a hung server failing once per timeoutMs does, however long the timeout.
   */
  windowMs?: number
  /** Called on every change of state (closed, open, half-open), e.g. to log or export it. */
  onStateChange?: (health: PaymentServerHealth) => void
}

/**
 * - `closed`: calls go through;
 * - `open`: calls fail at once with `payment_server_unavailable` until `retryAt`;
 * - `half-open`: past `retryAt`, one trial call goes through (the others still fail at once);
 *   its success closes the circuit, its failure opens it again.
 */
export type CircuitState = 'closed' | 'open' | 'half-open'

/** What a consumer's or verifier's `health()` tells about its Payment Server. */
export type PaymentServerHealth = {
  state: CircuitState
  /** When the circuit entered this state (creation, for a circuit that never changed). */
  since: Date
  /** Failures in a row now (0 after any answer that is not a 5xx). */
  consecutiveFailures: number
  /** While open: when the next trial call may go. */
  retryAt: Date | null
  /** The last failure's reason, kept after a success for the record. */
  lastFailure: string | null
}

export const DEFAULT_CIRCUIT_BREAKER = { failureThreshold: 5, resetAfterMs: 5_000, windowMs: 60_000 }

/** A pass to make one attempt; `trial` when it is the half-open circuit's one trial call. */
export type Permit = { trial: boolean }

export type CircuitBreaker = {
  /** A permit for one attempt, or `undefined` when the circuit is open (then fail with {@link openReason}). */
  permit: () => Permit | undefined
  /** Records an attempt's outcome: any answer below 500 is a success, a 5xx or no answer a failure. */
  record: (permit: Permit, failure: string | null) => void
  health: () => PaymentServerHealth
  /** A sentence for an open circuit: since when, after what, and when it tries again. */
  openReason: () => string
}

/**
 * A circuit breaker for one Payment Server. `false` (or no threshold reached) keeps it closed:
 * the failures are still counted for `health()`.
 *
 * @example
 * const breaker = createCircuitBreaker({ failureThreshold: 5, resetAfterMs: 5_000 })
 * const permit = breaker.permit()
 * if (!permit) throw new Error(breaker.openReason())
 */
export function createCircuitBreaker(parameters: CircuitBreakerParameters | false = {}): CircuitBreaker {
  const { failureThreshold, resetAfterMs, windowMs, onStateChange } =
    parameters === false
      ? { ...DEFAULT_CIRCUIT_BREAKER, failureThreshold: Number.POSITIVE_INFINITY, onStateChange: undefined }
      : { ...DEFAULT_CIRCUIT_BREAKER, ...parameters }
  if (parameters !== false) checkParameters({ failureThreshold, resetAfterMs, windowMs })

  let state: CircuitState = 'closed'
  let since = new Date()
  let failures = 0
  let lastFailureAt = 0
  let openedAt = since
  let openedAfter = 0
  let lastFailure: string | null = null

  const health = (): PaymentServerHealth => ({
    state,
    since,
    consecutiveFailures: failures,
    retryAt: state === 'open' ? new Date(openedAt.getTime() + resetAfterMs) : null,
    lastFailure,
  })

  const enter = (next: CircuitState, at = new Date()) => {
    state = next
    since = at
    try {
      onStateChange?.(health())
    } catch {
      // An observer's bug must not fail the payment call that changed the state.
    }
  }

  return {
    permit: () => {
      if (state === 'closed') return { trial: false }
      if (state === 'open' && Date.now() >= openedAt.getTime() + resetAfterMs) {
        enter('half-open')
        return { trial: true }
      }
      return undefined
    },
    record: (permit, failure) => {
      if (failure === null) {
        failures = 0
        // An answer of a call started before the circuit opened proves the server answers too.
        if (state !== 'closed') enter('closed')
        return
      }
      lastFailure = failure
      const now = Date.now()
      // A streak ends after windowMs without a failure (not windowMs after its first one): calls
      // one at a time against a hung server fail once per timeoutMs, however long that is.
      if (now - lastFailureAt > windowMs) failures = 0
      lastFailureAt = now
      failures += 1
      if (permit.trial || (state === 'closed' && failures >= failureThreshold)) {
        openedAfter = failures
        openedAt = new Date(now)
        enter('open', openedAt)
      }
    },
    health,
    openReason: () => {
      const retryAt = new Date(openedAt.getTime() + resetAfterMs).toISOString()
      const trial =
        state === 'half-open'
          ? 'a trial call is in flight; the others fail at once until it succeeds'
          : `calls fail at once until a trial call at ${retryAt}`
      return (
        `the circuit is open since ${openedAt.toISOString()} after ${openedAfter} failure${openedAfter === 1 ? '' : 's'} in a row` +
        ` (last: ${lastFailure ?? 'unknown'}); ${trial}.`
      )
    },
  }
}

function checkParameters({
  failureThreshold,
  resetAfterMs,
  windowMs,
}: Required<Omit<CircuitBreakerParameters, 'onStateChange'>>): void {
  if (!Number.isSafeInteger(failureThreshold) || failureThreshold < 1 || failureThreshold > 1000) {
    throw new RangeError(
      `circuitBreaker.failureThreshold must be an integer from 1 to 1000, got ${failureThreshold}`,
    )
  }
  for (const [key, value] of [
    ['resetAfterMs', resetAfterMs],
    ['windowMs', windowMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`circuitBreaker.${key} must be a positive number of milliseconds, got ${value}`)
    }
  }
}
