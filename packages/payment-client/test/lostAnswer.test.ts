import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPaymentConsumer } from '../src/consumer'
import { createPaymentVerifier, type PaymentVerifierParameters } from '../src/provider'
import { parseToken } from '../src/token'
import { type ServedPayment, startServedPayment, startTcpProxy } from './kit'

/**
 * Answers lost after the real Payment Server did the work: a TCP proxy passes the call on and
 * closes the client's connection at the first bytes of the answer. A verify must then never be
 * reported accepted twice, nor accepted from a `count_already_accepted`; a token call may skip
 * a count (documented: it costs at most that count's price).
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

async function setUp(options: Partial<PaymentVerifierParameters> = {}) {
  const { name, provider } = await p.provider()
  const consumer = createPaymentConsumer({ serverUrl: p.url, apiKey: p.consumer.apiKey, prefetch: 0 })
  const verifier = createPaymentVerifier({ serverUrl: proxy.url, apiKey: provider.apiKey, ...options })
  return { name, consumer, verifier }
}

describe('a verify whose answer is lost', () => {
  it('on a kept-alive connection (node:http): retried once, the retry finds its own acceptance and says 503, never accepted', async () => {
    const { name, consumer, verifier } = await setUp()
    // A first verify opens the connection the next one reuses.
    expect(await verifier.verify(await consumer.token(name))).toMatchObject({ accepted: true })
    const token = await consumer.token(name)
    const before = proxy.connections()
    const dropped = proxy.dropped()
    proxy.dropAnswer()
    const lost = await verifier.verify(token)
    expect(proxy.dropped()).toBe(dropped + 1)
    // The connection closed before any answer looked stale, so the verify went again, on a new one...
    expect(proxy.connections() - before).toBe(1)
    // ...where the server said count_already_accepted: its own first attempt, paid, but the
    // verifier cannot know it; it fails closed instead of accepting or refusing.
    expect(lost).toMatchObject({ accepted: false, status: 503, code: 'payment_server_unavailable' })
    if (lost.accepted) throw new Error('accepted')
    expect((lost.cause as Error).message).toContain('count_already_accepted')
    // The server did accept it once: asked again, it is a replay.
    expect(await verifier.verify(token)).toMatchObject({
      accepted: false,
      status: 402,
      code: 'count_already_accepted',
    })
  })

  it('through fetch: not retried (it may have reached the server), 503, and the count stays accepted once', async () => {
    const { name, consumer, verifier } = await setUp({ fetch: globalThis.fetch })
    const token = await consumer.token(name)
    const before = proxy.connections()
    proxy.dropAnswer()
    expect(await verifier.verify(token)).toMatchObject({
      accepted: false,
      status: 503,
      code: 'payment_server_unavailable',
    })
    expect(proxy.connections() - before).toBe(1)
    expect(await verifier.verify(token)).toMatchObject({
      accepted: false,
      status: 402,
      code: 'count_already_accepted',
    })
  })

  it('a batch verify whose answer is lost: no token of it accepted, each accepted once by the server', async () => {
    const { name, consumer, verifier } = await setUp()
    const before = proxy.dropped()
    const tokens = await Promise.all(Array.from({ length: 6 }, () => consumer.token(name)))
    // The first goes alone; the five queued behind it go in one batch: its answer is the second.
    proxy.dropAnswer(2)
    const results = await Promise.all(tokens.map((token) => verifier.verify(token)))
    expect(proxy.dropped()).toBe(before + 1)
    expect(results.map((r) => (r.accepted ? 'accepted' : `${r.status} ${r.code}`))).toEqual([
      'accepted',
      ...Array(5).fill('503 payment_server_unavailable'),
    ])
    const again = await Promise.all(tokens.map((token) => verifier.verify(token)))
    expect(again.map((r) => (r.accepted ? 'accepted' : r.code))).toEqual(
      Array(6).fill('count_already_accepted'),
    )
  })
})

describe('a token call whose answer is lost', () => {
  it('is retried: the retry is issued the next count, and the skipped one is never handed out', async () => {
    const { name, provider } = await p.provider()
    const consumer = createPaymentConsumer({ serverUrl: proxy.url, apiKey: p.consumer.apiKey, prefetch: 0 })
    const verifier = createPaymentVerifier({ serverUrl: p.url, apiKey: provider.apiKey })
    expect(parseToken(await consumer.token(name)).token.requests).toBe(1n)
    const dropped = proxy.dropped()
    proxy.dropAnswer()
    const token = await consumer.token(name)
    expect(proxy.dropped()).toBe(dropped + 1)
    // Count 2 was issued into the lost answer; count 3 is handed out and accepted.
    expect(parseToken(token).token.requests).toBe(3n)
    expect(await verifier.verify(token)).toMatchObject({ accepted: true, requests: 3n })
  })
})
