/**
 * The time window of a cost view: a preset ending at the chain's current time (1 h, 24 h, 7 d,
 * 30 d, all) or a custom range. Kept in the URL (`?window=7d` or `?from=…&to=…`) so a view can
 * be shared. Client-safe.
 */

export const WINDOW_PRESETS = {
  '1h': 3_600,
  '24h': 86_400,
  '7d': 7 * 86_400,
  '30d': 30 * 86_400,
  all: null,
} as const satisfies Record<string, number | null>

export type WindowPreset = keyof typeof WINDOW_PRESETS
export const DEFAULT_WINDOW: WindowPreset = '24h'

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
  if (!Object.hasOwn(WINDOW_PRESETS, name)) {
    throw new WindowError(`\`window\` must be one of ${Object.keys(WINDOW_PRESETS).join(', ')}.`)
  }
  const preset = name as WindowPreset
  const length = WINDOW_PRESETS[preset]
  return { preset, from: length === null ? 0 : Math.max(0, end - length), to: end, live: true }
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
    preset: (Object.hasOwn(WINDOW_PRESETS, view.preset) ? view.preset : 'custom') as CostWindow['preset'],
    from: seconds(view.from),
    to: seconds(view.to),
    live: view.live,
  }
}
