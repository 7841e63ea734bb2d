import { formatNumber, formatWei, type WeiUnit } from '@/lib/explorer/format'

/**
 * An amount of wei with its unit ('1.5 ETH', '10 gwei', '3 wei'), every digit kept; the exact
 * wei are in the title. `null` reads as a dash.
 * @example <Amount wei={tx.value} />
 */
export function Amount({
  wei,
  unit = 'auto',
  testId,
}: {
  wei: string | null
  unit?: WeiUnit
  testId?: string
}) {
  if (wei === null) return <span data-testid={testId}>—</span>
  return (
    <span className="amount" title={`${formatNumber(wei)} wei`} data-testid={testId} data-wei={wei}>
      {formatWei(wei, unit)}
    </span>
  )
}
