import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { formatToken } from '../../../packages/payment-client/src/token'
import { startTestPayment, type TestPayment, testSettings } from '../../../test/kit/payment'
import type { Call } from '../http/body'
import type { Answer } from '../http/route'
import { signTokenNative } from '../tokenCrypto'
import { type AnyPaymentRoute, runPaymentRoute } from './api/route'
import { createFastPath } from './fastPath'
import {
  createRateLimits,
  type Limited,
  type RateLimitSettings,
  rateLimitsOf,
  TokenBuckets,
} from './rateLimit'
import type { Service } from './services'

/** A clock the tests move by hand (ms). */
function clock() {
  let ms = 1_000
  return { now: () => ms, advance: (by: number) => (ms += by) }
}

describe('TokenBuckets', () => {
  it('take() lets a burst through, then refuses with the seconds until enough units have refilled', () => {
    const c = clock()
    const buckets = new TokenBuckets({ perSecond: 2, burst: 4 }, 10, c.now)
    expect([1, 2, 3, 4].map(() => buckets.take('a'))).toEqual([0, 0, 0, 0])
    expect(buckets.take('a')).toBe(1)
    expect(buckets.take('a', 3)).toBe(2) // 3 units at 2 per second
    c.advance(500) // one unit back
    expect(buckets.take('a')).toBe(0)
    expect(buckets.take('a')).toBe(1)
    // Another key has its own bucket.
    expect(buckets.take('b', 4)).toBe(0)
  })

  it('take() refills no further than the burst, and measures a call larger than the burst against a full bucket', () => {
    const c = clock()
    const buckets = new TokenBuckets({ perSecond: 10, burst: 20 }, 10, c.now)
    c.advance(3_600_000)
    expect(buckets.take('a', 1_000)).toBe(0) // a full bucket lets one oversized call through
    expect(buckets.take('a', 1)).toBe(1) // and it is empty after it
    c.advance(60_000)
    expect(buckets.take('a', 20)).toBe(0)
    expect(buckets.take('a', 1)).toBe(1)
  })

  it('holds at most maxTracked keys, forgetting the least recently used first', () => {
    const c = clock()
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 }, 3, c.now)
    for (const key of ['a', 'b', 'c']) expect(buckets.take(key)).toBe(0)
    expect(buckets.take('a')).toBe(1) // a is now the most recently used
    expect(buckets.take('d')).toBe(0) // evicts b, the least recently used
    expect(buckets.size).toBe(3)
    expect(buckets.take('a')).toBe(1) // a was kept, still empty
    expect(buckets.take('b')).toBe(0) // b was forgotten: a fresh bucket
  })

  it('a rate of 0 in the environment turns a limit off', () => {
    const settings = rateLimitsOf({
      PAYMENT_RATE_PER_KEY: 0,
      PAYMENT_RATE_PER_ADDRESS: 5,
      PAYMENT_AUTH_FAILURES_PER_ADDRESS: 1,
      PAYMENT_CHANNEL_LOOKUPS_PER_KEY: 2,
      PAYMENT_MAX_IN_FLIGHT_PER_KEY: 0,
      PAYMENT_REFUSALS_PER_KEY: 0,
      PAYMENT_RATE_LIMITED_HOLD_MS: 0,
    })
    expect(settings.address).toEqual({ perSecond: 5, burst: 10 })
    expect(settings.authFailures).toEqual({ perSecond: 1, burst: 10 })
    expect(settings.lookups).toEqual({ perSecond: 2, burst: 20 })
    const limits = createRateLimits(settings, clock().now)
    for (let i = 0; i < 1_000; i++) {
      expect(limits.take('service:1', 1_000_000)).toBeNull()
      expect(limits.acquire('service:1')).toBeNull()
      limits.refused('service:1')
      expect(limits.admitRefusals('service:1')).toBeNull()
    }
    expect(limits.hold()).toBeNull()
  })
})

