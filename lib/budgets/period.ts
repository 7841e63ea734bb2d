import { parseWindow } from '../costs/window'
import type { BudgetPeriod } from './api'

/**
 * A budget's period around a time: the UTC calendar month, or the ISO week from Monday, as the
 * costs page's `this-month` and `this-week` windows (lib/costs/window.ts) start them.
 * Client-safe.
 */

const DAY = 86_400

export type PeriodSpan = {
  /** `2026-12` for a month, `2026-W49` for an ISO week: part of a budget alert's crossing. */
  key: string
  /** Unix seconds, `from` inclusive, `to` exclusive. */
  from: number
  to: number
}

/** ISO 8601 week-numbering year and week of a Monday (unix s): the week's Thursday decides. */
function isoWeek(monday: number): { year: number; week: number } {
  const thursday = new Date((monday + 3 * DAY) * 1000)
  const year = thursday.getUTCFullYear()
  const firstThursdayDay = Math.floor(Date.UTC(year, 0, 1) / 1000 / DAY)
  const dayOfYear = Math.floor(monday / DAY) + 3 - firstThursdayDay
  return { year, week: Math.floor(dayOfYear / 7) + 1 }
}

/**
 * The period of `period` that contains `now` (unix s).
 * @example periodOf('month', Date.UTC(2026, 11, 7) / 1000) // { key: '2026-12', from: 2026-12-01, to: 2027-01-01 }
 */
export function periodOf(period: BudgetPeriod, now: number): PeriodSpan {
  const { from } = parseWindow({ window: period === 'month' ? 'this-month' : 'this-week' }, now)
  const start = new Date(from * 1000)
  if (period === 'month') {
    const y = start.getUTCFullYear()
    const m = start.getUTCMonth()
    return { key: `${y}-${String(m + 1).padStart(2, '0')}`, from, to: Date.UTC(y, m + 1, 1) / 1000 }
  }
  const { year, week } = isoWeek(from)
  return { key: `${year}-W${String(week).padStart(2, '0')}`, from, to: from + 7 * DAY }
}

/** The least elapsed time a forecast divides by: the first minutes of a period would explode it. */
export const FORECAST_MIN_ELAPSED = 3_600

/**
 * What `spent` so far in a period comes to by its end, linearly: spent × length ÷ elapsed,
 * elapsed counted as at least {@link FORECAST_MIN_ELAPSED}, rounded down; `spent` once the
 * period is over.
 */
export function linearForecast({
  spent,
  span,
  now,
}: {
  spent: bigint
  span: PeriodSpan
  now: number
}): bigint {
  if (now >= span.to) return spent
  const elapsed = Math.max(now - span.from, FORECAST_MIN_ELAPSED)
  const length = span.to - span.from
  if (elapsed >= length) return spent
  return (spent * BigInt(length)) / BigInt(elapsed)
}

/** No forecast alert before this much of a period has passed (s), nor before {@link FORECAST_ALERT_MIN_SHARE}. */
export const FORECAST_ALERT_MIN_SECONDS = 86_400
/** No forecast alert before this share of a period has passed. */
export const FORECAST_ALERT_MIN_SHARE = 0.1

/**
 * When a forecast may first alert (unix s): after max(1 day, 10 %) of the period. Earlier, a
 * few lumpy redemptions extrapolate to anything, and an alert on that noise would take the
 * crossing's key and so silence the genuine crossing later in the period.
 * @example forecastAlertsFrom(periodOf('week', now)) // the period's Tuesday 00:00 UTC
 */
export function forecastAlertsFrom(span: PeriodSpan): number {
  const length = span.to - span.from
  return span.from + Math.max(FORECAST_ALERT_MIN_SECONDS, Math.ceil(length * FORECAST_ALERT_MIN_SHARE))
}

/** `part` as a whole percentage of `whole`, rounded down (0 when whole is 0). */
export function percentOf(part: bigint, whole: bigint): number {
  return whole === 0n ? 0 : Number((part * 100n) / whole)
}
