import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { takes } from '../testing'
import { countsOf, paymentKitV2 } from './testing'

/*
 * Counts taken ahead on version 2 channels (issue 29's "base vector per allocation"): two
 * instances each take counts ahead of their categories' demand and hand them out interleaved;
 * every token of the token ID still compares with every other (a chain), so the provider
 * accepts them all, in any order.
 */

const { kit, parties, t } = paymentKitV2()
beforeAll(() => kit.start())
afterAll(() => kit.stop())

const below = (a: readonly bigint[], b: readonly bigint[]) => a.every((x, i) => x <= (b[i] as bigint))

describe('v2 counts taken ahead by several instances', () => {
  it('tokens from allocations of two instances, interleaved per category, form one chain and are all accepted', async () => {
    const opened = await kit.open({ deposit: 10n ** 15n })
    // Counts ahead cover a whole second of demand, so one request at a time holds some however
    // slow the machine (the default 50 ms holds none below 20 requests a second).
    const wide = { issueAhead: 64, issueAheadMs: 1_000 }
    const [b, c] = [await kit.secondCore(wide), await kit.secondCore(wide)]
    const issued: Array<{ token: string; category: string }> = []
    let held = 0
    for (let i = 0; i < 120; i++) {
      const server = i % 4 === 3 ? c.server : b.server
      const category = i % 3 === 0 ? 'large' : 'small'
      const { tokens } = await server.issuerV2.issue({
        channel: opened.channel,
        consumer: parties.alice,
        count: 1,
        category,
      })
      issued.push({ token: tokens[0] as string, category })
      held = Math.max(held, b.server.issuerV2.held(opened.channel.address, 0))
    }
    // Counts were held ahead: fewer statements than tokens.
    expect(held).toBeGreaterThan(0)
    expect((await takes(b.server)) + (await takes(c.server))).toBeLessThan(120)

    const counts = issued.map(({ token }) => countsOf(token))
    for (const x of counts) for (const y of counts) expect(below(x, y) || below(y, x)).toBe(true)

    const outcomes = await t().server.verifier.verifyMany(opened.provider, [...issued].reverse())
    expect(outcomes.filter((o) => !o.accepted)).toEqual([])
    const maximum = counts.reduce((m, x) => (below(m, x) ? x : m))
    expect((await kit.acceptedRow(opened.channel.address))?.requests).toEqual(maximum)
  })

  it('concurrent requests of both categories, batched together with counts taken ahead for each, form one chain; verified highest first, all are accepted and the accepted maximum covers them all', async () => {
    const opened = await kit.open({ deposit: 10n ** 15n })
    const [b, c] = [await kit.secondCore({ issueAhead: 64 }), await kit.secondCore({ issueAhead: 64 })]
    const issued: Array<{ token: string; category: string }> = []
    let mixedTakes = 0
    for (let round = 0; round < 8; round++) {
      const before = await takes(b.server)
      const calls = Array.from({ length: 40 }, (_, i) => {
        const category = i % 2 === 0 ? 'large' : 'small'
        const server = i % 6 === 5 ? c.server : b.server
        return server.issuerV2
          .issue({ channel: opened.channel, consumer: parties.alice, count: 1 + (i % 5), category })
          .then(({ tokens }) => issued.push(...tokens.map((token) => ({ token, category }))))
      })
      await Promise.all(calls)
      // Both categories held ahead after one round's batches: a take asked extras for both.
      const holds = [0, 1].map((k) => b.server.issuerV2.held(opened.channel.address, k))
      if (holds.every((n) => n > 0) && (await takes(b.server)) > before) mixedTakes++
    }
    expect(mixedTakes).toBeGreaterThan(0)

    const counts = issued.map(({ token }) => countsOf(token))
    const incomparable = counts.filter((x) => counts.some((y) => !below(x, y) && !below(y, x)))
    expect(incomparable).toEqual([])
    // Adversarial order: the highest tokens first, so every later one is a gap being filled.
    const order = [...issued].sort((x, y) => (below(countsOf(x.token), countsOf(y.token)) ? 1 : -1))
    const outcomes = await t().server.verifier.verifyMany(opened.provider, order)
    expect(outcomes.filter((o) => !o.accepted)).toEqual([])
    const maximum = counts.reduce((m, x) => (below(m, x) ? x : m))
    const sums = [0n, 0n]
    for (const { category } of issued)
      sums[category === 'small' ? 0 : 1] = (sums[category === 'small' ? 0 : 1] as bigint) + 1n
    // The redeemable maximum covers every token handed out (the rest are counts still held).
    expect(maximum.every((m, k) => m >= (sums[k] as bigint))).toBe(true)
    expect((await kit.acceptedRow(opened.channel.address))?.requests).toEqual(maximum)
  })
})