describe('createRateLimits', () => {
  const settings: RateLimitSettings = {
    key: { perSecond: 10, burst: 10 },
    address: { perSecond: 100, burst: 100 },
    authFailures: { perSecond: 1, burst: 3 },
    lookups: { perSecond: 1, burst: 1 },
    inFlightPerKey: 2,
    queuedPerKey: 1,
    refusals: { perSecond: 1, burst: 2 },
    holdMs: 500,
    maxHeld: 2,
    maxTracked: 100,
  }

  it('acquire() gives a key at most inFlightPerKey slots; the next call waits its turn, beyond queuedPerKey it is refused; release() hands the slot over', async () => {
    const limits = createRateLimits(settings, clock().now)
    expect(limits.acquire('k')).toBeNull()
    expect(limits.acquire('k')).toBeNull()
    const waiting = limits.acquire('k')
    expect(waiting).toBeInstanceOf(Promise)
    let served = false
    void (waiting as Promise<unknown>).then(() => {
      served = true
    })
    const refused = limits.acquire('k') as Limited
    expect(refused.limit).toBe('in_flight')
    expect(refused.error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 1 })
    expect(refused.error.message).toBe(
      'This API key already has 2 calls in progress and 1 waiting; wait for their answers.',
    )
    expect(limits.acquire('other')).toBeNull()
    await Promise.resolve()
    expect(served).toBe(false)
    limits.release('k')
    expect(await waiting).toBeNull()
    expect(served).toBe(true)
    // The slot went to the waiting call: the key still has two in progress.
    expect(limits.acquire('k')).toBeInstanceOf(Promise)
  })

  it("take() refuses units beyond the key's tokens per second, with the seconds to wait", () => {
    const c = clock()
    const limits = createRateLimits(settings, c.now)
    expect(limits.take('k', 10)).toBeNull()
    expect(limits.take('k', 1)).toMatchObject({ limit: 'key', error: { status: 429, retryAfterSeconds: 1 } })
    expect(limits.take('other', 10)).toBeNull()
    c.advance(1_000)
    expect(limits.take('k', 10)).toBeNull()
  })

  it('admitKey() holds back an address that sent more missing or unknown keys than its burst, except its known keys', () => {
    const c = clock()
    const limits = createRateLimits(settings, c.now)
    const unknown = () => false
    for (let i = 0; i < 3; i++) {
      expect(limits.admitKey('10.0.0.1', unknown)).toBeNull()
      limits.authFailed('10.0.0.1')
    }
    expect(limits.admitKey('10.0.0.1', unknown)).toMatchObject({
      limit: 'auth_failures',
      error: { status: 429 },
    })
    expect(limits.admitKey('10.0.0.1', () => true)).toBeNull()
    expect(limits.admitKey('10.0.0.2', unknown)).toBeNull()
    c.advance(1_000)
    expect(limits.admitKey('10.0.0.1', unknown)).toBeNull()
  })

  it('admitRefusals() holds back a key whose calls were refused more than its burst, until its bucket refills; other keys go on', () => {
    const c = clock()
    const limits = createRateLimits(settings, c.now)
    for (let i = 0; i < 2; i++) {
      expect(limits.admitRefusals('k')).toBeNull()
      limits.refused('k')
    }
    const refused = limits.admitRefusals('k') as Limited
    expect(refused.limit).toBe('refusals')
    expect(refused.error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 1 })
    expect(refused.error.message).toBe(
      "This API key's calls were refused more than 1 times per second lately (malformed, foreign, replayed or unfunded tokens); wait before trying again.",
    )
    expect(limits.admitRefusals('other')).toBeNull()
    c.advance(1_000)
    expect(limits.admitRefusals('k')).toBeNull()
  })

  it('hold() holds a 429 for holdMs, at most maxHeld at once (beyond, it is sent at once)', async () => {
    vi.useFakeTimers()
    try {
      const limits = createRateLimits(settings, clock().now)
      let released = 0
      const held = [limits.hold(), limits.hold()]
      for (const h of held) void h?.then(() => (released += 1))
      expect(held.every((h) => h instanceof Promise)).toBe(true)
      expect(limits.hold()).toBeNull() // maxHeld (2) are held
      await vi.advanceTimersByTimeAsync(499)
      expect(released).toBe(0)
      await vi.advanceTimersByTimeAsync(1)
      expect(released).toBe(2)
      expect(limits.hold()).toBeInstanceOf(Promise) // room again
    } finally {
      vi.useRealTimers()
    }
  })
})

/*
 * The limits on a real Payment Server (anvil, Postgres), over real HTTP through its fast path:
 * a refused call answers 429 with Retry-After, and changes nothing.
 */
