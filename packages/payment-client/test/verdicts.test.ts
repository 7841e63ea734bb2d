import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPaymentVerifier } from '../src/provider'

/*
 * How the verifier reads the Payment Server's verdicts it should not trust or that judge
 * nothing: a small real HTTP server answers as a faulty or overloaded Payment Server would (the
 * verifier is the thing under test, not the server). The real server's answers are covered by
 * the other suites.
 */

const CHANNEL = `0x${'ab'.repeat(20)}`
const OTHER = `0x${'ef'.repeat(20)}`
const token = (requests: number) => `v1.31337.${CHANNEL}.1.${requests}.0x${'cd'.repeat(65)}`

/** What the server answers next: a status and a body for the request's JSON body. */
let answer: (body: { token?: string; tokens?: unknown[] }) => { status: number; body: unknown }
let server: http.Server
let serverUrl: string

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let text = ''
    req.on('data', (chunk) => {
      text += chunk
    })
    req.on('end', () => {
      const { status, body } = answer(JSON.parse(text))
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const accepted = (channel: string, requests: number) => ({
  accepted: true,
  channel,
  tokenId: '1',
  requests: String(requests),
  value: String(requests * 1000),
})
const verifier = () => createPaymentVerifier({ serverUrl, apiKey: 'psk_provider', retry: false })

describe('verdicts the verifier does not take as they come', () => {
  it('an acceptance of another token (another channel or count) is a failure, 503, never that payment', async () => {
    answer = () => ({ status: 200, body: accepted(OTHER, 1) })
    expect(await verifier().verify(token(1))).toMatchObject({
      accepted: false,
      status: 503,
      code: 'payment_server_unavailable',
    })
    answer = () => ({ status: 200, body: accepted(CHANNEL, 2) })
    expect(await verifier().verify(token(1))).toMatchObject({ accepted: false, status: 503 })
    answer = () => ({ status: 200, body: accepted(CHANNEL, 1) })
    expect(await verifier().verify(token(1))).toMatchObject({ accepted: true, requests: 1n, value: 1000n })
  })

  it("a v2 verdict counts only when its count is the charged category's: [3, 1] charged count 3 of category 1 is another token's", async () => {
    const v2 = `v2.31337.${CHANNEL}.1.1000,5000.3,1.0x${'cd'.repeat(65)}`
    answer = () => ({ status: 200, body: { ...accepted(CHANNEL, 3), category: 1 } })
    expect(await verifier().verify(v2, { category: 1 })).toMatchObject({ accepted: false, status: 503 })
    answer = () => ({ status: 200, body: { ...accepted(CHANNEL, 1), category: 1 } })
    expect(await verifier().verify(v2, { category: 1 })).toMatchObject({
      accepted: true,
      requests: 1n,
      category: 1,
    })
    answer = () => ({ status: 200, body: { ...accepted(CHANNEL, 3), category: 0 } })
    expect(await verifier().verify(v2)).toMatchObject({ accepted: true, requests: 3n, category: 0 })
  })

  it('a batch answered out of order hands no request another one’s payment', async () => {
    // Each result rotated by one: every verdict of a batch is on another request's token.
    answer = ({ token: one, tokens }) => {
      if (one) return { status: 200, body: accepted(CHANNEL, Number(one.split('.')[4])) }
      const counts = (tokens ?? []).map((t) => Number(String(t).split('.')[4]))
      return {
        status: 200,
        body: { results: counts.map((_, i) => accepted(CHANNEL, counts[(i + 1) % counts.length] as number)) },
      }
    }
    const v = verifier()
    const results = await Promise.all([1, 2, 3].map((n) => v.verify(token(n))))
    results.forEach((result, i) => {
      if (result.accepted) expect(result.requests).toBe(BigInt(i + 1))
    })
    expect(results.filter((r) => !r.accepted && r.status === 503).length).toBeGreaterThanOrEqual(2)
  })

  it('rate_limited judges nothing: 503 alone (429) and in a batch alike; channel_retired is a refusal alike', async () => {
    const limited = { code: 'rate_limited', message: 'Too many calls.' }
    const retired = { code: 'channel_retired', message: 'The channel belonged to the chain before a reset.' }
    answer = ({ tokens }) =>
      tokens
        ? { status: 200, body: { results: tokens.map(() => ({ accepted: false, error: limited })) } }
        : { status: 429, body: { error: limited } }
    const v = verifier()
    const limitedResults = await Promise.all([1, 2, 3].map((n) => v.verify(token(n))))
    expect(limitedResults.map((r) => !r.accepted && `${r.status} ${r.code}`)).toEqual(
      Array(3).fill('503 payment_server_unavailable'),
    )

    answer = ({ tokens }) =>
      tokens
        ? { status: 200, body: { results: tokens.map(() => ({ accepted: false, error: retired })) } }
        : { status: 410, body: { error: retired } }
    const w = verifier()
    const retiredResults = await Promise.all([1, 2, 3].map((n) => w.verify(token(n))))
    expect(retiredResults.map((r) => !r.accepted && `${r.status} ${r.code}`)).toEqual(
      Array(3).fill('402 channel_retired'),
    )
  })
})
