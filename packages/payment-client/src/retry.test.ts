import { describe, expect, it } from 'vitest'
import {
  type AttemptOutcome,
  isTransient,
  mayHaveReached,
  retryAfterMs,
  retryDelayMs,
  retryPolicyOf,
} from './retry'

const failed = (phase: 'unsent' | 'stale' | 'sent', timedOut = false): AttemptOutcome => ({
  failed: true,
  phase,
  timedOut,
})
const answered = (status: number): AttemptOutcome => ({ failed: false, status })

describe('retry policy', () => {
  it('isTransient(): a token call retries every transient failure, a verify call only those that did not reach the server or that it said itself', () => {
    const cases: Array<[string, AttemptOutcome]> = [
      ['unsent', failed('unsent')],
      ['stale', failed('stale')],
      ['sent', failed('sent')],
      ['timeout', failed('sent', true)],
      ...[200, 400, 401, 402, 403, 404, 409, 410, 429, 500, 502, 503, 504].map(
        (status) => [String(status), answered(status)] as [string, AttemptOutcome],
      ),
    ]
    const table = (repeatable: boolean) =>
      cases.filter(([, outcome]) => isTransient(outcome, { repeatable })).map(([name]) => name)
    expect(table(true)).toEqual(['unsent', 'stale', 'sent', '429', '502', '503', '504'])
    expect(table(false)).toEqual(['unsent', 'stale', '429', '503'])
  })

  it('mayHaveReached(): only a connection never made and a 429 are sure to have done nothing', () => {
    expect(mayHaveReached(failed('unsent'))).toBe(false)
    expect(mayHaveReached(answered(429))).toBe(false)
    expect(mayHaveReached(failed('stale'))).toBe(true)
    expect(mayHaveReached(answered(503))).toBe(true)
  })

  it('retryDelayMs(): full jitter under min(maxDelayMs, base * 2^(n-1)), a Retry-After as its floor', () => {
    const policy = retryPolicyOf({ baseDelayMs: 100, maxDelayMs: 300 })
    for (let i = 0; i < 200; i++) {
      expect(retryDelayMs(policy, 1)).toBeLessThanOrEqual(100)
      expect(retryDelayMs(policy, 5)).toBeLessThanOrEqual(300)
      expect(retryDelayMs(policy, 1, '2')).toBe(2_000)
    }
    const draws = Array.from({ length: 200 }, () => retryDelayMs(policy, 3))
    expect(Math.min(...draws)).toBeLessThan(100)
    expect(Math.max(...draws)).toBeGreaterThan(200)
  })

  it('retryAfterMs() reads seconds and HTTP dates; retryPolicyOf() checks its numbers', () => {
    const now = Date.parse('2026-12-07T12:00:00Z')
    expect(retryAfterMs('3', now)).toBe(3_000)
    expect(retryAfterMs('Mon, 07 Dec 2026 12:00:05 GMT', now)).toBe(5_000)
    expect(retryAfterMs('soon', now)).toBe(0)
    expect(retryAfterMs(undefined, now)).toBe(0)
    expect(retryPolicyOf(false).attempts).toBe(1)
    expect(retryPolicyOf(undefined)).toEqual({ attempts: 3, baseDelayMs: 50, maxDelayMs: 1_000 })
    expect(() => retryPolicyOf({ attempts: 0 })).toThrow(RangeError)
    expect(() => retryPolicyOf({ baseDelayMs: -5 })).toThrow(RangeError)
  })
})
