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
