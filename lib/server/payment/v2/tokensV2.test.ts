import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countsOf, paymentKitV2 } from './testing'

/*
 * Version 2 channels through the Payment Server's HTTP token calls (real anvil, Postgres and
 * HTTP): tokens issued per category, verified per step, valued at the token ID's prices.
 */

const { kit, parties, t } = paymentKitV2()
beforeAll(() => kit.start())
afterAll(() => kit.stop())

describe('tokens per category (HTTP)', () => {
  it('issue() raises one category of the frontier per token and answers the ID prices', async () => {
    const { channel } = await kit.open()
    const small = await kit.issue(channel, { category: 'small', count: 2 })
    expect(small.status).toBe(200)
    expect(small.body).toMatchObject({
      channel: channel.address,
      tokenId: '1',
      categories: ['small', 'large'],
      prices: ['1000', '5000'],
    })
    const large = await kit.issue(channel, { category: 1 })
    const byDefault = await kit.issue(channel)
    expect([...small.body.tokens, ...large.body.tokens, ...byDefault.body.tokens].map(countsOf)).toEqual([
      [1n, 0n],
      [2n, 0n],
      [2n, 1n],
      [3n, 1n],
    ])
    expect(await kit.frontier(channel.address)).toEqual([3n, 1n])
  })

  it('verify() accepts each step once, worth its category price, and keeps the maximum token', async () => {
    const { channel, providerApi } = await kit.open()
    const [a, b] = (await kit.issue(channel, { category: 'small', count: 2 })).body.tokens
    const [c] = (await kit.issue(channel, { category: 'large' })).body.tokens
    // Out of order: the maximum first, then the tokens it covers.
    const { body } = await kit.verify(providerApi, {
      tokens: [
        { token: c, category: 'large' },
        { token: a, category: 'small' },
        { token: b, category: 0 },
      ],
    })
    const accepted = {
      accepted: true,
      channel: channel.address,
      tokenId: '1',
      consumer: parties.alice.address.toLowerCase(),
    }
    expect(body.results).toEqual([
      { ...accepted, requests: '1', value: '5000', category: 1 },
      { ...accepted, requests: '1', value: '1000', category: 0 },
      { ...accepted, requests: '2', value: '1000', category: 0 },
    ])
    expect(await kit.acceptedRow(channel.address)).toMatchObject({
      requests: [2n, 1n],
      prices: [1_000n, 5_000n],
      accepted: 3n,
    })
    const replay = await kit.verify(providerApi, { token: b, category: 'small' })
    expect(replay.status).toBe(402)
    expect(replay.body.error.code).toBe('count_already_accepted')
  })

  it('issue() refuses counts the funds do not cover at the category price, taking none', async () => {
    const { channel } = await kit.open({ deposit: 12_000n })
    expect((await kit.issue(channel, { category: 'large', count: 2 })).status).toBe(200)
    const refused = await kit.issue(channel, { category: 'small', count: 3 })
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('insufficient_funds')
    expect(await kit.frontier(channel.address)).toEqual([0n, 2n])
    expect((await kit.issue(channel, { category: 'small', count: 2 })).status).toBe(200)
  })

  it('issue() refuses a category the channel does not have with a 400 naming its categories', async () => {
    const { channel } = await kit.open()
    for (const category of [2, 'huge']) {
      const { status, body } = await kit.issue(channel, { category })
      expect(status).toBe(400)
      expect(body.error).toMatchObject({ code: 'category_unknown' })
      expect(body.error.message).toContain('0 (small), 1 (large)')
    }
    expect(await kit.frontier(channel.address)).toBeUndefined()
  })

  it('tokens of two Payment Server instances on one database form one chain, all accepted', async () => {
    const { channel, providerApi } = await kit.open()
    const second = await kit.secondCore()
    const { alice } = parties
    const tokens: string[] = []
    for (let i = 0; i < 6; i++) {
      const server = i % 2 === 0 ? t().server : second.server
      const issued = await server.issuerV2.issue({
        channel,
        consumer: alice,
        count: 1,
        category: i % 3 === 0 ? 1 : 0,
      })
      tokens.push(...issued.tokens)
    }
    const counts = tokens.map(countsOf)
    for (let i = 1; i < counts.length; i++) {
      const [prev, next] = [counts[i - 1] as bigint[], counts[i] as bigint[]]
      expect(next.every((x, k) => x >= (prev[k] as bigint))).toBe(true)
      expect(next.reduce((s, x) => s + x, 0n)).toBe(prev.reduce((s, x) => s + x, 0n) + 1n)
    }
    const { body } = await kit.verify(providerApi, {
      tokens: tokens.map((token, i) => ({ token, category: i % 3 === 0 ? 1 : 0 })).reverse(),
    })
    expect(body.results.every((r: { accepted: boolean }) => r.accepted)).toBe(true)
    expect((await kit.acceptedRow(channel.address))?.requests).toEqual(counts.at(-1))
  })
})
