import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectError } from '../../../test/kit/errors'
import { serviceCostsSchema } from '../../costs/api'
import { isoTime } from '../../costs/window'
import { parseCsv } from '../../explorer/csvParse'
import { costGraph, costReport, serviceCosts } from '.'
import { type CostsTestbed, type Name, startCostsTestbed } from './testing'

/*
 * A window against the one as long right before it, for one service (its page) and in the costs
 * CSV, on the thesis example (testing.ts), settled: the window below holds bob → charlie and
 * charlie → dave, the one before it alice → charlie. Expected figures are the redemptions' own
 * amounts; the service's comparison and the CSV must agree with each other and with the
 * network's comparison on /costs.
 */

let bed: CostsTestbed
let query: { from: string; to: string }
let length: number
beforeAll(async () => {
  bed = await startCostsTestbed({ settled: true })
  const { bc, cd } = bed.redeemed
  const from = bc.time - 1
  const to = cd.time + 1
  query = { from: String(from), to: String(to) }
  length = to - from
}, 120_000)
afterAll(() => bed?.stop())

/** The CSV's rows as records by header, read back with the exports' own parser. */
async function csvRecords(groupBy: string, options: { unit?: string; compare?: string | null } = {}) {
  const { csv } = await costReport(bed.ctx, query, groupBy, { fiat: null, compare: 'previous', ...options })
  const [header = [], ...rows] = parseCsv(csv)
  return { header, rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) }
}

const of = (n: bigint) => n.toString()

describe('serviceCosts() with compare=previous', () => {
  it('serviceCosts() gives what charlie paid and earned in both windows and its pairs that moved most', async () => {
    const { ac, bc, cd } = bed.redeemed
    const charlie = await serviceCosts(bed.ctx, 'charlie', query, 'previous')
    expect(serviceCostsSchema.parse(charlie)).toEqual(charlie)
    const from = Number(query.from)
    expect(charlie.comparison?.window).toEqual({
      preset: 'custom',
      from: isoTime(from - length),
      to: isoTime(from),
      live: false,
    })
    expect(ac.time).toBeGreaterThanOrEqual(from - length)
    expect(charlie.comparison?.paid).toEqual({ settled: of(cd.amount), previous: '0', change: of(cd.amount) })
    expect(charlie.comparison?.earned).toEqual({
      settled: of(bc.amount),
      previous: of(ac.amount),
      change: of(bc.amount - ac.amount),
    })
    // The page's cards and the comparison are one read: this window's figures are the node's.
    expect(charlie.comparison?.paid.settled).toBe(charlie.service.paid)
    expect(charlie.comparison?.earned.settled).toBe(charlie.service.earned)
    const moved = (charlie.comparison?.movers ?? []).map((m) => [m.consumer, m.provider, m.change])
    expect(moved.slice(0, 2)).toEqual(
      expect.arrayContaining([
        [bed.addr.bob, bed.addr.charlie, of(bc.amount)],
        [bed.addr.charlie, bed.addr.dave, of(cd.amount)],
      ]),
    )
    expect(moved[2]).toEqual([bed.addr.alice, bed.addr.charlie, of(-ac.amount)])
  })

  it("serviceCosts() keeps the network's comparison to the service's own pairs: one implementation", async () => {
    const network = (await costGraph(bed.ctx, query, 'previous')).comparison
    expect(network?.movers).toHaveLength(3)
    for (const name of ['alice', 'bob', 'charlie', 'dave'] as Name[]) {
      const s = await serviceCosts(bed.ctx, name, query, 'previous')
      const its = (network?.movers ?? []).filter(
        (m) => m.consumer === bed.addr[name] || m.provider === bed.addr[name],
      )
      expect(s.comparison?.movers, name).toEqual(its)
      expect(s.comparison?.window, name).toEqual(network?.window)
    }
    // Alice paid only in the window before: her page says so.
    const alice = await serviceCosts(bed.ctx, 'alice', query, 'previous')
    expect(alice.comparison?.paid).toEqual({
      settled: '0',
      previous: of(bed.redeemed.ac.amount),
      change: of(-bed.redeemed.ac.amount),
    })
  })

  it('is null without compare and for all; a compare other than previous is a 400 invalid_window', async () => {
    expect((await serviceCosts(bed.ctx, 'charlie', query)).comparison).toBeNull()
    expect((await serviceCosts(bed.ctx, 'charlie', { window: 'all' }, 'previous')).comparison).toBeNull()
    expect(await expectError(serviceCosts(bed.ctx, 'charlie', query, 'next'), 400, 'invalid_window')).toBe(
      '`compare` must be `previous` when given.',
    )
  })
})

