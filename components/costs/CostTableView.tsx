import { Amount } from '@/components/Amount'
import { MoreRows } from '@/components/MoreRows'
import { UnitName } from '@/components/UnitProvider'
import type { CostTable } from '@/lib/costs/report'
import { formatNumber, shortAddress } from '@/lib/explorer/format'

/**
 * A cost table (lib/costs/report) as HTML: the same rows the CSV export writes. Wei columns in
 * the view's one unit, named once in their header (exact wei on hover and in `data-wei`);
 * pending columns marked as off chain. With `limit`, only the first rows, and a link to all
 * (`allHref`) under them.
 */
export function CostTableView({
  table,
  testId,
  linkOf,
  limit = Number.POSITIVE_INFINITY,
  allHref = '',
  noun = 'rows',
}: {
  table: CostTable
  testId: string
  /** Where a row's first cell links to, if anywhere. */
  linkOf?: (row: Record<string, string>) => string | null
  /** Rows shown; the rest are behind `allHref` (and in the CSV). */
  limit?: number
  allHref?: string
  /** What a row is, plural, for the note under a cut table. */
  noun?: string
}) {
  const rows = table.rows.slice(0, limit)
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th
                key={c.key}
                className={c.kind === 'text' || c.kind === 'address' ? undefined : 'num'}
                scope="col"
              >
                {c.title}
                {c.kind === 'wei' && (
                  <>
                    {' '}
                    <UnitName />
                  </>
                )}
                {c.key.startsWith('pending') && <span className="pending-tag"> off chain</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={table.columns.map((c) => row[c.key]).join('|')} data-testid={`${testId}-row`}>
              {table.columns.map((c, j) => {
                const value = row[c.key] ?? ''
                const href = j === 0 ? linkOf?.(row) : null
                const content =
                  c.kind === 'wei' ? (
                    value === '' ? (
                      <span className="muted" title="Pending amounts apply only to windows that end now">
                        —
                      </span>
                    ) : value.includes('-') && !value.startsWith('-') ? (
                      // A price range, 'min-max'.
                      <>
                        <Amount wei={value.split('-')[0] as string} bare />–
                        <Amount wei={value.split('-')[1] as string} bare />
                      </>
                    ) : (
                      <Amount wei={value} bare />
                    )
                  ) : c.kind === 'count' ? (
                    formatNumber(value)
                  ) : c.kind === 'address' ? (
                    <a href={`/address/${value}`} className="mono">
                      {shortAddress(value)}
                    </a>
                  ) : (
                    value
                  )
                return (
                  <td
                    key={c.key}
                    className={
                      [
                        c.kind === 'wei' || c.kind === 'count' ? 'num' : '',
                        c.key.startsWith('pending') && value !== '0' && value !== '' ? 'pending-cell' : '',
                      ]
                        .join(' ')
                        .trim() || undefined
                    }
                    data-col={c.key}
                    data-value={value}
                  >
                    {href ? <a href={href}>{content}</a> : content}
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <MoreRows
        shown={rows.length}
        total={table.rows.length}
        noun={noun}
        allHref={allHref}
        testId={`${testId}-more`}
      />
    </div>
  )
}
