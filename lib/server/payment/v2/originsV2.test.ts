import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callRoute } from '../api/testing'
import { openChannelBody } from '../schemas'
import { countsOf, paymentKitV2 } from './testing'

/*
 * Exact transitive tracing (thesis 3.4) in the Payment Server: a version 2 channel's categories
 * may each name the origin consumer whose requests they count (`prices[i].origin`), and the
 * issue calls take `origin` to pay in that category. Real Payment Server, anvil and Postgres;
 * the open through its route handler, the issue calls over HTTP (the fast path).
 */

const { kit, parties, t } = paymentKitV2()
beforeAll(() => kit.start())
afterAll(() => kit.stop())

/** An origin that is no service of this server: only an address can name it. */
const STRANGER = '0x00000000000000000000000000000000000000AB' as Address

const open = (provider: string, prices: unknown[]) =>
  callRoute(t().server, 'channels.open', {
    caller: parties.alice,
    body: openChannelBody.parse({ provider, deposit: '1000000', prices }),
  })

describe('opening a channel whose categories trace origins', () => {
  it('stores each origin as a lowercase address: a service name resolved, an address as given, none as null', async () => {
    const provider = await t().service('traced-open', { price: null })
    const answer = await open('traced-open', [
      { name: 'for-bob', price: '1000', origin: 'bob' },
      { name: 'for-stranger', price: '2000', origin: STRANGER },
      { name: 'plain', price: '3000' },
    ])
    expect(answer.status).toBe(201)
    const address = answer.body.channel.address as Address
    const origins = [parties.bob.address.toLowerCase(), STRANGER.toLowerCase(), null]
    expect(answer.body.channel.v2.origins).toEqual(origins)
    expect((await t().server.channels.find(address))?.origins).toEqual(origins)
    // The index's names and origins (migration 0013's trigger) follow the Payment Server's row.
    const rows = await t().database.db.$queryRaw<
      Array<{ category: number; name: string; origin: string | null }>
    >`
      SELECT category::int AS category, name, origin FROM channel_category WHERE channel = ${address} ORDER BY category`
    expect(rows).toEqual([
      { category: 0, name: 'for-bob', origin: origins[0] },
      { category: 1, name: 'for-stranger', origin: origins[1] },
      { category: 2, name: 'plain', origin: null },
    ])
    expect(provider.service.name).toBe('traced-open')
  })

  it('refuses an origin naming no service (400 origin_unknown) and one consumer traced twice (origin_duplicate), opening nothing', async () => {
    const provider = await t().service('traced-refused', { price: null })
    const nonce = () => t().testbed.publicClient.getTransactionCount({ address: parties.alice.address })
    const before = await nonce()
    const unknown = await open('traced-refused', [{ name: 'x', price: '1', origin: 'nobody' }])
    expect(unknown).toEqual({
      status: 400,
      body: {
        error: {
          code: 'origin_unknown',
          message: 'No service is named nobody: an origin is a service name of this server or an address.',
        },
      },
    })
    // bob by name and by address: the same consumer.
    const twice = await open('traced-refused', [
      { name: 'a', price: '1', origin: 'bob' },
      { name: 'b', price: '1', origin: parties.bob.address },
    ])
    expect({ status: twice.status, code: twice.body.error.code }).toEqual({
      status: 400,
      code: 'origin_duplicate',
    })
    expect(twice.body.error.message).toMatch(/^Categories a and b both trace origin 0x[0-9a-f]{40}: .*\.$/)
    const channels = await t().database.db.paymentChannel.count({
      where: { provider: provider.service.address },
    })
    expect({ channels, nonce: await nonce() }).toEqual({ channels: 0, nonce: before })
  })

  it('the body refuses an origin that is neither a name nor an address, and the same origin written twice', () => {
    const parse = (prices: unknown[]) => openChannelBody.safeParse({ provider: 'bob', prices }).success
    expect(parse([{ name: 'a', price: '1', origin: 'alice' }])).toBe(true)
    expect(parse([{ name: 'a', price: '1', origin: 'Not a name!' }])).toBe(false)
    expect(parse([{ name: 'a', price: '1', origin: '0x1234' }])).toBe(false)
    expect(
      parse([
        { name: 'a', price: '1', origin: 'alice' },
        { name: 'b', price: '1', origin: 'alice' },
      ]),
    ).toBe(false)
  })
})

describe('issuing tokens for an origin', () => {
  it("issue() with origin raises the category tracing it and says which, with the channel's origins", async () => {
    await t().service('traced-issue', { price: null })
    await t().service('carol', { price: null })
    const opened = await open('traced-issue', [
      { name: 'for-bob', price: '1000', origin: 'bob' },
      { name: 'for-stranger', price: '2000', origin: STRANGER },
    ])
    const issue = (body: object) =>
      kit.post('/api/payment/tokens', parties.aliceApi, { provider: 'traced-issue', ...body })
    const origins = [parties.bob.address.toLowerCase(), STRANGER.toLowerCase()]
    const bob = await issue({ origin: 'bob', count: 2 })
    expect(bob.status).toBe(200)
    expect(bob.body).toMatchObject({ channel: opened.body.channel.address, category: 0, origins })
    const stranger = await issue({ origin: STRANGER.toUpperCase().replace('0X', '0x') })
    expect(stranger.body).toMatchObject({ category: 1, origins })
    expect([...bob.body.tokens, ...stranger.body.tokens].map(countsOf)).toEqual([
      [1n, 0n],
      [2n, 0n],
      [2n, 1n],
    ])

    const refused = async (body: object) => {
      const { status, body: answer } = await issue(body)
      return { status, code: answer.error?.code, message: answer.error?.message }
    }
    expect(await refused({ origin: 'carol' })).toEqual({
      status: 400,
      code: 'category_unknown',
      message: `Channel ${opened.body.channel.address} has no category for origin carol (${(await t().server.services.byName('carol'))?.address.toLowerCase()}); it traces for-bob (${origins[0]}), for-stranger (${origins[1]}).`,
    })
    expect(await refused({ origin: 'nobody' })).toMatchObject({ status: 400, code: 'origin_unknown' })
    expect(await refused({ origin: 'bob', category: 0 })).toMatchObject({
      status: 400,
      code: 'invalid_request',
    })
    // Nothing was issued by the refusals.
    expect(await kit.frontier(opened.body.channel.address)).toEqual([2n, 1n])
  })

  it('a version 1 channel traces no origin: issue() with origin is a 400 category_unknown', async () => {
    await t().service('plain-v1', { price: 1_000n })
    const v1 = await callRoute(t().server, 'channels.open', {
      caller: parties.alice,
      body: openChannelBody.parse({ provider: 'plain-v1', deposit: '100000' }),
    })
    expect(v1.status).toBe(201)
    const { status, body } = await kit.post('/api/payment/tokens', parties.aliceApi, {
      provider: 'plain-v1',
      origin: 'bob',
    })
    expect({ status, code: body.error.code }).toEqual({ status: 400, code: 'category_unknown' })
    expect(body.error.message).toContain('is a version 1 channel')
  })
})
