import { describe, expect, it } from 'vitest'
import { isoTime, PRESET_NAMES, parseWindow, previousWindow, WindowError, windowLabel } from './window'

const at = (iso: string) => Date.parse(iso) / 1000
/** A Wednesday afternoon. */
const NOW = at('2026-12-09T15:30:00Z')

/** The window of a preset at `now`, as ISO times. */
function span(preset: string, now = NOW) {
  const w = parseWindow({ window: preset }, now)
  return { from: isoTime(w.from), to: isoTime(w.to), live: w.live }
}

describe('calendar windows (UTC)', () => {
  it('today, yesterday, this and last week (from Monday), this and last month', () => {
    const end = isoTime(NOW + 1)
    expect(span('today')).toEqual({ from: '2026-12-09T00:00:00Z', to: end, live: true })
    expect(span('yesterday')).toEqual({
      from: '2026-12-08T00:00:00Z',
      to: '2026-12-09T00:00:00Z',
      live: false,
    })
    expect(span('this-week')).toEqual({ from: '2026-12-07T00:00:00Z', to: end, live: true })
    expect(span('last-week')).toEqual({
      from: '2026-11-30T00:00:00Z',
      to: '2026-12-07T00:00:00Z',
      live: false,
    })
    expect(span('this-month')).toEqual({ from: '2026-12-01T00:00:00Z', to: end, live: true })
    expect(span('last-month')).toEqual({
      from: '2026-11-01T00:00:00Z',
      to: '2026-12-01T00:00:00Z',
      live: false,
    })
  })

  it('a Sunday is in the week that began the Monday before; January’s last month is December', () => {
    const sunday = at('2026-12-13T23:59:59Z')
    expect(span('this-week', sunday).from).toBe('2026-12-07T00:00:00Z')
    expect(span('last-week', sunday)).toMatchObject({
      from: '2026-11-30T00:00:00Z',
      to: '2026-12-07T00:00:00Z',
    })
    const monday = at('2026-12-14T00:00:00Z')
    expect(span('this-week', monday).from).toBe('2026-12-14T00:00:00Z')
    expect(span('last-month', at('2027-01-15T08:00:00Z'))).toMatchObject({
      from: '2026-12-01T00:00:00Z',
      to: '2027-01-01T00:00:00Z',
    })
    // Leap year: February 2028 has 29 days.
    expect(span('last-month', at('2028-03-01T00:00:00Z'))).toMatchObject({
      from: '2028-02-01T00:00:00Z',
      to: '2028-03-01T00:00:00Z',
    })
  })

  it('an unknown preset is refused with the list', () => {
    expect(() => parseWindow({ window: 'fortnight' }, NOW)).toThrow(WindowError)
    expect(() => parseWindow({ window: 'fortnight' }, NOW)).toThrow(
      `must be one of ${PRESET_NAMES.join(', ')}`,
    )
  })
})

describe('previousWindow()', () => {
  it('is as long, right before; none for all or before the epoch', () => {
    const day = parseWindow({ window: '24h' }, NOW)
    expect(previousWindow(day)).toEqual({
      preset: 'custom',
      from: day.from - 86_400,
      to: day.from,
      live: false,
    })
    // This week so far (Monday 00:00 to Wednesday 15:30) against as long before Monday.
    const week = parseWindow({ window: 'this-week' }, NOW)
    const before = previousWindow(week)
    expect(before && [isoTime(before.from), isoTime(before.to)]).toEqual([
      isoTime(at('2026-12-07T00:00:00Z') - (NOW + 1 - at('2026-12-07T00:00:00Z'))),
      '2026-12-07T00:00:00Z',
    ])
    expect(previousWindow(parseWindow({ window: 'all' }, NOW))).toBeNull()
    expect(previousWindow(parseWindow({ from: '100', to: '200000' }, NOW))).toBeNull()
  })
})

describe('windowLabel()', () => {
  it('says each window in words with its range: dates for whole UTC days, minutes otherwise', () => {
    const label = (query: Parameters<typeof parseWindow>[0]) => windowLabel(parseWindow(query, NOW))
    expect(label({ window: '24h' })).toBe('Last 24 hours: 2026-12-08 15:30 – 2026-12-09 15:30 UTC')
    expect(label({ window: 'all' })).toBe('All time: up to 2026-12-09 15:30 UTC')
    expect(label({ window: 'today' })).toBe('Today: 2026-12-09 00:00 – 2026-12-09 15:30 UTC')
    expect(label({ window: 'yesterday' })).toBe('Yesterday: 2026-12-08')
    expect(label({ window: 'last-week' })).toBe('Last week: 2026-11-30 – 2026-12-06')
    expect(label({ window: 'last-month' })).toBe('Last month: 2026-11-01 – 2026-11-30')
    expect(label({ from: '2026-12-01T10:00:00Z', to: '2026-12-02T12:30:00Z' })).toBe(
      'Custom window: 2026-12-01 10:00 – 2026-12-02 12:30 UTC',
    )
  })
})
