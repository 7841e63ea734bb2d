/**
 * The time window of a cost view: a rolling preset ending at the chain's current time (1 h,
 * 24 h, 7 d, 30 d, all), a calendar period in UTC as Kubecost has them (today, yesterday,
 * this and last week from Monday, this and last month), or a custom range. Kept in the URL
 * (`?window=7d` or `?from=…&to=…`) so a view can be shared. Client-safe.
 */

import { formatUtc } from '../explorer/format'

export const WINDOW_PRESETS = {
  '1h': 3_600,
  '24h': 86_400,
  '7d': 7 * 86_400,
  '30d': 30 * 86_400,
  all: null,
} as const satisfies Record<string, number | null>

/** Calendar periods in UTC; a current one (today, this week, this month) ends now. */
export const CALENDAR_PRESETS = [
  'today',
  'yesterday',
  'this-week',
  'last-week',
  'this-month',
  'last-month',
] as const

export type RollingPreset = keyof typeof WINDOW_PRESETS
export type CalendarPreset = (typeof CALENDAR_PRESETS)[number]
export type WindowPreset = RollingPreset | CalendarPreset
export const DEFAULT_WINDOW: WindowPreset = '24h'

/** Every preset a query may name, rolling then calendar. */
export const PRESET_NAMES = [...Object.keys(WINDOW_PRESETS), ...CALENDAR_PRESETS] as WindowPreset[]

const DAY = 86_400

/** The UTC period `preset` names around `now` (unix seconds): [from, to), `to` at most `end`. */
function calendarSpan(preset: CalendarPreset, now: number, end: number): [number, number] {
  const date = new Date(now * 1000)
  const y = date.getUTCFullYear()
  const m = date.getUTCMonth()
  const today = Date.UTC(y, m, date.getUTCDate()) / 1000
  // Weeks start on Monday (ISO 8601): getUTCDay() is 0 on Sunday.
  const monday = today - ((date.getUTCDay() + 6) % 7) * DAY
  const month = Date.UTC(y, m, 1) / 1000
  switch (preset) {
    case 'today':
      return [today, end]
    case 'yesterday':
      return [today - DAY, today]
    case 'this-week':
      return [monday, end]
    case 'last-week':
      return [monday - 7 * DAY, monday]
    case 'this-month':
      return [month, end]
    case 'last-month':
      return [Date.UTC(y, m - 1, 1) / 1000, month]
  }
}

/** Unix seconds, `from` inclusive, `to` exclusive. */
export type CostWindow = {
  preset: WindowPreset | 'custom'
  from: number
  to: number
  /** Ends at the chain's current time: pending (not yet redeemed) amounts apply. */
  live: boolean
}

export type WindowQuery = { window?: string | null; from?: string | null; to?: string | null }

/** The window parameters of a query, from any reader of named parameters (URLSearchParams.get, page props). */
export function windowQueryOf(get: (name: 'window' | 'from' | 'to') => string | null): WindowQuery {
  return { window: get('window'), from: get('from'), to: get('to') }
}

export class WindowError extends Error {
  override name = 'WindowError'
}

const MAX_TIME = 253_402_300_799 // 9999-12-31T23:59:59Z

/** A time given as ISO-8601 (with a zone or as UTC) or as unix seconds. */
export function parseTime(value: string, what: string): number {
  const text = value.trim()
  let seconds: number
  if (/^\d{1,12}$/.test(text)) seconds = Number(text)
  else {
    const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`
    const ms = /^\d{4}-\d\d-\d\d/.test(text) ? Date.parse(iso) : Number.NaN
    if (Number.isNaN(ms)) {
      throw new WindowError(`${what} must be an ISO-8601 time (2026-11-21T10:00:00Z) or unix seconds.`)
    }
    seconds = Math.floor(ms / 1000)
  }
  if (seconds < 0 || seconds > MAX_TIME) throw new WindowError(`${what} is out of range.`)
  return seconds
}

/**
 * The window a query asks for, `now` being the chain's time (unix seconds). `from`/`to` win
 * over `window`; `to` defaults to now. Throws WindowError with a sentence on bad input.
 */
export function parseWindow(query: WindowQuery, now: number): CostWindow {
  const end = now + 1 // `to` is exclusive: the newest block belongs to a window that ends now.
  if (query.from || query.to) {
    const from = query.from ? parseTime(query.from, '`from`') : 0
    const to = query.to ? parseTime(query.to, '`to`') : end
    if (from >= to) throw new WindowError('`from` must be before `to`.')
    return { preset: 'custom', from, to, live: to >= end }
  }
  const name = query.window || DEFAULT_WINDOW
  if (!PRESET_NAMES.includes(name as WindowPreset)) {
    throw new WindowError(`\`window\` must be one of ${PRESET_NAMES.join(', ')}.`)
  }
  if ((CALENDAR_PRESETS as readonly string[]).includes(name)) {
    const [from, to] = calendarSpan(name as CalendarPreset, now, end)
    return { preset: name as CalendarPreset, from, to, live: to >= end }
  }
  const preset = name as RollingPreset
  const length = WINDOW_PRESETS[preset]
  return { preset, from: length === null ? 0 : Math.max(0, end - length), to: end, live: true }
}

