import { formatNumber } from '@/lib/explorer/format'

/**
 * Under a table that shows only its first rows: how many of how many, a link to all of them
 * and where else every row is. A view of a 1,000-service network stays a page a browser opens
 * in a moment (the whole table was 12 MB of HTML); the CSV always has every row.
 */
export function MoreRows({
  shown,
  total,
  noun,
  allHref,
  testId,
}: {
  shown: number
  total: number
  /** What a row is, plural ('services', 'teams'). */
  noun: string
  allHref: string
  testId?: string
}) {
  if (shown >= total) return null
  return (
    <p className="muted small" data-testid={testId ?? 'more-rows'}>
      The first {formatNumber(String(shown))} of {formatNumber(String(total))} {noun}, largest first ·{' '}
      <a href={allHref}>show all {formatNumber(String(total))}</a> (a long page) · the CSV has every row.
    </p>
  )
}

/** How many rows a table shows before {@link MoreRows}, unless the page's `rows=all` asks for all. */
export const FIRST_ROWS = 50

/** The rows a page shows: all with `?rows=all`, else the first {@link FIRST_ROWS}. */
export const rowLimit = (rowsParam: string | null | undefined) =>
  rowsParam === 'all' ? Number.POSITIVE_INFINITY : FIRST_ROWS
