import { maxUint256 } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { servePayment, startTestPayment, type TestPayment } from '../../../../test/kit/payment'
import type { ChannelRecord } from '../channels'
import type { Service } from '../services'

/*
 * A verify call carrying the price of the provider's route (`price`, wei per request), over real
 * HTTP on the server's fast path: a channel paying less is refused as terms_rejected before its
 * count is accepted, so the same token is still good on a route it does pay for.
 */

let t: TestPayment
let http: Awaited<ReturnType<typeof servePayment>>
let shop: Service
let billing: { service: Service; apiKey: string }
let channel: ChannelRecord

beforeAll(async () => {
  t = await startTestPayment()
  http = await servePayment(t.server)
  shop = (await t.service('shop')).service
  billing = await t.service('billing', { price: 1_000n })
  channel = await t.channel(shop, billing.service, { costPerRequest: 1_000n })
})
afterAll(async () => {
  await http?.close()
  await t?.stop()
})

/** `POST /api/payment/tokens/verify` as billing; the status and JSON body. */
async function verify(body: unknown) {
  const response = await fetch(`${http.url}/api/payment/tokens/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${billing.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: await response.json() }
}

/** `n` fresh tokens of the channel. */
const issue = async (n: number) => (await t.server.issuer.issue({ channel, consumer: shop, count: n })).tokens

/** What the server accepted on the channel so far (its payment_accepted rows). */
const acceptedRows = () => t.database.db.paymentAccepted.findMany({ where: { channel: channel.address } })

describe('tokens.verify with a route price', () => {
  it('tokens.verify refuses a price above the channel as terms_rejected naming both prices, and accepts nothing', async () => {
    const [token] = await issue(1)
    const before = await acceptedRows()
    const refused = await verify({ token, price: '5000' })
    expect(refused).toEqual({
      status: 402,
      body: {
        error: {
          code: 'terms_rejected',
          message: 'The channel pays 1000 wei per request; this route of billing costs 5000 wei.',
        },
      },
    })
    expect(await acceptedRows()).toEqual(before)
    // The count was not taken: the same token pays for a route at the channel's price.
    expect(await verify({ token, price: '1000' })).toMatchObject({
      status: 200,
      body: { accepted: true, channel: channel.address, value: expect.any(String) },
    })
  })

  it('tokens.verify keeps each batch item with its own price; plain strings still work', async () => {
    const [dear, plain, cheap] = (await issue(3)) as [string, string, string]
    const { status, body } = await verify({
      tokens: [{ token: dear, price: '1001' }, plain, { token: cheap, price: '999' }],
    })
    expect(status).toBe(200)
    expect(
      body.results.map((r: { accepted: boolean; error?: { code: string } }) => r.error?.code ?? 'accepted'),
    ).toEqual(['terms_rejected', 'accepted', 'accepted'])
    expect(body.results[0].error.message).toBe(
      'The channel pays 1000 wei per request; this route of billing costs 1001 wei.',
    )
    expect(await verify({ tokens: [dear] })).toMatchObject({
      status: 200,
      body: { results: [{ accepted: true }] },
    })
  })

  it.each([
    ['negative', '-1'],
    ['a fraction', '1.5'],
    ['an exponent', '1e3'],
    ['leading zeros', '01000'],
    ['above uint256', (maxUint256 + 1n).toString()],
    ['a number', 1000],
  ])(
    'tokens.verify refuses a price that is %s with 400 invalid_request and accepts nothing',
    async (_, price) => {
      const [token] = await issue(1)
      const before = await acceptedRows()
      const single = await verify({ token, price })
      expect(single.status).toBe(400)
      expect(single.body.error).toMatchObject({
        code: 'invalid_request',
        message: expect.stringContaining('price'),
      })
      expect((await verify({ tokens: [{ token, price }] })).body.error.code).toBe('invalid_request')
      expect(await acceptedRows()).toEqual(before)
      expect(await verify({ token })).toMatchObject({ status: 200, body: { accepted: true } })
    },
  )
})
