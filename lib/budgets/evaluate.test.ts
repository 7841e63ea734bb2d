import { describe, expect, it } from 'vitest'
import { budgetEditSchema } from './api'
import { canonicalJson } from './edit'
import { budgetCrossing, type PairSpend, pairKey, runwayCrossings, spikeCrossing } from './evaluate'
import { forecastAlertsFrom, linearForecast, periodOf } from './period'
import { maskUrl, webhookBody } from './webhookBody'

const at = (iso: string) => Date.parse(iso) / 1000
const iso = (s: number) => new Date(s * 1000).toISOString()

describe('periodOf()', () => {
  it('gives the UTC month and the ISO week (from Monday) around a time', () => {
    const month = periodOf('month', at('2026-12-07T09:20:00Z'))
    expect([month.key, iso(month.from), iso(month.to)]).toEqual([
      '2026-12',
      '2026-12-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ])
    const week = periodOf('week', at('2026-12-13T23:59:59Z')) // a Sunday
    expect([week.key, iso(week.from), iso(week.to)]).toEqual([
      '2026-W50',
      '2026-12-07T00:00:00.000Z',
      '2026-12-14T00:00:00.000Z',
    ])
    // ISO weeks cross years: 2026-12-28 (a Monday) is in 2026-W53; 2027-01-04 starts 2027-W01.
    expect(periodOf('week', at('2027-01-01T12:00:00Z')).key).toBe('2026-W53')
    expect(periodOf('week', at('2027-01-04T00:00:00Z')).key).toBe('2027-W01')
    expect(periodOf('week', at('2025-12-31T00:00:00Z')).key).toBe('2026-W01')
  })
})

describe('linearForecast()', () => {
  const span = periodOf('month', at('2026-11-10T00:00:00Z')) // November: 30 days
  it('scales what was spent by the period over the time elapsed, rounded down', () => {
    expect(linearForecast({ spent: 100n, span, now: at('2026-11-11T00:00:00Z') })).toBe(300n)
    expect(linearForecast({ spent: 7n, span, now: at('2026-11-16T00:00:00Z') })).toBe(14n)
    expect(linearForecast({ spent: 10n, span, now: at('2026-11-04T00:00:00Z') })).toBe(100n)
  })
  it('counts at least an hour elapsed, and is what was spent once the period is over', () => {
    expect(linearForecast({ spent: 1n, span, now: span.from + 60 })).toBe(720n) // 30 d / 1 h
    expect(linearForecast({ spent: 99n, span, now: span.to })).toBe(99n)
  })
})

const budget = { id: 3, scope: 'team', target: 'apps', period: 'month', amount: 1_000n }
const reading = (spent: bigint, forecast: bigint, forecastReady = true) => ({
  budget,
  periodKey: '2026-12',
  spent,
  forecast,
  forecastReady,
})

describe('budgetCrossing()', () => {
  const rule = (thresholdPercent: number, basis: 'spend' | 'forecast') => ({
    name: 'apps-budget',
    spec: { kind: 'budget' as const, budgetId: 3, thresholdPercent, basis },
  })
  it('fires at the threshold, not a wei below, on spend or forecast', () => {
    expect(budgetCrossing(rule(80, 'spend'), reading(799n, 5_000n))).toBeNull()
    expect(budgetCrossing(rule(80, 'spend'), reading(800n, 800n))?.crossing).toBe(
      'budget 3 2026-12 spend 80% of 1000',
    )
    expect(budgetCrossing(rule(100, 'forecast'), reading(10n, 999n))).toBeNull()
    const alert = budgetCrossing(rule(100, 'forecast'), reading(500n, 1_250n))
    expect(alert).toEqual({
      rule: 'apps-budget',
      kind: 'budget',
      crossing: 'budget 3 2026-12 forecast 100% of 1000',
      summary:
        'team apps is forecast to spend 125 % of its monthly budget (1,250 wei of 1,000 wei, 2026-12); threshold 100 %.',
      details: {
        scope: 'team',
        target: 'apps',
        period: '2026-12',
        basis: 'forecast',
        thresholdPercent: 100,
        budget: '1000',
        spent: '500',
        forecast: '1250',
      },
    })
  })
  it('names a new crossing for the next period and for a changed budget', () => {
    const a = budgetCrossing(rule(80, 'spend'), reading(900n, 900n))?.crossing
    const b = budgetCrossing(rule(80, 'spend'), { ...reading(900n, 900n), periodKey: '2027-01' })?.crossing
    const c = budgetCrossing(rule(80, 'spend'), {
      ...reading(900n, 900n),
      budget: { ...budget, amount: 1_100n },
    })
    expect(new Set([a, b, c?.crossing]).size).toBe(3)
  })
  it('a forecast alerts only after max(1 day, 10 %) of its period; spend at any time', () => {
    const month = periodOf('month', at('2026-12-02T12:00:00Z'))
    // 31 days: 10 % is 3 days 2 h 24 min.
    expect(iso(forecastAlertsFrom(month))).toBe('2026-12-04T02:24:00.000Z')
    // 7 days: 10 % is 16.8 h, under the day.
    expect(iso(forecastAlertsFrom(periodOf('week', at('2026-12-08T12:00:00Z'))))).toBe(
      '2026-12-08T00:00:00.000Z',
    )
    expect(budgetCrossing(rule(100, 'forecast'), reading(500n, 1_250n, false))).toBeNull()
    expect(budgetCrossing(rule(80, 'spend'), reading(900n, 900n, false))?.crossing).toBe(
      'budget 3 2026-12 spend 80% of 1000',
    )
  })
})

describe('runwayCrossings()', () => {
  const channel = (address: string, runwaySeconds: number | null, extra = {}) => ({
    address,
    role: 'consumer' as const,
    runwaySeconds,
    terminated: false,
    consumerFunds: '5000',
    ...extra,
  })
  it("fires for the service's open channels as consumer under the threshold, once per episode", () => {
    const rule = {
      name: 'shop-runway',
      spec: { kind: 'runway' as const, service: 'shop', runwaySeconds: 86_400 },
    }
    const alerts = runwayCrossings(
      rule,
      [
        channel('0xa', 3_600),
        channel('0xb', 86_400), // at the threshold: not under it
        channel('0xc', null), // no recent spend
        channel('0xd', 10, { terminated: true }),
        channel('0xe', 10, { role: 'provider' }),
        channel('0xf', 86_399.5),
      ],
      (a) => (a === '0xa' ? '2026-12-01T00:00:00.000Z' : '2026-12-07T10:00:00.000Z'),
    )
    expect(alerts.map((a) => a.crossing)).toEqual([
      'runway 0xa since 2026-12-01T00:00:00.000Z',
      'runway 0xf since 2026-12-07T10:00:00.000Z',
    ])
    expect(alerts[0]?.summary).toBe(
      "shop's channel 0xa runs out in about 1 h at the recent rate (under 24 h).",
    )
  })
})

describe('spikeCrossings()', () => {
  const pair = (consumer: string, current: bigint, previous: bigint): PairSpend => ({
    consumer,
    provider: '0xp',
    consumerName: consumer === '0xa' ? 'alice' : null,
    providerName: 'charlie',
    current,
    previous,
  })
  const rule = (factorPercent: number, minAmount = '0') => ({
    name: 'jumps',
    spec: { kind: 'spike' as const, window: '24h' as const, factorPercent, minAmount },
  })
  it('fires when a pair paid at least the factor of the window before and the minimum', () => {
    const pairs = [
      pair('0xa', 200n, 100n),
      pair('0xb', 199n, 100n),
      pair('0xc', 50n, 0n),
      pair('0xd', 0n, 0n),
    ]
    const now = { at: '2026-12-07T10:00:00.000Z', recent: new Set<string>() }
    const alert = spikeCrossing(rule(200), pairs, now)
    expect(alert?.crossing).toBe('spike 24h 2026-12-07T10:00:00.000Z')
    expect(alert?.summary).toBe(
      "2 pairs' spend jumped: alice → charlie paid 200 wei in the last 24h, 2× the 100 wei of the 24h before. " +
        '0xc → charlie paid 50 wei in the last 24h, after nothing in the 24h before.',
    )
    expect(alert?.details).toMatchObject({ pairs: 2, listed: '0xa>0xp,0xc>0xp', consumer: '0xa' })
    expect(spikeCrossing(rule(200, '60'), pairs, now)?.summary).toBe(
      'alice → charlie paid 200 wei in the last 24h, 2× the 100 wei of the 24h before.',
    )
  })
  it('one alert per evaluation: at most 10 pairs, largest first, none alerted within the window', () => {
    const many = Array.from({ length: 12 }, (_, i) => pair(`0x${i + 10}`, BigInt(100 + i), 0n))
    const alert = spikeCrossing(rule(200), many, { at: 'T', recent: new Set(['0x21>0xp']) })
    expect(alert?.details.pairs).toBe(11)
    expect(String(alert?.details.listed).split(',')).toEqual(
      ['0x20', '0x19', '0x18', '0x17', '0x16', '0x15', '0x14', '0x13', '0x12', '0x11'].map((c) => `${c}>0xp`),
    )
    expect(alert?.summary.endsWith(' And 1 more.')).toBe(true)
    const all = new Set(many.map(pairKey))
    expect(spikeCrossing(rule(200), many, { at: 'T', recent: all })).toBeNull()
  })
})

describe('webhook bodies', () => {
  const alert = budgetCrossing(
    { name: 'apps-budget', spec: { kind: 'budget', budgetId: 3, thresholdPercent: 80, basis: 'spend' } },
    reading(800n, 900n),
  )!
  const meta = { id: '7', createdAt: '2026-12-07T10:00:00.000Z', historyUrl: 'http://dash/alerts' }
  it('json: the alert with its delivery id; slack: text and blocks', () => {
    expect(webhookBody('json', alert, meta)).toEqual({ id: '7', createdAt: meta.createdAt, ...alert })
    expect(webhookBody('slack', alert, meta)).toEqual({
      text: alert.summary,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `:rotating_light: ${alert.summary}` } },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: 'rule *apps-budget* · budget · 2026-12-07T10:00:00.000Z · <http://dash/alerts|alert history>',
            },
          ],
        },
      ],
    })
  })
  it('maskUrl() keeps the scheme and host only', () => {
    expect(maskUrl('https://hooks.slack.com/services/T000/B000/XXXXsecretQx7w')).toBe(
      'https://hooks.slack.com/…',
    )
    expect(maskUrl('https://hooks.example.com/s3cr3tpth')).toBe('https://hooks.example.com/…')
    expect(maskUrl('http://127.0.0.1:9000/h')).toBe('http://127.0.0.1:9000/…')
    expect(maskUrl('not a url')).toBe('…')
  })
})

describe('the signed edit', () => {
  it('canonicalJson() sorts keys at every depth, so the same edit is one text', () => {
    const a = budgetEditSchema.parse({
      action: 'setRule',
      name: 'r',
      webhook: 'w',
      rule: { kind: 'budget', budgetId: 1, thresholdPercent: 80, basis: 'spend' },
    })
    const b = {
      rule: { basis: 'spend', thresholdPercent: 80, budgetId: 1, kind: 'budget' },
      webhook: 'w',
      name: 'r',
      action: 'setRule',
    }
    expect(canonicalJson(a)).toBe(canonicalJson(b))
    expect(canonicalJson(a)).toBe(
      '{"action":"setRule","name":"r","rule":{"basis":"spend","budgetId":1,"kind":"budget","thresholdPercent":80},"webhook":"w"}',
    )
  })
})
