import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectError } from '../../../test/kit/errors'
import { type CostGraph, costGraphSchema } from '../../costs/api'
import { isoTime, type Span, splitWindow } from '../../costs/window'
import { costGraph, costReport, serviceCosts } from '.'
import { type CostsTestbed, DAY, HOUR, type Name, type Redemption, startCostsTestbed } from './testing'

/*
 * Cost windows on the thesis example (testing.ts), the redemptions settled: presets, custom
 * windows and their refusals, and every window summed exactly from raw events and rollups.
 */

let bed: CostsTestbed
beforeAll(async () => {
  bed = await startCostsTestbed({ settled: true })
}, 120_000)
afterAll(() => bed?.stop())

describe('windows', () => {
  it('a custom window that ends before the first redemption is empty (to is exclusive)', async () => {
    const t1 = bed.redeemed.ac.time
    const g = await costGraph(bed.ctx, { from: isoTime(t1 - 2 * HOUR), to: isoTime(t1) })
    expect(costGraphSchema.parse(g)).toEqual(g)
    expect(g.window).toEqual({ preset: 'custom', from: isoTime(t1 - 2 * HOUR), to: isoTime(t1), live: false })
    expect(g.edges).toEqual([])
    expect(g.nodes).toEqual([])
    expect(g.totals).toEqual({
      settled: '0',
      unconfirmed: '0',
      pending: null,
      requests: '0',
      redemptions: 0,
      services: 0,
      channels: 0,
    })
  })

  it("presets end at the newest indexed block's time: 1h and 24h hold only charlie → dave", async () => {
    const { now } = await bed.indexedHead()
    expect(now - bed.redeemed.cd.time).toBeLessThan(HOUR)
    for (const [preset, length] of [
      ['1h', HOUR],
      ['24h', DAY],
    ] as const) {
      const g = await costGraph(bed.ctx, { window: preset })
      expect(g.window).toEqual({ preset, from: isoTime(now + 1 - length), to: isoTime(now + 1), live: true })
      expect(g.edges.map((e) => [e.consumer, e.provider, e.settled, e.requests])).toEqual([
        [bed.addr.charlie, bed.addr.dave, '100000000000', '20'],
      ])
      expect(g.totals).toMatchObject({ settled: '100000000000', requests: '20', redemptions: 1, services: 2 })
    }
    const week = await costGraph(bed.ctx, { window: '7d' })
    expect(week.totals).toMatchObject({ settled: '500000000000', requests: '60', redemptions: 3 })
    // No window: the default, 24h.
    expect((await costGraph(bed.ctx, {})).window.preset).toBe('24h')
  })

  it('from/to as ISO-8601 (with or without a zone) or unix seconds', async () => {
    const { ac, bc, cd } = bed.redeemed
    const bobOnly = (g: CostGraph) => g.edges.map((e) => [e.consumer, e.settled])
    const iso = await costGraph(bed.ctx, { from: isoTime(bc.time), to: isoTime(cd.time) })
    expect(iso.window).toEqual({
      preset: 'custom',
      from: isoTime(bc.time),
      to: isoTime(cd.time),
      live: false,
    })
    expect(bobOnly(iso)).toEqual([[bed.addr.bob, '100000000000']])
    const unix = await costGraph(bed.ctx, { from: String(bc.time), to: String(cd.time) })
    expect(unix).toEqual(iso)
    const noZone = await costGraph(bed.ctx, {
      from: isoTime(bc.time).replace('Z', ''),
      to: isoTime(cd.time).replace('Z', ''),
    })
    expect(noZone).toEqual(iso)
    const offset = new Date((bc.time + 2 * HOUR) * 1000).toISOString().replace('.000Z', '+02:00')
    expect((await costGraph(bed.ctx, { from: offset, to: String(cd.time) })).window.from).toBe(
      isoTime(bc.time),
    )
    // Only `from`: up to now, live. Only `to`: from the beginning.
    const since = await costGraph(bed.ctx, { from: String(ac.time + 1) })
    expect(since.window.live).toBe(true)
    expect(since.totals).toMatchObject({ settled: '200000000000', redemptions: 2, pending: '0' })
    const until = await costGraph(bed.ctx, { to: String(ac.time + 1) })
    expect(until.window).toMatchObject({ from: '1970-01-01T00:00:00Z', live: false })
    expect(until.totals).toMatchObject({ settled: '300000000000', redemptions: 1, pending: null })
  })

  it('refuses a bad window with 400 invalid_window and a sentence', async () => {
    const { now } = await bed.indexedHead()
    const bad: Array<[Parameters<typeof costGraph>[1], RegExp]> = [
      [
        { window: 'bogus' },
        /`window` must be one of 1h, 24h, 7d, 30d, all, today, yesterday, this-week, last-week, this-month, last-month\./,
      ],
      [{ window: '__proto__' }, /must be one of/],
      [{ from: String(now), to: String(now) }, /`from` must be before `to`\./],
      [{ from: String(now), to: String(now - 10) }, /`from` must be before `to`\./],
      [{ from: 'yesterday' }, /`from` must be an ISO-8601 time/],
      [{ to: '2026-13-45T99:00:00Z' }, /`to` must be an ISO-8601 time/],
      [{ from: '1e9' }, /`from` must be an ISO-8601 time/],
      [{ to: '999999999999' }, /`to` is out of range\./],
    ]
    for (const [query, message] of bad) {
      expect(await expectError(costGraph(bed.ctx, query), 400, 'invalid_window')).toMatch(message)
    }
    await expectError(serviceCosts(bed.ctx, 'alice', { window: '2h' }), 400, 'invalid_window')
    await expectError(costReport(bed.ctx, { from: 'x' }, 'team'), 400, 'invalid_window')
  })

  describe('splitWindow', () => {
    const D = 20_000 * DAY // a UTC midnight

    it('a window across two day boundaries: raw edges, hours around one whole day', () => {
      const from = D + 5_000 // 01:23:20
      const to = D + 2 * DAY + 7_300 // two days later, 02:01:40
      expect(splitWindow(from, to)).toEqual({
        raw: [
          [from, D + 2 * HOUR],
          [D + 2 * DAY + 2 * HOUR, to],
        ],
        hourly: [
          [D + 2 * HOUR, D + DAY],
          [D + 2 * DAY, D + 2 * DAY + 2 * HOUR],
        ],
        daily: [[D + DAY, D + 2 * DAY]],
      })
    })

    it('aligned, inside one hour, across one hour boundary, whole hours only', () => {
      expect(splitWindow(D, D + 2 * DAY)).toEqual({ raw: [], hourly: [], daily: [[D, D + 2 * DAY]] })
      expect(splitWindow(D + 10, D + 20)).toEqual({ raw: [[D + 10, D + 20]], hourly: [], daily: [] })
      expect(splitWindow(D + HOUR - 1, D + HOUR + 1)).toEqual({
        raw: [[D + HOUR - 1, D + HOUR + 1]],
        hourly: [],
        daily: [],
      })
      expect(splitWindow(D + HOUR, D + 3 * HOUR)).toEqual({
        raw: [],
        hourly: [[D + HOUR, D + 3 * HOUR]],
        daily: [],
      })
      expect(splitWindow(D - HOUR, D + HOUR)).toEqual({ raw: [], hourly: [[D - HOUR, D + HOUR]], daily: [] })
    })

    it('property: the spans tile [from, to) exactly, aligned, each kind as coarse as it can be', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 400 * DAY }),
          fc.integer({ min: 1, max: 10 * DAY }),
          (start, length) => {
            const from = start
            const to = start + length
            const { raw, hourly, daily } = splitWindow(from, to)
            const all: Span[] = [...raw, ...hourly, ...daily].sort((a, b) => a[0] - b[0])
            expect(all.length).toBeGreaterThan(0)
            expect(all[0]![0]).toBe(from)
            expect(all.at(-1)![1]).toBe(to)
            for (const [i, [a, b]] of all.entries()) {
              expect(a).toBeLessThan(b)
              if (i > 0) expect(a).toBe(all[i - 1]![1]) // no gap, no overlap
            }
            // Rollup spans start and end on their period; no span holds a whole coarser period.
            const holdsWhole = ([a, b]: Span, period: number) => Math.ceil(a / period) * period + period <= b
            for (const s of hourly) {
              expect([s[0] % HOUR, s[1] % HOUR]).toEqual([0, 0])
              expect(holdsWhole(s, DAY)).toBe(false)
            }
            for (const s of daily) expect([s[0] % DAY, s[1] % DAY]).toEqual([0, 0])
            for (const s of raw) expect(holdsWhole(s, HOUR)).toBe(false)
            expect(raw.length).toBeLessThanOrEqual(2)
            expect(hourly.length).toBeLessThanOrEqual(2)
            expect(daily.length).toBeLessThanOrEqual(1)
          },
        ),
        { numRuns: 2_000 },
      )
    })
  })
})

