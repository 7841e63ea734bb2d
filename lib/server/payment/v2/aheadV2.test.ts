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
    const [b, c] = [await kit.secondCore({ issueAhead: 64 }), await kit.secondCore({ issueAhead: 64 })]
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
})
