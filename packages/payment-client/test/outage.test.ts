import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PaymentServerHealth } from '../src/circuitBreaker'
import { createPaymentConsumer } from '../src/consumer'
import { PaymentError } from '../src/http'
import { createPaymentVerifier, type VerifyResult } from '../src/provider'
import { outcome, type ServedPayment, sleep, startServedPayment, startTcpProxy } from './kit'

/**
 * The Payment Server stopped in the middle of paid traffic and started again on the same port.
 * A TCP proxy in front of it counts the connections the clients make (when the server is down,
 * it closes them, as a load balancer with no backend does), so "fails at once" is asserted as
 * "made no connection", never as a duration.
 */
let p: ServedPayment
let proxy: Awaited<ReturnType<typeof startTcpProxy>>
beforeAll(async () => {
  p = await startServedPayment()
  proxy = await startTcpProxy(p.port)
})
afterAll(async () => {
  await proxy?.close()
  await p?.close()
})

const THRESHOLD = 3
/** Long enough for the fast-fail calls below (a few ms of work) to happen while it is open. */
const RESET_MS = 4_000

/** Waits until both circuits may let a trial call through. */
async function untilRetryAt(...healths: PaymentServerHealth[]) {
  const at = Math.max(...healths.map((h) => h.retryAt?.getTime() ?? 0))
  await sleep(Math.max(0, at - Date.now()) + 20)
}

const describeResult = (r: VerifyResult) => (r.accepted ? 'accepted' : `${r.status} ${r.code}`)

describe('the Payment Server stopped mid-traffic', () => {
  it('calls fail with payment_server_unavailable, the circuits open and fail at once without connecting, then half-open and recover after a restart on the same port', async () => {
    const { name, provider } = await p.provider()
    const states = { consumer: [] as string[], verifier: [] as string[] }
    const options = (side: keyof typeof states) => ({
      serverUrl: proxy.url,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 10 },
      circuitBreaker: {
        failureThreshold: THRESHOLD,
        resetAfterMs: RESET_MS,
        onStateChange: (health: PaymentServerHealth) => states[side].push(health.state),
      },
    })
    const consumer = createPaymentConsumer({ ...options('consumer'), apiKey: p.consumer.apiKey, prefetch: 0 })
    const verifier = createPaymentVerifier({ ...options('verifier'), apiKey: provider.apiKey })
    const accepted: bigint[] = []
    const failures: string[] = []
    // Tokens the verifier goes on verifying while the consumer gets none.
    const spares = await Promise.all(Array.from({ length: 4 }, () => consumer.token(name)))

    let phase: 'up' | 'stopping' = 'up'
    const bothOpen = () => consumer.health().state === 'open' && verifier.health().state === 'open'
    const worker = async (i: number) => {
      for (let n = 0; phase === 'up' || !bothOpen(); n++) {
        const { value, error } = await outcome(consumer.token(name))
        if (error instanceof PaymentError) failures.push(`token ${error.status} ${error.code}`)
        else if (error) throw error
        const result = await verifier.verify(value ?? spares[(i + n) % spares.length])
        if (result.accepted) accepted.push(result.requests)
        else failures.push(`verify ${describeResult(result)}`)
        if (phase === 'up' && accepted.length >= 40) phase = 'stopping'
      }
    }
    const workers = Array.from({ length: 4 }, (_, i) => worker(i))
    while (phase === 'up') await sleep(5)
    await p.stop()
    const atStop = proxy.connections()
    await Promise.all(workers)

    expect(failures).toContain('token 503 payment_server_unavailable')
    expect(failures).toContain('verify 503 payment_server_unavailable')
    expect(failures.every((f) => f.endsWith('503 payment_server_unavailable'))).toBe(true)
    // Each client's calls are serial (one in flight): THRESHOLD failed attempts, at most one
    // connection each, and then none.
    expect(consumer.health()).toMatchObject({ state: 'open', consecutiveFailures: THRESHOLD })
    expect(verifier.health()).toMatchObject({ state: 'open', consecutiveFailures: THRESHOLD })
    expect(proxy.connections() - atStop).toBeLessThanOrEqual(2 * THRESHOLD)

    // Open: calls fail at once, saying so, and reach nothing.
    const beforeFastFail = proxy.connections()
    for (let i = 0; i < 10; i++) {
      const { error } = await outcome(consumer.token(name))
      expect(error).toBeInstanceOf(PaymentError)
      expect(error).toMatchObject({ code: 'payment_server_unavailable', status: 503 })
      expect((error as PaymentError).message).toMatch(
        /circuit is open since \d{4}-.*Z after 3 failures in a row \(last: .*\); calls fail at once until a trial call at \d{4}-.*Z/,
      )
      const result = await verifier.verify(spares[0])
      expect(describeResult(result)).toBe('503 payment_server_unavailable')
      if (!result.accepted) expect((result.cause as Error).message).toContain('the circuit is open since')
    }
    expect(proxy.connections()).toBe(beforeFastFail)

    // Past the cool-down, still down: one trial call each, which opens the circuit again.
    await untilRetryAt(consumer.health(), verifier.health())
    const beforeTrial = proxy.connections()
    expect((await outcome(consumer.token(name))).error).toMatchObject({ code: 'payment_server_unavailable' })
    expect(describeResult(await verifier.verify(spares[0]))).toBe('503 payment_server_unavailable')
    expect(proxy.connections() - beforeTrial).toBe(2)
    expect(consumer.health().state).toBe('open')
    expect(verifier.health().state).toBe('open')

    // Started again on the same port: after the cool-down the trial call closes each circuit.
    await p.start()
    await untilRetryAt(consumer.health(), verifier.health())
    const token = await consumer.token(name)
    const verdict = await verifier.verify(token)
    expect(verdict).toMatchObject({ accepted: true })
    if (verdict.accepted) accepted.push(verdict.requests)
    expect(states.consumer).toEqual(['open', 'half-open', 'open', 'half-open', 'closed'])
    expect(states.verifier).toEqual(['open', 'half-open', 'open', 'half-open', 'closed'])
    expect(consumer.health()).toMatchObject({ state: 'closed', consecutiveFailures: 0, retryAt: null })

    // Paid traffic is accepted again, and no count was ever accepted twice.
    const after = await Promise.all(
      Array.from({ length: 20 }, async () => verifier.verify(await consumer.token(name))),
    )
    expect(after.map(describeResult)).toEqual(Array(20).fill('accepted'))
    for (const r of after) if (r.accepted) accepted.push(r.requests)
    expect(new Set(accepted).size).toBe(accepted.length)
  })
})