describe('rate limits on the Payment Server', () => {
  /** How long the server holds a 429 before sending it. */
  const HOLD_MS = 300
  let t: TestPayment
  let url: string
  let listener: http.Server
  let shop: { service: Service; apiKey: string }
  let billing: { service: Service; apiKey: string }
  let other: { service: Service; apiKey: string }

  beforeAll(async () => {
    t = await startTestPayment({
      settings: testSettings({
        issueAhead: 0,
        rateLimits: {
          key: { perSecond: 0.01, burst: 20 },
          address: { perSecond: 1_000, burst: 1_000 },
          authFailures: { perSecond: 0.01, burst: 3 },
          lookups: { perSecond: 0.01, burst: 3 },
          inFlightPerKey: 2,
          queuedPerKey: 1,
          refusals: { perSecond: 0.01, burst: 3 },
          holdMs: HOLD_MS,
          maxHeld: 100,
          maxTracked: 1_000,
        },
      }),
    })
    shop = await t.service('shop')
    billing = await t.service('billing')
    other = await t.service('other')
    await t.channel(shop.service, billing.service)
    await t.channel(other.service, billing.service)
    const fastPath = createFastPath(async () => t.server)
    listener = http.createServer((req, res) => {
      if (!fastPath(req, res)) res.writeHead(404).end()
    })
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise((resolve) => listener?.close(resolve))
    await t?.stop()
  })

  const post = async (path: string, key: string, body: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: await response.json(),
    }
  }
  const issuedCounts = async () =>
    (await t.database.db.paymentIssued.findMany({ orderBy: { channel: 'asc' } })).map((r) =>
      r.requests.toFixed(),
    )

  it('a key over its tokens per second gets 429 rate_limited with Retry-After, nothing is issued, and other keys go on', async () => {
    const first = await post('/api/payment/tokens', shop.apiKey, { provider: 'billing', count: 15 })
    expect(first.status).toBe(200)
    expect(first.body.tokens).toHaveLength(15)
    const before = await issuedCounts()

    const refused = await post('/api/payment/tokens', shop.apiKey, { provider: 'billing', count: 10 })
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('rate_limited')
    expect(refused.body.error.message).toBe("This API key's calls exceed 0.01 tokens per second; slow down.")
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1)
    expect(await issuedCounts()).toEqual(before)

    // A verify of junk counts its tokens too: a batch of them is refused before any is looked at.
    const verified = await t.server.metrics.verified.get()
    const junk = await post('/api/payment/tokens/verify', shop.apiKey, {
      tokens: Array.from({ length: 10 }, () => first.body.tokens[0]),
    })
    expect(junk.status).toBe(429)
    expect(await t.server.metrics.verified.get()).toEqual(verified)

    const others = await post('/api/payment/tokens', other.apiKey, { provider: 'billing', count: 5 })
    expect(others.status).toBe(200)
    const limited = await t.server.metrics.rateLimited.get()
    expect(limited.values.find((v) => v.labels.limit === 'key')?.value).toBe(2)
  })

  it('a provider key gets a bounded number of look-ups of channels not held here: junk tokens beyond them are refused 429 unlooked-up, the good token of the same call is accepted', async () => {
    const chainId = t.server.chainId
    const junk = Array.from({ length: 5 }, () => {
      const channel = privateKeyToAddress(generatePrivateKey()).toLowerCase() as `0x${string}`
      const token = signTokenNative({
        privateKey: generatePrivateKey(),
        chainId,
        channel,
        tokenId: 1n,
        requests: 1n,
      })
      return formatToken({ chainId, token })
    })
    const [good] = (await post('/api/payment/tokens', other.apiKey, { provider: 'billing', count: 1 })).body
      .tokens
    const answer = await post('/api/payment/tokens/verify', billing.apiKey, { tokens: [...junk, good] })
    expect(answer.status).toBe(200)
    const results = answer.body.results as Array<{ accepted: boolean; error?: { code: string } }>
    expect(results.map((r) => (r.accepted ? 'accepted' : r.error?.code))).toEqual([
      'channel_unknown',
      'channel_unknown',
      'channel_unknown',
      'rate_limited',
      'rate_limited',
      'accepted',
    ])
    const limited = await t.server.metrics.rateLimited.get()
    expect(limited.values.find((v) => v.labels.limit === 'lookups')?.value).toBe(2)
    // Sent alone, such a token answers 429 with Retry-After.
    const alone = await post('/api/payment/tokens/verify', billing.apiKey, { token: junk[0] })
    expect({ status: alone.status, code: alone.body.error.code }).toEqual({
      status: 429,
      code: 'rate_limited',
    })
    expect(Number(alone.retryAfter)).toBeGreaterThanOrEqual(1)
  })

  it('malformed tokens are refused 400 token_malformed before any signature work or look-up', async () => {
    const recoveries = async () =>
      (await t.server.metrics.recoveries.get()).values.reduce((sum, v) => sum + v.value, 0)
    const before = await recoveries()
    const lookups = (await t.server.metrics.rateLimited.get()).values
    const malformed = [
      'v1.garbage',
      `v1.${t.server.chainId}.0x${'1'.repeat(40)}.1.1.0x${'zz'.repeat(65)}`,
      `v1.${t.server.chainId}.0x${'1'.repeat(40)}.1.1.0x${'ab'.repeat(64)}`,
      `v2.${t.server.chainId}.0x${'1'.repeat(40)}.1.1.0x${'ab'.repeat(65)}`,
    ]
    const answer = await post('/api/payment/tokens/verify', billing.apiKey, { tokens: malformed })
    expect(answer.status).toBe(200)
    expect(answer.body.results.map((r: { error: { code: string } }) => r.error.code)).toEqual(
      malformed.map(() => 'token_malformed'),
    )
    expect(await recoveries()).toBe(before)
    expect((await t.server.metrics.rateLimited.get()).values).toEqual(lookups)
  })

  it("a key whose calls keep being refused gets 429 past its refusals' burst, held before it is sent, even for a good call; other keys go on", async () => {
    // (Before the address test below: a key never seen, from an address locked out, is refused.)
    const hostile = await t.service('hostile')
    const junk = `v1.${t.server.chainId}.0x${'1'.repeat(40)}.1.1.0x${'zz'.repeat(65)}`
    const refused = []
    for (let i = 0; i < 3; i++)
      refused.push(await post('/api/payment/tokens/verify', hostile.apiKey, { token: junk }))
    expect(refused.map((r) => [r.status, r.body.error.code])).toEqual(
      refused.map(() => [400, 'token_malformed']),
    )
    const issued = await t.database.db.paymentIssued.count()
    const started = performance.now()
    const held = await post('/api/payment/tokens', hostile.apiKey, { provider: 'billing' })
    const waited = performance.now() - started
    expect({ status: held.status, code: held.body.error.code }).toEqual({ status: 429, code: 'rate_limited' })
    expect(held.body.error.message).toMatch(
      /^This API key's calls were refused more than 0.01 times per second lately/,
    )
    expect(Number(held.retryAfter)).toBeGreaterThanOrEqual(1)
    expect(waited).toBeGreaterThanOrEqual(HOLD_MS - 5) // held, not sent at once
    expect(await t.database.db.paymentIssued.count()).toBe(issued)
    const limited = await t.server.metrics.rateLimited.get()
    expect(limited.values.find((v) => v.labels.limit === 'refusals')?.value).toBe(1)
    // Another key's refusals are its own: billing's calls go on.
    const [good] = (await post('/api/payment/tokens', other.apiKey, { provider: 'billing', count: 1 })).body
      .tokens
    expect((await post('/api/payment/tokens/verify', billing.apiKey, { token: good })).status).toBe(200)
  })

  it('an address that keeps sending unknown keys gets 429 before any further one is looked up, while its known keys go on', async () => {
    const answers = []
    for (let i = 0; i < 4; i++)
      answers.push(await post('/api/payment/tokens', `pk_made_up_${i}`, { provider: 'billing' }))
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 429])
    expect(answers[3]?.body.error.message).toBe(
      'Too many calls from 127.0.0.1 had a missing or unknown API key; wait before trying again.',
    )
    // A service behind the same address (a proxy, a NAT) is not locked out by a stranger there.
    expect((await post('/api/payment/tokens', other.apiKey, { provider: 'billing' })).status).toBe(200)
  })

  it('a key with as many calls in progress as allowed: the next waits its turn, the one after gets 429, and the waiting one is served once a slot frees', async () => {
    let open: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      open = resolve
    })
    // A route of the table's shape whose handler waits, so that calls stay in progress.
    const slow: AnyPaymentRoute = {
      name: 'test.slow',
      method: 'POST',
      path: '/test/slow',
      auth: 'service',
      doc: { summary: 'slow', responses: {} },
      handler: async () => {
        await gate
        return { ok: true }
      },
    }
    const call: Call = {
      headers: { get: (name) => (name === 'authorization' ? `Bearer ${billing.apiKey}` : null) },
      readBody: async () => '',
      clientAddress: '10.1.2.3',
    }
    const run = () => runPaymentRoute(slow, call, {}, async () => t.server)
    const running = [run(), run(), run()]
    const fourth = (await run()) as Answer
    expect(fourth.status).toBe(429)
    expect(fourth.headers).toEqual({ 'retry-after': '1' })
    expect((fourth.body as { error: { message: string } }).error.message).toBe(
      'This API key already has 2 calls in progress and 1 waiting; wait for their answers.',
    )
    open()
    expect((await Promise.all(running)).map((r) => r.status)).toEqual([200, 200, 200])
    expect(((await run()) as Answer).status).toBe(200)
  })
})