/**
 * The window to compare `window` with: as long, right before it (the 24 h before the last
 * 24 h; the seven days before this week's first seven). A current calendar period is compared
 * with the same length before it, not with the whole previous period, so a Monday morning is
 * not set against a whole week. None for `all`, which has nothing before it.
 */
export function previousWindow(window: CostWindow): CostWindow | null {
  const length = window.to - window.from
  if (window.preset === 'all' || window.from - length < 0) return null
  return { preset: 'custom', from: window.from - length, to: window.from, live: false }
}

const day = (seconds: number) => formatUtc(seconds, 'day')
const minute = (seconds: number) => formatUtc(seconds, 'minute', { zone: false })

/** How a range reads: dates for whole UTC days, minutes otherwise, end exclusive. */
export function rangeLabel({ from, to }: Pick<CostWindow, 'from' | 'to'>): string {
  if (from % DAY === 0 && to % DAY === 0)
    return to - from === DAY ? day(from) : `${day(from)} – ${day(to - DAY)}`
  return `${minute(from)} – ${minute(to)} UTC`
}

const ROLLING_WORDS: Record<RollingPreset, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  all: 'All time',
}
/** Each calendar period in words (headings and the window picker's buttons). */
export const CALENDAR_WORDS: Record<CalendarPreset, string> = {
  today: 'Today',
  yesterday: 'Yesterday',
  'this-week': 'This week',
  'last-week': 'Last week',
  'this-month': 'This month',
  'last-month': 'Last month',
}

/**
 * A window in words with its range, for a page's heading: "Last 24 hours: 2026-12-06 09:20 –
 * 2026-12-07 09:20 UTC", "Yesterday: 2026-12-06", "Last week: 2026-11-30 – 2026-12-06",
 * "All time: up to 2026-12-07 09:20 UTC", "Custom window: …". Whole UTC days read as dates.
 */
export function windowLabel(window: CostWindow): string {
  if (window.preset === 'all') return `All time: up to ${minute(window.to)} UTC`
  const words =
    window.preset === 'custom'
      ? 'Custom window'
      : window.preset in ROLLING_WORDS
        ? ROLLING_WORDS[window.preset as RollingPreset]
        : CALENDAR_WORDS[window.preset as CalendarPreset]
  return `${words}: ${rangeLabel(window)}`
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')

/** The query string that reproduces a window (`window=7d` or `from=…&to=…`), without `?`. */
export function windowSearch(window: CostWindow): string {
  if (window.preset !== 'custom') return `window=${window.preset}`
  return `from=${encodeURIComponent(iso(window.from))}&to=${encodeURIComponent(iso(window.to))}`
}

/** ISO-8601 of a unix time (seconds). */
export const isoTime = iso

export type Span = readonly [from: number, to: number]

/**
 * How to add up a window from the rollups exactly: whole UTC days from the daily rollup, whole
 * hours around them from the hourly one, and the partial hours at both ends from the events.
 */
export function splitWindow(from: number, to: number): { raw: Span[]; hourly: Span[]; daily: Span[] } {
  const HOUR = 3_600
  const DAY = 86_400
  const up = (t: number, step: number) => Math.ceil(t / step) * step
  const down = (t: number, step: number) => Math.floor(t / step) * step
  const keep = (spans: Span[]) => spans.filter(([a, b]) => a < b)
  const hStart = up(from, HOUR)
  const hEnd = down(to, HOUR)
  if (hStart >= hEnd) return { raw: keep([[from, to]]), hourly: [], daily: [] }
  const dStart = up(hStart, DAY)
  const dEnd = down(hEnd, DAY)
  const raw = keep([
    [from, hStart],
    [hEnd, to],
  ])
  if (dStart >= dEnd) return { raw, hourly: [[hStart, hEnd]], daily: [] }
  return {
    raw,
    hourly: keep([
      [hStart, dStart],
      [dEnd, hEnd],
    ]),
    daily: [[dStart, dEnd]],
  }
}

/** A window as the API answers it (ISO times) back to unix seconds, for links and forms. */
export function windowFromView(view: {
  preset: string
  from: string
  to: string
  live: boolean
}): CostWindow {
  const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000)
  return {
    preset: (PRESET_NAMES.includes(view.preset as WindowPreset)
      ? view.preset
      : 'custom') as CostWindow['preset'],
    from: seconds(view.from),
    to: seconds(view.to),
    live: view.live,
  }
}
