import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { paymentKitV2 } from '../../../lib/server/payment/v2/testing'
import { createPaymentConsumer } from '../src/consumer'
import { paymentRequired } from '../src/middleware/express'
import { createPaymentVerifier } from '../src/provider'

/*
 * The client library on a version 2 channel (categories small at 1,000 wei, large at 5,000):
 * the consumer's fetch asks for a token of a category, an Express service charges each route's
 * category, and maxPrice refuses to pay a price raised above it. Real Payment Server (anvil,
 * Postgres) over HTTP, real Express on a real port.
 */

const { kit, parties } = paymentKitV2()
let opened: Awaited<ReturnType<typeof kit.open>>
let base: string
let close: () => void

beforeAll(async () => {
  await kit.start()
  opened = await kit.open()
  const verifier = createPaymentVerifier({ serverUrl: kit.url(), apiKey: opened.providerApi })
  const app = express()
  const answer = (req: express.Request, res: express.Response) =>
    res.json({ value: String((req as { payment?: { value: bigint } }).payment?.value) })
  app.get('/small', paymentRequired(verifier, { category: 'small', price: 1_000n }), answer)
  app.get('/large', paymentRequired(verifier, { category: 'large', price: 5_000n }), answer)
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  close = () => server.close()
})
afterAll(async () => {
  close?.()
  await kit.stop()
})

describe('categories in the client library', () => {
  it('fetch() pays each route with a token of its category; a route charges its own category', async () => {
    const consumer = createPaymentConsumer({ serverUrl: kit.url(), apiKey: parties.aliceApi, prefetch: 0 })
    const provider = opened.provider.name
    const small = await consumer.fetch(provider, `${base}/small`, { category: 'small' })
    expect({ status: small.status, body: await small.json() }).toEqual({
      status: 200,
      body: { value: '1000' },
    })
    const large = await consumer.fetch(provider, `${base}/large`, { category: 'large' })
    expect({ status: large.status, body: await large.json() }).toEqual({
      status: 200,
      body: { value: '5000' },
    })
    // A small token (2, 1) at the large route claims large request 1 again: already paid for.
    const wrong = await consumer.fetch(provider, `${base}/large`, { category: 'small' })
    expect(wrong.status).toBe(402)
    expect((await wrong.json()).error.code).toBe('count_already_accepted')
    expect((await kit.acceptedRow(opened.channel.address))?.requests).toEqual([1n, 1n])
  })

  it('fetch() refuses to pay above maxPrice with price_above_max, and pays at or below it', async () => {
    const consumer = createPaymentConsumer({ serverUrl: kit.url(), apiKey: parties.aliceApi, prefetch: 0 })
    const provider = opened.provider.name
    await expect(
      consumer.fetch(provider, `${base}/large`, { category: 'large', maxPrice: 4_999n }),
    ).rejects.toMatchObject({ code: 'price_above_max', message: expect.stringContaining('5000 wei') })
    const ok = await consumer.fetch(provider, `${base}/large`, { category: 'large', maxPrice: 5_000n })
    expect(ok.status).toBe(200)
  })

  it('a route middleware stacked after an app-wide one serves only what was paid in its own category', async () => {
    const verifier = createPaymentVerifier({ serverUrl: kit.url(), apiKey: opened.providerApi })
    const app = express()
    app.use(paymentRequired(verifier, { category: 'small' }))
    const answer = (req: express.Request, res: express.Response) =>
      res.json({ category: (req as { payment?: { category?: number } }).payment?.category })
    app.get('/small', paymentRequired(verifier, { category: 'small' }), answer)
    app.get('/first', paymentRequired(verifier, { category: 0 }), answer)
    app.get('/large', paymentRequired(verifier, { category: 'large' }), answer)
    app.get('/any', paymentRequired(verifier, { category: '*' }), answer)
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const stacked = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const consumer = createPaymentConsumer({ serverUrl: kit.url(), apiKey: parties.aliceApi, prefetch: 0 })
      const provider = opened.provider.name
      const before = (await kit.acceptedRow(opened.channel.address))?.requests ?? [0n, 0n]
      const answers = []
      for (const path of ['/small', '/first', '/any', '/large']) {
        const response = await consumer.fetch(provider, `${stacked}${path}`, { category: 'small' })
        answers.push({ path, status: response.status, body: await response.json() })
      }
      expect(answers.slice(0, 3)).toEqual([
        { path: '/small', status: 200, body: { category: 0 } },
        { path: '/first', status: 200, body: { category: 0 } },
        { path: '/any', status: 200, body: { category: 0 } },
      ])
      // A large route served for a small payment would give large requests at the small price.
      expect(answers[3]).toMatchObject({
        path: '/large',
        status: 402,
        body: { error: { code: 'terms_rejected' } },
      })
      expect(answers[3]?.body.error.message).toContain(
        'paid in category small by an earlier payment middleware; this route charges category large',
      )
      // Each request counted once, in small, by the app-wide middleware.
      expect((await kit.acceptedRow(opened.channel.address))?.requests).toEqual([before[0]! + 4n, before[1]!])
    } finally {
      server.close()
    }
  })
})
