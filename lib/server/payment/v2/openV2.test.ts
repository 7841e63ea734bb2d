import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bigintOf } from '../../../columns/kinds'
import type { Answer } from '../../http/route'
import { paymentRoutes } from '../routes'
import { openChannelBody } from '../schemas'
import { paymentKitV2 } from './testing'

/*
 * Opening version 2 channels through the open-channel API (the route's handler on a real
 * Payment Server, anvil and Postgres), and exactly-once acceptance across two instances.
 */

const { kit, parties, t } = paymentKitV2()
beforeAll(() => kit.start())
afterAll(() => kit.stop())

const route = (name: string) =>
  paymentRoutes.find((r) => r.name === name)?.handler as (p: unknown) => Promise<Answer>

describe('open-channel API with a price table', () => {
  it('channels.open with prices opens a v2 channel with its named categories; without, a v1 channel beside it', async () => {
    const provider = await t().service('priced', { price: 1_000n })
    const body = openChannelBody.parse({
      provider: 'priced',
      deposit: '100000',
      prices: [
        { name: 'small', price: '1000' },
        { name: 'large', price: '5000' },
      ],
    })
    const opened = await route('channels.open')({ server: t().server, caller: parties.alice, body })
    expect(opened.status).toBe(201)
    const address = (opened.body as { channel: { address: `0x${string}` } }).channel.address
    expect(await t().server.channels.find(address)).toMatchObject({
      contractVersion: 2,
      categories: ['small', 'large'],
      pendingPrices: null,
    })
    const shown = await route('channels.get')({
      server: t().server,
      caller: parties.alice,
      params: { address },
    })
    expect((shown as unknown as { channel: { v2: unknown } }).channel.v2).toEqual({
      categories: ['small', 'large'],
      origins: [null, null],
      prices: ['1000', '5000'],
      pendingPrices: null,
      issued: [],
      accepted: [],
    })
    const tables = await t().database.db.paymentPriceTable.findMany({ where: { channel: address } })
    expect(tables.map((r) => [bigintOf(r.fromTokenId), r.prices.map(bigintOf)])).toEqual([
      [1n, [1_000n, 5_000n]],
    ])
    // Get-or-create per version: the same call answers the same channel; no prices opens a v1 one.
    expect((await route('channels.open')({ server: t().server, caller: parties.alice, body })).status).toBe(
      200,
    )
    const v1 = await route('channels.open')({
      server: t().server,
      caller: parties.alice,
      body: openChannelBody.parse({ provider: 'priced' }),
    })
    expect(v1.status).toBe(201)
    const v1Address = (v1.body as { channel: { address: string } }).channel.address
    expect(await t().server.channels.find(v1Address)).toMatchObject({ contractVersion: 1, categories: [] })
    expect(provider.service.name).toBe('priced')
  })

  it('the open body refuses a zero price, repeated names and more than 8 categories', () => {
    const prices = (list: Array<[string, string]>) =>
      openChannelBody.safeParse({ provider: 'bob', prices: list.map(([name, price]) => ({ name, price })) })
        .success
    expect(prices([['a', '1']])).toBe(true)
    expect(prices([['a', '0']])).toBe(false)
    expect(
      prices([
        ['a', '1'],
        ['a', '2'],
      ]),
    ).toBe(false)
    expect(prices(Array.from({ length: 9 }, (_, i) => [`c${i}`, '1'] as [string, string]))).toBe(false)
    expect(prices([])).toBe(false)
  })
})

describe('a pair with a version 1 and a version 2 channel', () => {
  it('opening each version in turn finds its own channel (no new deployment), and issuing picks the version the request asks for', async () => {
    const provider = await t().service('both', { price: 1_000n })
    const open = async (prices?: Array<{ name: string; price: string }>) => {
      const body = openChannelBody.parse({
        provider: 'both',
        deposit: '100000',
        ...(prices ? { prices } : {}),
      })
      const answer = await route('channels.open')({ server: t().server, caller: parties.alice, body })
      return [answer.status, (answer.body as { channel: { address: string } }).channel.address] as const
    }
    const prices = [
      { name: 'small', price: '1000' },
      { name: 'large', price: '5000' },
    ]
    // The v1 channel first: the v2 one is the pair's newest.
    const [v1Status, v1] = await open()
    const [v2Status, v2] = await open(prices)
    expect([v1Status, v2Status]).toEqual([201, 201])
    expect(await open(prices)).toEqual([200, v2])
    expect(await open()).toEqual([200, v1])
    expect(await open(prices)).toEqual([200, v2])
    const channels = await t().database.db.paymentChannel.count({
      where: { provider: provider.service.address },
    })
    expect(channels).toBe(2)

    // A request without a category (a client of before categories) is paid in v1 tokens on the
    // v1 channel, though the v2 channel is newer; one with a category gets the v2 channel.
    const issue = (body: object) =>
      kit.post('/api/payment/tokens', parties.aliceApi, { provider: 'both', ...body })
    const plain = await issue({})
    expect([plain.status, plain.body.channel, plain.body.tokens[0].slice(0, 3)]).toEqual([200, v1, 'v1.'])
    const small = await issue({ category: 'small' })
    expect([small.status, small.body.channel, small.body.tokens[0].slice(0, 3)]).toEqual([200, v2, 'v2.'])
  })
})

describe('exactly once across instances', () => {
  it('the same v2 token verified at once on two instances is accepted exactly once', async () => {
    const opened = await kit.open()
    const second = await kit.secondCore()
    const token = kit.wire({ channel: opened.channel.address, requests: [1n, 0n] })
    const outcomes = await Promise.all(
      [t().server, second.server, t().server, second.server].map((server) =>
        server.verifier.verify(opened.provider, { token, category: 'small' }),
      ),
    )
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(1)
    expect(outcomes.filter((o) => !o.accepted).map((o) => !o.accepted && o.code)).toEqual([
      'count_already_accepted',
      'count_already_accepted',
      'count_already_accepted',
    ])
    expect(await kit.acceptedRow(opened.channel.address)).toMatchObject({ requests: [1n, 0n], accepted: 1n })
  })
})
