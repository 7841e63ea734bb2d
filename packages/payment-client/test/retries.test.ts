import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPaymentConsumer } from '../src/consumer'
import { createPaymentHttp, PaymentError } from '../src/http'
import { createPaymentVerifier } from '../src/provider'
import { parseToken } from '../src/token'
import {
  outcome,
  type ServedPayment,
  type Stand,
  startHttpProxy,
  startServedPayment,
  TOKENS,
  VERIFY,
} from './kit'

/**
 * Retries against a real Payment Server, behind a real HTTP proxy that stands in for a flaky
 * gateway on the calls its script names and counts every call: transient failures are retried,
 * refusals never.
 */
let p: ServedPayment
beforeAll(async () => {
  p = await startServedPayment()
})
afterAll(() => p?.close())

/** A proxy answering `script`'s stand-ins, a consumer and a verifier behind it (fast retries). */
async function behindProxy(script?: (path: string, n: number) => Stand) {
  const proxy = await startHttpProxy(p.url, script)
  const options = { serverUrl: proxy.url, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 10 } }
  const { name, provider } = await p.provider()
  const consumer = createPaymentConsumer({ ...options, apiKey: p.consumer.apiKey, prefetch: 0 })
  const verifier = createPaymentVerifier({ ...options, apiKey: provider.apiKey })
  return { proxy, name, consumer, verifier }
}

const gateway = (status: number, headers?: Record<string, string>): Stand => ({
  status,
  headers,
  body: {
    error: {
      code: status === 429 ? 'rate_limited' : 'bad_gateway',
      message: `The gateway answered ${status}.`,
    },
  },
})
const countOf = (token: string) => parseToken(token).token.requests

describe('retries of transient failures', () => {
  it('a 503 then 200: the token call and the verify call succeed after retries, and no count is taken twice', async () => {
    const { proxy, name, consumer, verifier } = await behindProxy((_, n) => (n <= 2 ? gateway(503) : 'pass'))
    const token = await consumer.token(name)
    expect(proxy.calls(TOKENS)).toBe(3)
    // The 503s never reached the server: the token is the channel's first count.
    expect(countOf(token)).toBe(1n)
    expect(await verifier.verify(token)).toMatchObject({ accepted: true, requests: 1n })
    expect(proxy.calls(VERIFY)).toBe(3)
    expect(consumer.health()).toMatchObject({ state: 'closed', consecutiveFailures: 0 })
    await proxy.close()
  })

  it("a gateway's 502 is retried for a token call, not for a verify call (the gateway may have passed it on)", async () => {
    const { proxy, name, consumer, verifier } = await behindProxy((_, n) => (n === 1 ? gateway(502) : 'pass'))
    const token = await consumer.token(name)
    expect(proxy.calls(TOKENS)).toBe(2)
    const first = await verifier.verify(token)
    expect(first).toMatchObject({ accepted: false, status: 503, code: 'payment_server_unavailable' })
    expect(proxy.calls(VERIFY)).toBe(1)
    // The caller's own retry goes through: the 502 did not spend the count.
    expect(await verifier.verify(token)).toMatchObject({ accepted: true })
    await proxy.close()
  })

  it('a 429 is retried after its Retry-After; one longer than the call may take is answered at once', async () => {
    const { proxy, name, consumer } = await behindProxy((path, n) =>
      n === 1 ? gateway(429, { 'retry-after': '1' }) : path === TOKENS ? 'pass' : gateway(500),
    )
    expect(countOf(await consumer.token(name))).toBe(1n)
    expect(proxy.calls(TOKENS)).toBe(2)
    await proxy.close()

    const patient = await behindProxy(() => gateway(429, { 'retry-after': '3600' }))
    const refused = await outcome(patient.consumer.token(patient.name))
    expect(refused.error).toBeInstanceOf(PaymentError)
    expect(refused.error).toMatchObject({ code: 'rate_limited', status: 429, retryable: true })
    expect(patient.proxy.calls(TOKENS)).toBe(1)
    await patient.proxy.close()
  })

  it('a refused connection is retried `attempts` times, each one counted by the circuit breaker; retry: false tries once', async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const serverUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`
    await new Promise((resolve) => closed.close(resolve))

    const retried = createPaymentHttp({ serverUrl, apiKey: 'psk_x', retry: { attempts: 4, baseDelayMs: 1 } })
    const error = (await outcome(retried.post('tokens', {}, { repeatable: false }))).error as PaymentError
    expect(error).toMatchObject({ code: 'payment_server_unavailable', status: 503 })
    expect(error.message).toContain('ECONNREFUSED')
    expect(error.message).toContain('(4 attempts)')
    expect(retried.health()).toMatchObject({ state: 'closed', consecutiveFailures: 4 })

    const once = createPaymentHttp({ serverUrl, apiKey: 'psk_x', retry: false })
    await outcome(once.post('tokens', {}))
    expect(once.health().consecutiveFailures).toBe(1)
  })
})

describe('refusals are answers, never retried', () => {
  it('404 no_channel, 409 insufficient_funds, 401 unauthorized: one call each, and the circuit stays closed', async () => {
    const { proxy, consumer, name } = await behindProxy()
    const stranger = (await p.t.service(`stranger-${Date.now()}`)).service.name
    const noChannel = await outcome(consumer.token(stranger))
    expect(noChannel.error).toMatchObject({ code: 'no_channel', status: 404 })
    expect(proxy.calls(TOKENS)).toBe(1)

    const poor = await p.provider({ deposit: 1_000n })
    expect(await outcome(consumer.token(poor.name))).toHaveProperty('value')
    const broke = await outcome(consumer.token(poor.name))
    expect(broke.error).toMatchObject({ code: 'insufficient_funds', status: 409 })
    expect(proxy.calls(TOKENS)).toBe(3)

    const wrongKey = createPaymentConsumer({ serverUrl: proxy.url, apiKey: 'psk_wrong', prefetch: 0 })
    expect((await outcome(wrongKey.token(name))).error).toMatchObject({ status: 401 })
    expect(proxy.calls(TOKENS)).toBe(4)
    expect(consumer.health()).toMatchObject({ state: 'closed', consecutiveFailures: 0 })
    expect(wrongKey.health()).toMatchObject({ state: 'closed', consecutiveFailures: 0 })
    await proxy.close()
  })

  it('402 count_already_accepted and 403 forbidden verdicts: one call each', async () => {
    const { proxy, consumer, name, verifier } = await behindProxy()
    const token = await consumer.token(name)
    expect(await verifier.verify(token)).toMatchObject({ accepted: true })
    expect(await verifier.verify(token)).toMatchObject({
      accepted: false,
      status: 402,
      code: 'count_already_accepted',
    })
    expect(proxy.calls(VERIFY)).toBe(2)

    // Another provider's verifier is refused that token (the channel does not pay it).
    const other = await p.provider()
    const otherVerifier = createPaymentVerifier({ serverUrl: proxy.url, apiKey: other.provider.apiKey })
    const refused = await otherVerifier.verify(await consumer.token(name))
    expect(refused).toMatchObject({ accepted: false, status: 402, code: 'forbidden' })
    expect(proxy.calls(VERIFY)).toBe(3)
    expect(verifier.health().consecutiveFailures).toBe(0)
    await proxy.close()
  })
})
