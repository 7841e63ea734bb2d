import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestPayment } from '../../../../test/kit/payment'
import type { Service } from '../services'
import { paymentKit, requestsOf, takes } from '../testing'

let t: TestPayment
let alice: Service
let bob: Service
const kit = paymentKit()
const { open, acceptedRow, startRedemption, highestTaken, issueOneByOne, secondCore, secondCoreHolding } = kit

beforeAll(async () => {
  ;({ t, alice, bob } = await kit.start())
})
afterAll(() => kit.stop())

describe('issue()', () => {
  it('issue() hands out distinct, consecutive counts to 50 concurrent calls', async () => {
    const channel = await open()
    const issued = await Promise.all(
      Array.from({ length: 50 }, () => t.server.issuer.issue({ channel, consumer: alice, count: 1 })),
    )
    expect(issued.every((i) => i.tokenId === 1n && i.tokens.length === 1)).toBe(true)
    const counts = issued.map((i) => requestsOf(i.tokens[0] as string)).sort((a, b) => (a < b ? -1 : 1))
    expect(counts).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i + 1)))
    // The database holds what was handed out and what this core took ahead.
    await t.server.issuer.idle()
    expect(await highestTaken(channel)).toBe(50n + BigInt(t.server.issuer.held(channel.address)))
    // Every issued token is valid for the provider.
    const outcomes = await t.server.verifier.verifyMany(
      bob,
      issued.map((i) => i.tokens[0] as string),
    )
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(50)
  })

  it('issue() gives each concurrent call of several tokens its own consecutive run', async () => {
    const channel = await open()
    const sizes = Array.from({ length: 20 }, (_, i) => (i % 4) + 1)
    const issued = await Promise.all(
      sizes.map((count) => t.server.issuer.issue({ channel, consumer: alice, count })),
    )
    const all: bigint[] = []
    for (const [i, { tokens }] of issued.entries()) {
      const counts = tokens.map(requestsOf)
      expect(counts).toHaveLength(sizes[i] as number)
      for (let k = 1; k < counts.length; k++) expect(counts[k]).toBe((counts[k - 1] as bigint) + 1n)
      all.push(...counts)
    }
    all.sort((a, b) => (a < b ? -1 : 1))
    expect(all).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i + 1)))
  })

  it('issue() refuses as insufficient_funds without taking a count, and continues after a deposit', async () => {
    const channel = await open({ deposit: 5_000n, costPerRequest: 1_000n })
    const issue = (count: number) => t.server.issuer.issue({ channel, consumer: alice, count })
    expect((await issue(3)).tokens.map(requestsOf)).toEqual([1n, 2n, 3n])
    await expect(issue(3)).rejects.toMatchObject({ code: 'insufficient_funds', status: 409 })
    expect((await issue(2)).tokens.map(requestsOf)).toEqual([4n, 5n])
    await expect(issue(1)).rejects.toMatchObject({ code: 'insufficient_funds' })
    await t.server.channels.act(channel, alice, 'deposit', [], 1_000n)
    expect((await issue(1)).tokens.map(requestsOf)).toEqual([6n])
    const row = await t.database.db.paymentIssued.findFirstOrThrow({ where: { channel: channel.address } })
    expect(row.requests.toFixed()).toBe('6')
  })

  it('issue() refuses a terminating channel as channel_terminating and a terminated one as channel_terminated', async () => {
    const channel = await open()
    expect((await t.server.issuer.issue({ channel, consumer: alice, count: 1 })).tokens).toHaveLength(1)
    await t.server.channels.act(channel, alice, 'startTermination')
    await expect(t.server.issuer.issue({ channel, consumer: alice, count: 1 })).rejects.toMatchObject({
      code: 'channel_terminating',
    })
    await t.server.channels.act(channel, bob, 'terminate')
    await expect(t.server.issuer.issue({ channel, consumer: alice, count: 1 })).rejects.toMatchObject({
      code: 'channel_terminated',
    })
    const row = await t.database.db.paymentIssued.findFirstOrThrow({ where: { channel: channel.address } })
    expect(row.requests.toFixed()).toBe('1')
  })
})

