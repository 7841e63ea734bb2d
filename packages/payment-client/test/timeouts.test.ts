import net, { type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPaymentConsumer } from '../src/consumer'
import { PaymentError } from '../src/http'
import { createPaymentVerifier } from '../src/provider'
import { outcome } from './kit'

/**
 * A hung Payment Server: a real TCP server that accepts connections, reads the request and never
 * answers. Each call must end in `timeoutMs` with payment_server_unavailable on both transports,
 * with one attempt only (a timeout leaves no time for a retry, and a verify may have been seen).
 * It counts requests: the connections that sent bytes (undici may open a spare connection).
 */
let hung: net.Server
let serverUrl: string
let requests = 0
const sockets = new Set<net.Socket>()

beforeAll(async () => {
  hung = net.createServer((socket) => {
    sockets.add(socket)
    socket.once('data', () => (requests += 1)) // read, never answer
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve))
  serverUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`
})

afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await new Promise((resolve) => hung.close(resolve))
})

const TOKEN = `v1.31337.0x${'ab'.repeat(20)}.1.1.0x${'cd'.repeat(65)}`
const transports = [
  ['node:http', {}],
  ['fetch', { fetch: globalThis.fetch }],
  // A wrapper that drops the abort signal: the call must end at its deadline all the same.
  [
    'a fetch that ignores the abort signal',
    { fetch: (url, init) => globalThis.fetch(url, { ...init, signal: null }) },
  ],
] as const satisfies ReadonlyArray<readonly [string, { fetch?: typeof globalThis.fetch }]>

describe('a hung Payment Server', () => {
  for (const [transport, options] of transports) {
    it(`times out a token call and a verify call through ${transport}, each sent once`, async () => {
      const common = { serverUrl, timeoutMs: 300, ...options }
      const consumer = createPaymentConsumer({ ...common, apiKey: 'psk_consumer', prefetch: 0 })
      const before = requests
      const { error } = await outcome(consumer.token('billing'))
      expect(error).toBeInstanceOf(PaymentError)
      expect(error).toMatchObject({ code: 'payment_server_unavailable', status: 503 })
      expect((error as PaymentError).message).toContain('no answer in time')
      expect(requests - before).toBe(1)

      const verifier = createPaymentVerifier({ ...common, apiKey: 'psk_provider' })
      const result = await verifier.verify(TOKEN)
      expect(result).toMatchObject({ accepted: false, status: 503, code: 'payment_server_unavailable' })
      expect(requests - before).toBe(2)
      expect(verifier.health()).toMatchObject({ state: 'closed', consecutiveFailures: 1 })
      expect(verifier.health().lastFailure).toBe('no answer in time')
    })
  }

  it('opens the circuit after failureThreshold timeouts: the next call fails at once, with no request', async () => {
    const verifier = createPaymentVerifier({
      serverUrl,
      apiKey: 'psk_provider',
      timeoutMs: 200,
      circuitBreaker: { failureThreshold: 2, resetAfterMs: 60_000 },
    })
    await verifier.verify(TOKEN)
    await verifier.verify(TOKEN)
    expect(verifier.health()).toMatchObject({ state: 'open', consecutiveFailures: 2 })
    const before = requests
    const result = await verifier.verify(TOKEN)
    expect(result).toMatchObject({ accepted: false, status: 503, code: 'payment_server_unavailable' })
    if (result.accepted) throw new Error('accepted')
    expect((result.cause as Error).message).toMatch(/the circuit is open since .* after 2 failures in a row/)
    expect(requests).toBe(before)
  })
})
