import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPaymentGate } from '../src/middleware/core'
import { paymentRequired } from '../src/middleware/express'
import { parseToken } from '../src/token'
import { type Framework, frameworks, paymentJson, type Served } from './frameworks'
import { type PaidStack, startPaidStack } from './paidStack'

/*
 * Every framework's payment middleware, the real framework from node_modules on a real port, in
 * front of a real Payment Server: the same routes and the same expectations for each. The
 * channel pays 1,000 wei per request: /paid asks 1,000, /dear 1,001, /down's Payment Server is
 * not there.
 */

let stack: PaidStack

beforeAll(async () => {
  stack = await startPaidStack()
})
afterAll(async () => stack?.stop())

/** GET `url` with `token` (if any) in the payment-token header: the status, the JSON body, and the headers. */
async function get(url: string, token?: string) {
  const response = await fetch(url, { headers: token === undefined ? {} : { 'payment-token': token } })
  return { status: response.status, body: await response.json(), headers: response.headers }
}

const refusal = (code: string) => ({ error: { code, message: expect.any(String) } })

describe.each(frameworks)('$name payment middleware', (framework: Framework) => {
  let service: Served

  beforeAll(async () => {
    service = await framework.serve([
      { path: '/paid', verifier: stack.verifier, price: '1000' },
      { path: '/dear', verifier: stack.verifier, price: 1_001n },
      { path: '/down', verifier: stack.down },
    ])
  })
  afterAll(async () => service?.close())

  it(`${framework.name}: a paid request is served, the handler seeing the accepted payment`, async () => {
    const response = await stack.consumer.fetch(stack.provider, `${service.url}/paid`)
    expect(response.status).toBe(200)
    const body = await response.json()
    const requests = BigInt(body.requests)
    expect(body).toEqual({
      channel: stack.channel.address,
      tokenId: '1',
      requests: requests.toString(),
      value: (requests * 1_000n).toString(),
    })
    expect(service.handled.map(paymentJson).at(-1)).toEqual(body)
  })

  it(`${framework.name}: a missing, malformed or replayed token gets 402 with its code and the handler does not run`, async () => {
    const token = await stack.consumer.token(stack.provider)
    expect((await get(`${service.url}/paid`, token)).status).toBe(200)
    const handled = service.handled.length
    const missing = await get(`${service.url}/paid`)
    expect(missing).toMatchObject({ status: 402, body: refusal('token_missing') })
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/)
    expect(missing.headers.get('cache-control')).toBe('no-store')
    expect(await get(`${service.url}/paid`, 'v1.31337.0xnot-a-channel')).toMatchObject({
      status: 402,
      body: refusal('token_malformed'),
    })
    expect(await get(`${service.url}/paid`, token)).toMatchObject({
      status: 402,
      body: refusal('count_already_accepted'),
    })
    expect(service.handled.length).toBe(handled)
  })

  it(`${framework.name}: a route priced above the channel gets 402 terms_rejected, and the count is not consumed`, async () => {
    const token = await stack.consumer.token(stack.provider)
    const accepted = await stack.acceptedCount()
    const handled = service.handled.length
    expect(await get(`${service.url}/dear`, token)).toEqual({
      status: 402,
      body: {
        error: {
          code: 'terms_rejected',
          message: `The channel pays 1000 wei per request; this route of ${stack.provider} costs 1001 wei.`,
        },
      },
      headers: expect.anything(),
    })
    expect(service.handled.length).toBe(handled)
    expect(await stack.acceptedCount()).toBe(accepted)
    // The same token then pays for a route at the channel's price.
    const served = await get(`${service.url}/paid`, token)
    expect(served).toMatchObject({
      status: 200,
      body: { requests: parseToken(token).token.requests.toString() },
    })
    expect(await stack.acceptedCount()).toBe(accepted + 1n)
  })

  it(`${framework.name}: an unreachable Payment Server gets 503 payment_server_unavailable and the handler does not run`, async () => {
    const token = await stack.consumer.token(stack.provider)
    const handled = service.handled.length
    expect(await get(`${service.url}/down`, token)).toMatchObject({
      status: 503,
      body: refusal('payment_server_unavailable'),
    })
    expect(service.handled.length).toBe(handled)
  })
})

describe('createPaymentGate()', () => {
  it.each(['-1', '1.5', '1e3', '', -1n, 2n ** 256n])(
    'createPaymentGate() refuses the price %s when the route is set up, with a RangeError',
    (price) => {
      expect(() => createPaymentGate(stack.verifier, { price })).toThrow(RangeError)
    },
  )
})

describe('payment middleware stacked on one request (an app-wide one and a route’s)', () => {
  /** Express with paymentRequired() for every route, and again on /dear at 1,001 wei: one count per request. */
  async function stackedExpress() {
    const app = express()
    app.use(paymentRequired(stack.verifier))
    app.get('/same', paymentRequired(stack.verifier, { price: 1_000n }), (req, res) => {
      res.json(paymentJson(req.payment as NonNullable<typeof req.payment>))
    })
    app.get('/dear', paymentRequired(stack.verifier, { price: 1_001n }), (_req, res) => {
      res.json({ served: true })
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const { port } = server.address() as { port: number }
    return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) }
  }

  it('the route’s middleware serves the payment the app-wide one accepted (one count), or refuses a route dearer than the channel without a second call', async () => {
    const service = await stackedExpress()
    try {
      const before = await stack.acceptedCount()
      const token = await stack.consumer.token(stack.provider)
      const served = await get(`${service.url}/same`, token)
      expect(served.status, JSON.stringify(served.body)).toBe(200)
      expect(served.body).toEqual(
        paymentJson({
          ...parseToken(token).token,
          value: 1_000n * parseToken(token).token.requests,
          channel: stack.channel.address.toLowerCase() as `0x${string}`,
        }),
      )
      expect(await stack.acceptedCount()).toBe(before + 1n)

      const dear = await get(`${service.url}/dear`, await stack.consumer.token(stack.provider))
      expect(dear.status).toBe(402)
      expect(dear.body.error.code).toBe('terms_rejected')
      expect(dear.body.error.message).toContain(
        'paid 1000 wei by an earlier payment middleware; this route costs 1001 wei',
      )
      // The app-wide middleware accepted it (one count); the route's made no call of its own.
      expect(await stack.acceptedCount()).toBe(before + 2n)
    } finally {
      await service.close()
    }
  })
})
