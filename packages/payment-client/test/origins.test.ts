import type { AddressInfo } from 'node:net'
import express from 'express'
import { generatePrivateKey } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callRoute } from '../../../lib/server/payment/api/testing'
import { openChannelBody } from '../../../lib/server/payment/schemas'
import { countsOf, paymentKitV2 } from '../../../lib/server/payment/v2/testing'
import { createPaymentConsumer } from '../src/consumer'
import { paymentRequired } from '../src/middleware/express'
import { createPaymentVerifier, type Payment } from '../src/provider'
import { TOKEN_HEADER } from '../src/token'
import { CATEGORY_HEADER } from '../src/tokenV2'

/*
 * Exact transitive tracing (thesis 3.4) in the client library: alice (the middle service) pays
 * dave in the category of the consumer she calls for (`fetch(..., { origin })`), and dave's
 * route serves any category (`category: '*'`), each request charged to the category its
 * consumer names, with every check of the Payment Server whole. Real Payment Server (anvil,
 * Postgres) over HTTP, real Express on a real port.
 */

const { kit, parties, t } = paymentKitV2()
const PRICES = [1_000n, 3_000n]
let channel: `0x${string}`
let base: string
let close: () => void

beforeAll(async () => {
  await kit.start()
  const dave = await t().service('dave', { price: null })
  await t().service('carol', { price: null })
  const opened = await callRoute(t().server, 'channels.open', {
    caller: parties.alice,
    body: openChannelBody.parse({
      provider: 'dave',
      deposit: '1000000',
      prices: [
        { name: 'for-bob', price: String(PRICES[0]), origin: 'bob' },
        { name: 'for-carol', price: String(PRICES[1]), origin: 'carol' },
      ],
    }),
  })
  channel = opened.body.channel.address
  const verifier = createPaymentVerifier({ serverUrl: kit.url(), apiKey: dave.apiKey })
  const app = express()
  const answer = (req: express.Request, res: express.Response) => {
    const p = (req as { payment?: Payment }).payment
    res.json({ category: p?.category, requests: String(p?.requests), value: String(p?.value) })
  }
  app.get('/any', paymentRequired(verifier, { category: '*', price: 1_000n }), answer)
  app.get('/dear', paymentRequired(verifier, { category: '*', price: 2_000n }), answer)
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  close = () => server.close()
})
afterAll(async () => {
  close?.()
  await kit.stop()
})

const consumer = () => createPaymentConsumer({ serverUrl: kit.url(), apiKey: parties.aliceApi, prefetch: 0 })

/** A request to dave's `path` with these headers; status and JSON. */
async function call(path: string, headers: Record<string, string>) {
  const response = await fetch(`${base}${path}`, { headers })
  return { status: response.status, body: await response.json() }
}

describe('fetch() with origin, to a route serving any category', () => {
  it("pays in the category of the origin (by name or address) and the route charges that category's price", async () => {
    const alice = consumer()
    const asJson = async (r: Response) => ({ status: r.status, body: await r.json() })
    expect(await asJson(await alice.fetch('dave', `${base}/any`, { origin: 'bob' }))).toEqual({
      status: 200,
      body: { category: 0, requests: '1', value: '1000' },
    })
    const carol = (await t().server.services.byName('carol'))?.address as string
    expect(
      await asJson(
        await alice.fetch('dave', `${base}/any`, { origin: carol.toUpperCase().replace('0X', '0x') }),
      ),
    ).toEqual({
      status: 200,
      body: { category: 1, requests: '1', value: '3000' },
    })
    expect(await asJson(await alice.fetch('dave', `${base}/any`, { origin: 'bob' }))).toEqual({
      status: 200,
      body: { category: 0, requests: '2', value: '1000' },
    })
    expect((await kit.acceptedRow(channel))?.requests).toEqual([2n, 1n])
  })

  it('refuses clearly, sending nothing, when the channel traces no such origin', async () => {
    const before = await kit.acceptedRow(channel)
    await expect(consumer().fetch('dave', `${base}/any`, { origin: 'alice' })).rejects.toMatchObject({
      code: 'category_unknown',
      message: expect.stringContaining('has no category for origin alice'),
    })
    await expect(consumer().fetch('dave', `${base}/any`, { origin: 'bob', category: 0 })).rejects.toThrow(
      'give category or origin, not both',
    )
    expect(await kit.acceptedRow(channel)).toEqual(before)
  })
})

describe("a '*' route against hostile requests", () => {
  it("refuses a token without the category header, a malformed one, and another category's count; the token stays good", async () => {
    const token = await consumer().token('dave', { origin: 'carol' })
    const [, large] = countsOf(token)
    const before = await kit.acceptedRow(channel)
    const missing = await call('/any', { [TOKEN_HEADER]: token })
    expect({ status: missing.status, code: missing.body.error.code }).toEqual({
      status: 402,
      code: 'category_missing',
    })
    const malformed = await call('/any', { [TOKEN_HEADER]: token, [CATEGORY_HEADER]: 'carol' })
    expect({ status: malformed.status, code: malformed.body.error.code }).toEqual({
      status: 402,
      code: 'category_malformed',
    })
    // The token raised carol's count; charged to bob's category it claims a count already paid.
    const other = await call('/any', { [TOKEN_HEADER]: token, [CATEGORY_HEADER]: '0' })
    expect({ status: other.status, code: other.body.error.code }).toEqual({
      status: 402,
      code: 'count_already_accepted',
    })
    expect(await kit.acceptedRow(channel)).toEqual(before)
    const right = await call('/any', { [TOKEN_HEADER]: token, [CATEGORY_HEADER]: '1' })
    expect(right).toEqual({ status: 200, body: { category: 1, requests: String(large), value: '3000' } })
  })

  it("refuses a stranger's token, an incomparable token and a category priced below the route", async () => {
    const before = await kit.acceptedRow(channel)
    const max = before?.requests as bigint[]
    const stranger = kit.wire({
      channel,
      prices: PRICES,
      requests: [max[0]! + 1n, max[1]!],
      key: generatePrivateKey(),
    })
    const refusal = async (path: string, token: string, category: string) => {
      const { status, body } = await call(path, { [TOKEN_HEADER]: token, [CATEGORY_HEADER]: category })
      return { status, code: body.error?.code }
    }
    expect(await refusal('/any', stranger, '0')).toEqual({ status: 402, code: 'bad_signature' })
    const incomparable = kit.wire({ channel, prices: PRICES, requests: [max[0]! + 5n, max[1]! - 1n] })
    expect(await refusal('/any', incomparable, '0')).toEqual({ status: 402, code: 'token_incomparable' })
    const cheap = kit.wire({ channel, prices: PRICES, requests: [max[0]! + 1n, max[1]!] })
    expect(await refusal('/dear', cheap, '0')).toEqual({ status: 402, code: 'terms_rejected' })
    expect(await kit.acceptedRow(channel)).toEqual(before)
    // The same token where the route's price is met.
    expect((await call('/any', { [TOKEN_HEADER]: cheap, [CATEGORY_HEADER]: '0' })).status).toBe(200)
  })
})
