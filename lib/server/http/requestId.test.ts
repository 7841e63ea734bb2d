import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { type AppApi, serveAppApi } from '../../../test/kit/appApi'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { type ChannelTestbed, startChannelTestbed } from '../../../test/kit/testbed'
import { lineSampler, logCall } from './callLog'

/*
 * Every API call has a request id, answered in X-Request-Id and on every log line of the call:
 * over HTTP as `npm start` serves the API (the Payment Server's fast path, then the route
 * files), with this process's loggers writing JSON lines to its stdout.
 */

let testbed: ChannelTestbed
let database: TestDatabase
let app: AppApi
let lines: string[] = []

beforeAll(async () => {
  process.env.LOG_FORMAT = 'json'
  testbed = await startChannelTestbed()
  database = await createTestDatabase()
  app = await serveAppApi({ testbed, database })
  // The Payment Server starts on its first call, and says so: not a line of the calls below.
  await fetch(`${app.url}/api/payment/tokens/verify`, { method: 'POST' })
})

afterAll(async () => {
  await app?.close()
  await database?.drop()
  await testbed?.stop()
})

afterEach(() => vi.restoreAllMocks())

/** Sends a call and gives its status, its X-Request-Id and the JSON lines logged meanwhile. */
async function call(path: string, init: RequestInit = {}) {
  lines = []
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk))
    return true
  })
  const response = await fetch(`${app.url}${path}`, init)
  await response.arrayBuffer()
  vi.restoreAllMocks()
  const logged = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
  return { status: response.status, requestId: response.headers.get('x-request-id'), logged }
}

const verify = (headers: Record<string, string>) =>
  call('/api/payment/tokens/verify', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ tokens: [] }),
  })

describe('request ids', () => {
  it('a 4xx of the fast path logs one line with the request id the client sent, answered back', async () => {
    const { status, requestId, logged } = await verify({ 'x-request-id': 'client-4xx.1' })
    expect([status, requestId]).toEqual([401, 'client-4xx.1'])
    expect(logged).toEqual([
      expect.objectContaining({
        level: 'info',
        name: 'payment',
        msg: 'tokens.verify answered 401 unauthorized',
        requestId: 'client-4xx.1',
        route: 'tokens.verify',
        status: 401,
        ms: expect.any(Number),
      }),
    ])
  })

  it('a 4xx of a route file gets a new id when the one sent is not a short safe token', async () => {
    const { status, requestId, logged } = await call('/api/blocks/not-a-block', {
      headers: { 'x-request-id': `bad id ${'x'.repeat(80)}` },
    })
    expect(status).toBe(400)
    expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(logged).toEqual([
      expect.objectContaining({ level: 'info', name: 'api', requestId, route: 'getBlock', status: 400 }),
    ])
  })

  it('a 500 logs its cause with the request id of the answer, on the fast path and in a route file', async () => {
    // The services' table gone: looking up a key fails the way a database refusal does.
    await database.db.$executeRawUnsafe('ALTER TABLE payment_service RENAME TO payment_service_gone')
    try {
      const fast = await verify({ authorization: 'Bearer psk_unknown_key_for_the_test' })
      const routed = await call('/api/payment/services', {
        headers: { authorization: 'Bearer psk_another_unknown' },
      })
      for (const { status, requestId, logged } of [fast, routed]) {
        expect(status).toBe(500)
        expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
        expect(logged).toEqual([
          expect.objectContaining({ level: 'error', name: 'payment', requestId, status: 500 }),
        ])
        expect(logged[0]?.msg).toMatch(/ failed: \w+: .*payment_service/)
      }
      expect([fast.logged[0]?.route, routed.logged[0]?.route]).toEqual(['tokens.verify', 'services.list'])
    } finally {
      await database.db.$executeRawUnsafe('ALTER TABLE payment_service_gone RENAME TO payment_service')
    }
  })
})

describe('call lines', () => {
  it('lineSampler() lets ten lines a second through per key and counts the rest on the next one', () => {
    const sampled = lineSampler(10)
    const second = (at: number) => Array.from({ length: 15 }, (_, i) => sampled('tokens.verify 401', at + i))
    expect(second(5_000)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, null, null])
    // Another key has a budget of its own; the next second says how many were left out.
    expect(sampled('tokens.verify 402', 5_500)).toBe(0)
    expect(second(6_000)).toEqual([5, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, null, null])
  })

  it('logCall() says a slow call answered 200 as a warning with its request id, route, status and ms', () => {
    lines = []
    vi.spyOn(process.stdout, 'write').mockImplementation(
      (chunk: string | Uint8Array) => lines.push(String(chunk)) > 0,
    )
    logCall('api', 'getCostGraph', { requestId: 'slow-1', status: 200, ms: 1234.56, failure: undefined })
    vi.restoreAllMocks()
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        level: 'warn',
        name: 'api',
        msg: 'getCostGraph took 1234.6 ms',
        requestId: 'slow-1',
        route: 'getCostGraph',
        status: 200,
        ms: 1234.6,
      }),
    ])
  })
})
