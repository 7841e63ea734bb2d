import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bigintOf } from '../../../lib/columns/kinds'
import { createFastPath } from '../../../lib/server/payment/fastPath'
import type { PaymentServer } from '../../../lib/server/payment/server'
import type { Service } from '../../../lib/server/payment/services'
import { startTestPayment, type TestPayment, testSettings } from '../../../test/kit/payment'
import {
  createPaymentConsumer,
  DEFAULT_PREFETCH,
  type PaymentConsumerParameters,
  SPARE_TTL_MS,
} from './consumer'
import { PaymentError } from './http'
import { parseToken } from './token'

/**
 * The consumer helper against a real Payment Server (anvil, Postgres) over real HTTP: the
 * server's own fast path for the token calls behind a node:http server.
 * The server takes no counts ahead itself (issueAhead 0), so what it issued is exactly what the
 * library asked for.
 */
let t: TestPayment
let url: string
let listener: http.Server
let consumer: { service: Service; apiKey: string }
let providers = 0

beforeAll(async () => {
  t = await startTestPayment({ settings: testSettings({ issueAhead: 0 }) })
  listener = serve(t.server)
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`
  consumer = await t.service('shop')
})

afterAll(async () => {
  listener?.closeAllConnections()
  await new Promise((resolve) => listener?.close(resolve))
  await t?.stop()
})

/** The Payment Server's own fast path (the token calls) on a port of its own; 404 otherwise. */
function serve(server: PaymentServer): http.Server {
  const fastPath = createFastPath(async () => server)
  return http.createServer((req, res) => {
    if (!fastPath(req, res)) res.writeHead(404).end()
  })
}

/** A new provider, a channel to it from the consumer, and a consumer library. */
async function setUp(
  options: Partial<PaymentConsumerParameters> = {},
  channelOptions: { deposit?: bigint } = {},
) {
  const name = `billing-${++providers}`
  const provider = (await t.service(name, { price: 1_000n })).service
  const channel = await t.channel(consumer.service, provider, channelOptions)
  let calls = 0
  const library = createPaymentConsumer({
    serverUrl: url,
    apiKey: consumer.apiKey,
    // Counts the calls to the Payment Server (given a fetch, the library uses it).
    fetch: (input, init) => {
      calls += 1
      return globalThis.fetch(input, init)
    },
    ...options,
  })
  return { name, provider, channel, library, calls: () => calls }
}

/** Counts the Payment Server issued on `channel` (its payment_issued high-water, token ID 1). */
async function issuedOn(channel: { address: string }): Promise<bigint> {
  const row = await t.database.db.paymentIssued.findFirst({ where: { channel: channel.address } })
  return row ? bigintOf(row.requests) : 0n
}

const countOf = (token: string) => parseToken(token).token.requests
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('the consumer keeping tokens ahead', () => {
  it('a consumer sending fewer than 20 requests per second keeps no token: counts 1..n, each its own call', async () => {
    const { name, channel, library, calls } = await setUp()
    const tokens: string[] = []
    for (let i = 0; i < 12; i++) {
      tokens.push(await library.token(name))
      await sleep(110)
    }
    expect(tokens.map(countOf)).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i + 1)))
    expect(library.kept(name)).toBe(0)
    expect(calls()).toBe(12)
    expect(await issuedOn(channel)).toBe(12n)
  })

  it('a busy consumer needs far fewer calls than tokens, hands out no count twice, and keeps at most DEFAULT_PREFETCH', async () => {
    const { name, provider, channel, library, calls } = await setUp()
    const tokens: string[] = []
    for (let round = 0; round < 30; round++) {
      tokens.push(...(await Promise.all(Array.from({ length: 20 }, () => library.token(name)))))
    }
    const counts = tokens.map(countOf)
    expect(new Set(counts).size).toBe(600)
    const kept = library.kept(name)
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThanOrEqual(DEFAULT_PREFETCH)
    // Everything issued was handed out or is kept: nothing lost yet.
    expect(await issuedOn(channel)).toBe(600n + BigInt(kept))
    expect(calls()).toBeLessThan(150)

    // The provider accepts every token handed out.
    const verdicts = await t.server.verifier.verifyMany(provider, tokens)
    expect(verdicts.filter((v) => v.accepted)).toHaveLength(600)
  })

  it('prefetch 0 keeps nothing, however busy: what was issued is exactly what was handed out', async () => {
    const { name, channel, library } = await setUp({ prefetch: 0 })
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 20 }, () => library.token(name)))
    }
    expect(library.kept(name)).toBe(0)
    expect(await issuedOn(channel)).toBe(400n)
  })

  it(`kept tokens are dropped after ${SPARE_TTL_MS} ms: the next token is fresh and above them`, async () => {
    const { name, provider, channel, library, calls } = await setUp()
    for (let round = 0; round < 10; round++) {
      await Promise.all(Array.from({ length: 20 }, () => library.token(name)))
    }
    const kept = library.kept(name)
    expect(kept).toBeGreaterThan(0)
    const issued = await issuedOn(channel)
    await sleep(SPARE_TTL_MS + 100)
    expect(library.kept(name)).toBe(0)
    const before = calls()
    const fresh = await library.token(name)
    expect(calls()).toBe(before + 1)
    expect(countOf(fresh)).toBe(issued + 1n)
    expect(await t.server.verifier.verify(provider, fresh)).toMatchObject({ accepted: true })
  })

  it('keeping tokens ahead never refuses a request the funds cover: exactly deposit / cost tokens, then insufficient_funds', async () => {
    // 250 requests at 1,000 wei, asked 10 at a time: near the end the tokens ahead do not fit.
    const { name, channel, library } = await setUp({}, { deposit: 250_000n })
    const tokens: string[] = []
    for (let round = 0; round < 25; round++) {
      tokens.push(...(await Promise.all(Array.from({ length: 10 }, () => library.token(name)))))
    }
    expect(new Set(tokens.map(countOf)).size).toBe(250)
    expect(library.kept(name)).toBe(0)
    const refused = await library.token(name).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(PaymentError)
    expect((refused as PaymentError).code).toBe('insufficient_funds')
    expect(await issuedOn(channel)).toBe(250n)
  })
})