describe('issue() taking counts ahead', () => {
  it('issue() signs most tokens of a busy channel from counts taken ahead, and no count twice', async () => {
    const channel = await open()
    const before = await takes(t.server)
    const tokens = await issueOneByOne(t.server, channel, 300)
    expect(tokens.map(requestsOf)).toEqual(Array.from({ length: 300 }, (_, i) => BigInt(i + 1)))
    // Exact issuing makes one statement per call here (300).
    expect((await takes(t.server)) - before).toBeLessThan(150)
    const held = t.server.issuer.held(channel.address)
    expect(held).toBeGreaterThan(0)
    expect(held).toBeLessThanOrEqual(64)
    expect(await highestTaken(channel)).toBe(300n + BigInt(held))
    const outcomes = await t.server.verifier.verifyMany(bob, tokens)
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(300)
  })

  it('issue() with issueAhead 0 takes each call its counts with a statement of its own', async () => {
    const exact = await secondCore({ issueAhead: 0 })
    const channel = await open()
    const before = await takes(exact.server)
    const tokens = await issueOneByOne(exact.server, channel, 40)
    expect(tokens.map(requestsOf)).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(i + 1)))
    expect((await takes(exact.server)) - before).toBe(40)
    expect(exact.server.issuer.held(channel.address)).toBe(0)
    expect(await highestTaken(channel)).toBe(40n)
  })

  it('close() gives the held counts back, and the next core goes on without a gap', async () => {
    const { first, channel, tokens, held } = await secondCoreHolding()
    expect(await highestTaken(channel)).toBe(200n + BigInt(held))
    expect(await first.server.issuer.close()).toBe(held)
    expect(await highestTaken(channel)).toBe(200n)
    const next = await t.server.issuer.issue({ channel, consumer: alice, count: 1 })
    expect(next.tokens.map(requestsOf)).toEqual([201n])
    const outcomes = await t.server.verifier.verifyMany(bob, [...tokens, ...next.tokens])
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(201)
  })

  it('close() while calls are still issuing hands out no count twice', async () => {
    const { first, channel, tokens: early, held } = await secondCoreHolding()
    // As many calls as counts held, so that without care they would all be served from them.
    const during = Promise.all(
      Array.from({ length: held }, () => first.server.issuer.issue({ channel, consumer: alice, count: 1 })),
    )
    await first.server.issuer.close()
    const racing = (await during).flatMap((i) => i.tokens)
    const after = await issueOneByOne(t.server, channel, 30)
    const all = [...early, ...racing, ...after]
    expect(new Set(all.map(requestsOf)).size).toBe(230 + held)
    const outcomes = await t.server.verifier.verifyMany(bob, all)
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(230 + held)
  })

  it("a core whose held counts lie below another core's loses them: distinct counts, a gap of at most what it held", async () => {
    const { first, channel, tokens: early, held } = await secondCoreHolding()
    // Another core takes counts above them; the first one cannot give its counts back now.
    const late = await t.server.issuer.issue({ channel, consumer: alice, count: 1 })
    expect(late.tokens.map(requestsOf)).toEqual([201n + BigInt(held)])
    expect(await first.server.issuer.close()).toBe(0)
    const outcomes = await t.server.verifier.verifyMany(bob, [...early, ...late.tokens])
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(201)
    // What the consumer pays for beyond its 201 requests: the held counts, at most issueAhead.
    expect((await acceptedRow(channel.address))?.highest).toBe(201n + BigInt(held))
    expect(held).toBeLessThanOrEqual(64)
  })

  it('issue() drops the held counts of a token ID once a redemption starts: the new ID starts at 1', async () => {
    const channel = await open()
    const old = await issueOneByOne(t.server, channel, 200)
    expect(t.server.issuer.held(channel.address)).toBeGreaterThan(0)
    expect(await startRedemption(channel)).toBe(2n)
    const next = await t.server.issuer.issue({ channel, consumer: alice, count: 2 })
    expect(next.tokenId).toBe(2n)
    expect(next.tokens.map(requestsOf)).toEqual([1n, 2n])
    // The provider's highest count of the old ID is the last one handed out, not what was held.
    const outcomes = await t.server.verifier.verifyMany(bob, [...old, ...next.tokens])
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(202)
    expect((await acceptedRow(channel.address, 1n))?.highest).toBe(200n)
  })

  it('issue() refuses a terminating channel even while it holds counts for it', async () => {
    const channel = await open()
    await issueOneByOne(t.server, channel, 200)
    expect(t.server.issuer.held(channel.address)).toBeGreaterThan(0)
    await t.server.channels.act(channel, alice, 'startTermination')
    await expect(t.server.issuer.issue({ channel, consumer: alice, count: 1 })).rejects.toMatchObject({
      code: 'channel_terminating',
    })
  })

  it('issue() near the end of the funds gives every request the funds cover, as exact issuing would', async () => {
    const channel = await open({ deposit: 150_000n, costPerRequest: 1_000n })
    const tokens = await issueOneByOne(t.server, channel, 150)
    expect(tokens.map(requestsOf)).toEqual(Array.from({ length: 150 }, (_, i) => BigInt(i + 1)))
    await expect(t.server.issuer.issue({ channel, consumer: alice, count: 1 })).rejects.toMatchObject({
      code: 'insufficient_funds',
    })
    expect(await highestTaken(channel)).toBe(150n)
  })

  it('concurrent issue() calls the funds cannot all cover: each is decided alone, in order, none taking a count it does not sign', async () => {
    const channel = await open({ deposit: 10_000n, costPerRequest: 1_000n })
    const sizes = [3, 4, 2, 5, 1, 6]
    // The first call runs at once; the five others queue behind it and go as one batch of 18
    // counts where 7 are left.
    const outcomes = await Promise.allSettled(
      sizes.map((count) => t.server.issuer.issue({ channel, consumer: alice, count })),
    )
    const served = outcomes.map((o) =>
      o.status === 'fulfilled' ? o.value.tokens.map(requestsOf) : o.reason.code,
    )
    expect(served).toEqual([
      [1n, 2n, 3n],
      [4n, 5n, 6n, 7n],
      [8n, 9n],
      'insufficient_funds',
      [10n],
      'insufficient_funds',
    ])
    expect(await highestTaken(channel)).toBe(10n)
    const tokens = outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value.tokens : []))
    const verified = await t.server.verifier.verifyMany(bob, tokens)
    expect(verified.filter((o) => o.accepted)).toHaveLength(10)
  })
})
