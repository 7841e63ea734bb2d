import { Amount } from '@/components/Amount'
import { formatNumber } from '@/lib/explorer/format'

/**
 * Rows under a pair's row in a service page's table (columns: name, requests, amount, then
 * `trailing` empty cells): the pair's request categories where its channels have several.
 */
export function CategoryRows({
  categories,
  trailing = 0,
  testId,
}: {
  categories: ReadonlyArray<{ name: string; amount: string; requests: string }> | undefined
  trailing?: number
  testId: string
}) {
  return (categories ?? []).map((c) => (
    <tr key={c.name} className="category-row" data-testid={testId} data-category={c.name} data-wei={c.amount}>
      <td className="category-name">{c.name}</td>
      <td className="num">{formatNumber(c.requests)}</td>
      <td className="num">
        <Amount wei={c.amount} bare />
      </td>
      {trailing > 0 && <td colSpan={trailing} />}
    </tr>
  ))
}