describe('windows with edges inside hours and days sum exactly', () => {
  it('every window between interesting times equals the redemptions in [from, to)', async () => {
    const { ac, bc, cd } = bed.redeemed
    const { now } = await bed.indexedHead()
    const PARTIES: Record<string, Name[]> = {
      [bed.ch.ac]: ['alice', 'charlie'],
      [bed.ch.bc]: ['bob', 'charlie'],
      [bed.ch.cd]: ['charlie', 'dave'],
    }
    const down = (t: number, p: number) => t - (t % p)
    const up = (t: number, p: number) => Math.ceil(t / p) * p
    const points = [
      ...new Set([
        0,
        down(ac.time, DAY),
        down(ac.time, HOUR),
        ac.time - 1,
        ac.time,
        ac.time + 1,
        up(ac.time + 1, HOUR),
        down(bc.time, HOUR),
        bc.time,
        bc.time + 1,
        up(bc.time, DAY),
        cd.time - 1,
        cd.time,
        cd.time + 1,
        now + 1,
      ]),
    ].sort((a, b) => a - b)
    const coverage = { raw: 0, hourly: 0, daily: 0 }
    let windows = 0
    for (const [i, from] of points.entries()) {
      for (const to of points.slice(i + 1)) {
        const inside = [ac, bc, cd].filter((r) => r.time >= from && r.time < to)
        const spans = splitWindow(from, to)
        for (const r of inside) {
          for (const kind of ['raw', 'hourly', 'daily'] as const) {
            if (spans[kind].some(([a, b]) => r.time >= a && r.time < b)) coverage[kind]++
          }
        }
        const g = await costGraph(bed.ctx, { from: String(from), to: String(to) })
        const sum = (f: (r: Redemption) => bigint) => inside.reduce((t, r) => t + f(r), 0n).toString()
        expect({ from, to, totals: g.totals }).toEqual({
          from,
          to,
          totals: {
            settled: sum((r) => r.amount),
            unconfirmed: '0',
            pending: to > now ? '0' : null,
            requests: sum((r) => r.requests),
            redemptions: inside.length,
            services: new Set(inside.flatMap((r) => PARTIES[r.channel]!)).size,
            channels: inside.length,
          },
        })
        expect(Object.fromEntries(g.edges.map((e) => [e.channels[0]!.address, e.settled]))).toEqual(
          Object.fromEntries(inside.map((r) => [r.channel, r.amount.toString()])),
        )
        windows++
      }
    }
    expect(windows).toBe((points.length * (points.length - 1)) / 2)
    // The redemptions were read from each source: raw events, hourly and daily buckets.
    expect(coverage.raw).toBeGreaterThan(0)
    expect(coverage.hourly).toBeGreaterThan(0)
    expect(coverage.daily).toBeGreaterThan(0)
  })

  it('a window starting 1 s after a redemption excludes it; ending 1 s after includes it', async () => {
    const { ac, bc } = bed.redeemed
    const after = await costGraph(bed.ctx, { from: String(ac.time + 1), to: String(bc.time + 1) })
    expect(after.edges.map((e) => e.channels[0]!.address)).toEqual([bed.ch.bc])
    const upTo = await costGraph(bed.ctx, { from: String(ac.time - 1), to: String(ac.time + 1) })
    expect(upTo.edges.map((e) => [e.channels[0]!.address, e.settled])).toEqual([[bed.ch.ac, '300000000000']])
  })
})