describe('costReport() with compare=previous', () => {
  it("costReport() by service: each row's previous figures and change equal the service page's comparison", async () => {
    const { header, rows } = await csvRecords('service')
    expect(header.slice(3, 12)).toEqual([
      'paid_wei',
      'previous_paid_wei',
      'change_paid_wei',
      'earned_wei',
      'previous_earned_wei',
      'change_earned_wei',
      'net_wei',
      'previous_net_wei',
      'change_net_wei',
    ])
    expect(header.slice(-4)).toEqual(['window_from', 'window_to', 'previous_from', 'previous_to'])
    for (const name of ['alice', 'bob', 'charlie', 'dave'] as Name[]) {
      const page = await serviceCosts(bed.ctx, name, query, 'previous')
      const row = rows.find((r) => r.address === bed.addr[name])
      // Alice paid nothing in this window: her row is there for what she paid before.
      expect(row, name).toBeDefined()
      expect(row, name).toMatchObject({
        paid_wei: page.comparison?.paid.settled,
        previous_paid_wei: page.comparison?.paid.previous,
        change_paid_wei: page.comparison?.paid.change,
        earned_wei: page.comparison?.earned.settled,
        previous_earned_wei: page.comparison?.earned.previous,
        change_earned_wei: page.comparison?.earned.change,
        window_from: page.window.from,
        window_to: page.window.to,
        previous_from: page.comparison?.window.from,
        previous_to: page.comparison?.window.to,
      })
    }
    const alice = rows.find((r) => r.address === bed.addr.alice)
    expect(alice).toMatchObject({ service: 'alice', team: 'apps', requests_made: '0' })
    expect(alice?.previous_requests_made).toBe(of(bed.redeemed.ac.requests))
  })

  it("costReport() by pair and by team: the sums are the /costs comparison's, in the page's unit too", async () => {
    const { ac, bc, cd } = bed.redeemed
    const network = (await costGraph(bed.ctx, query, 'previous')).comparison
    const { header, rows } = await csvRecords('pair', { unit: 'gwei' })
    expect(header).toEqual(expect.arrayContaining(['previous_settled_gwei', 'change_settled_gwei']))
    const total = (key: string) => rows.reduce((n, r) => n + BigInt(r[key] || '0'), 0n)
    expect(of(total('previous_settled_wei'))).toBe(network?.settled)
    expect(of(total('change_settled_wei'))).toBe(network?.change)
    expect(of(total('previous_requests'))).toBe(network?.requests)
    const pair = (c: Name, p: Name) =>
      rows.find((r) => r.consumer_address === bed.addr[c] && r.provider_address === bed.addr[p])
    expect(pair('alice', 'charlie')).toMatchObject({
      consumer: 'alice',
      price_wei: '10000000000',
      settled_wei: '0',
      previous_settled_wei: of(ac.amount),
      previous_settled_gwei: '300',
      change_settled_gwei: '-300',
    })
    expect(pair('bob', 'charlie')).toMatchObject({
      previous_settled_wei: '0',
      change_settled_wei: of(bc.amount),
    })
    for (const m of network?.movers ?? []) {
      const row = rows.find((r) => r.consumer_address === m.consumer && r.provider_address === m.provider)
      expect(row).toMatchObject({
        settled_wei: m.settled,
        previous_settled_wei: m.previous,
        change_settled_wei: m.change,
      })
    }
    // Teams: apps (alice and bob) paid 300 gwei before and bob's 100 gwei now.
    const teams = (await csvRecords('team')).rows
    expect(teams.find((r) => r.team === 'apps')).toMatchObject({
      paid_wei: of(bc.amount),
      previous_paid_wei: of(ac.amount),
      change_paid_wei: of(bc.amount - ac.amount),
    })
    expect(teams.find((r) => r.team === 'storage')).toMatchObject({
      earned_wei: of(cd.amount),
      previous_earned_wei: '0',
    })
  })

  it('costReport() without compare, or for all, has no previous columns; a bad compare is a 400', async () => {
    const headerOf = async (q: typeof query | { window: string }, compare: string | null) =>
      parseCsv((await costReport(bed.ctx, q, 'service', { fiat: null, compare })).csv)[0] ?? []
    for (const header of [await headerOf(query, null), await headerOf({ window: 'all' }, 'previous')]) {
      expect(header.filter((h) => /^(previous|change|window)_/.test(h))).toEqual([])
    }
    expect(
      await expectError(
        costReport(bed.ctx, query, 'service', { fiat: null, compare: 'last' }),
        400,
        'invalid_window',
      ),
    ).toBe('`compare` must be `previous` when given.')
  })
})
