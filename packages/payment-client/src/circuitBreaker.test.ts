import { describe, expect, it } from 'vitest'
import { createCircuitBreaker, type PaymentServerHealth } from './circuitBreaker'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Records `n` attempts with `failure` (null: an answer) through the breaker's own permits. */
function attempts(breaker: ReturnType<typeof createCircuitBreaker>, n: number, failure: string | null) {
  for (let i = 0; i < n; i++) {
    const permit = breaker.permit()
    if (!permit) throw new Error('no permit')
    breaker.record(permit, failure)
  }
}

describe('createCircuitBreaker()', () => {
  it('opens after failureThreshold failures in a row; an answer in between starts the count again', () => {
    const breaker = createCircuitBreaker({ failureThreshold: 3, resetAfterMs: 60_000 })
    attempts(breaker, 2, 'ECONNREFUSED')
    attempts(breaker, 1, null)
    attempts(breaker, 2, 'ECONNREFUSED')
    expect(breaker.health()).toMatchObject({ state: 'closed', consecutiveFailures: 2, retryAt: null })
    attempts(breaker, 1, 'it answered 502')
    const health = breaker.health()
    expect(health).toMatchObject({ state: 'open', consecutiveFailures: 3, lastFailure: 'it answered 502' })
    expect(health.retryAt?.getTime()).toBe(health.since.getTime() + 60_000)
    expect(breaker.permit()).toBeUndefined()
    expect(breaker.openReason()).toBe(
      `the circuit is open since ${health.since.toISOString()} after 3 failures in a row (last: it answered 502); calls fail at once until a trial call at ${health.retryAt?.toISOString()}.`,
    )
  })

  it('failures further apart than windowMs do not add up', async () => {
    const breaker = createCircuitBreaker({ failureThreshold: 2, resetAfterMs: 60_000, windowMs: 20 })
    attempts(breaker, 1, 'ECONNREFUSED')
    await sleep(60)
    attempts(breaker, 1, 'ECONNREFUSED')
    expect(breaker.health()).toMatchObject({ state: 'closed', consecutiveFailures: 1 })
    attempts(breaker, 1, 'ECONNREFUSED')
    expect(breaker.health().state).toBe('open')
  })

  it('a streak whose failures each come within windowMs of the last one opens, however long it lasts (a hung server, one call per timeout)', async () => {
    const breaker = createCircuitBreaker({ failureThreshold: 4, resetAfterMs: 60_000, windowMs: 2_000 })
    for (let i = 0; i < 3; i++) {
      attempts(breaker, 1, 'timeout')
      await sleep(700) // 3 × 700 ms: the streak outlasts windowMs, no gap comes near it
    }
    expect(breaker.health()).toMatchObject({ state: 'closed', consecutiveFailures: 3 })
    attempts(breaker, 1, 'timeout')
    expect(breaker.health().state).toBe('open')
  })

  it('after resetAfterMs lets exactly one trial call through: its failure re-opens, its success closes', async () => {
    const states: PaymentServerHealth['state'][] = []
    const breaker = createCircuitBreaker({
      failureThreshold: 1,
      resetAfterMs: 30,
      onStateChange: (health) => states.push(health.state),
    })
    attempts(breaker, 1, 'ECONNREFUSED')
    await sleep(60)
    const trial = breaker.permit()
    expect(trial).toEqual({ trial: true })
    expect(breaker.permit()).toBeUndefined()
    expect(breaker.openReason()).toContain('a trial call is in flight')
    breaker.record(trial as { trial: boolean }, 'no answer in time')
    expect(breaker.permit()).toBeUndefined()
    await sleep(60)
    const second = breaker.permit()
    breaker.record(second as { trial: boolean }, null)
    expect(breaker.health()).toMatchObject({
      state: 'closed',
      consecutiveFailures: 0,
      lastFailure: 'no answer in time',
    })
    expect(breaker.permit()).toEqual({ trial: false })
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed'])
  })

  it('an onStateChange that throws changes nothing: the circuit opens and the call is not failed by it', () => {
    const breaker = createCircuitBreaker({
      failureThreshold: 1,
      onStateChange: () => {
        throw new Error('observer bug')
      },
    })
    attempts(breaker, 1, 'ECONNREFUSED')
    expect(breaker.health().state).toBe('open')
  })

  it('false never opens but still counts; bad settings are a RangeError', () => {
    const off = createCircuitBreaker(false)
    attempts(off, 50, 'ECONNREFUSED')
    expect(off.health()).toMatchObject({ state: 'closed', consecutiveFailures: 50 })
    expect(() => createCircuitBreaker({ failureThreshold: 0 })).toThrow(RangeError)
    expect(() => createCircuitBreaker({ resetAfterMs: -1 })).toThrow(RangeError)
    expect(() => createCircuitBreaker({ windowMs: Number.NaN })).toThrow(RangeError)
  })
})