describe('compare=previous', () => {
  it('reads the window as long right before at the same block: its total, the change, and the pairs that moved most, largest increase first', async () => {
    const { ac, bc, cd } = bed.redeemed
    // bob → charlie and charlie → dave in this window; alice → charlie (earlier) in the one before.
    const from = bc.time - 1
    const to = cd.time + 1
    const g = await costGraph(bed.ctx, { from: String(from), to: String(to) }, 'previous')
    expect(costGraphSchema.parse(g)).toEqual(g)
    const length = to - from
    expect(ac.time).toBeGreaterThanOrEqual(from - length)
    expect(g.comparison).toEqual({
      window: { preset: 'custom', from: isoTime(from - length), to: isoTime(from), live: false },
      settled: ac.amount.toString(),
      requests: ac.requests.toString(),
      change: (bc.amount + cd.amount - ac.amount).toString(),
      movers: expect.any(Array),
    })
    const moved = (g.comparison?.movers ?? []).map((m) => [
      m.consumer,
      m.provider,
      m.settled,
      m.previous,
      m.change,
    ])
    expect(moved.slice(0, 2)).toEqual(
      expect.arrayContaining([
        [bed.addr.bob, bed.addr.charlie, bc.amount.toString(), '0', bc.amount.toString()],
        [bed.addr.charlie, bed.addr.dave, cd.amount.toString(), '0', cd.amount.toString()],
      ]),
    )
    expect(moved[2]).toEqual([
      bed.addr.alice,
      bed.addr.charlie,
      '0',
      ac.amount.toString(),
      (-ac.amount).toString(),
    ])
    expect(moved).toHaveLength(3)
  })

  it('is null without compare, and for all (nothing before it); a compare other than previous is a 400', async () => {
    expect((await costGraph(bed.ctx, { window: '7d' })).comparison).toBeNull()
    expect((await costGraph(bed.ctx, { window: 'all' }, 'previous')).comparison).toBeNull()
    expect(await expectError(costGraph(bed.ctx, { window: '7d' }, 'next'), 400, 'invalid_window')).toBe(
      '`compare` must be `previous` when given.',
    )
  })
})
