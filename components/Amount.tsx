'use client'

import { formatNumber, formatWei, type WeiUnit } from '@/lib/explorer/format'
import { exactWei, formatAmount } from '@/lib/units'
import { useViewUnit } from './UnitProvider'

/**
 * An amount of wei. Inside a view with a display unit (UnitProvider) it reads in that unit,
 * rounded for reading ('1.235 ETH'), whatever `unit` says: one unit per view. Elsewhere (the
 * explorer's pages) every digit is kept in `unit` ('1.5 ETH', '10 gwei', '3 wei'). The exact
 * wei are in the title and `data-wei` either way; `bare` leaves the unit out, for table cells
 * whose header names it. `null` reads as a dash.
 * @example <Amount wei={tx.value} />
 */
export function Amount({
  wei,
  unit = 'auto',
  testId,
  bare = false,
}: {
  wei: string | null
  unit?: WeiUnit
  testId?: string
  bare?: boolean
}) {
  const view = useViewUnit()
  if (wei === null) return <span data-testid={testId}>—</span>
  if (view === null) {
    return (
      <span className="amount" title={`${formatNumber(wei)} wei`} data-testid={testId} data-wei={wei}>
        {formatWei(wei, unit)}
      </span>
    )
  }
  const rate = view.fiat?.currency === view.unit ? ` at ${view.fiat.rate} ${view.unit} per ETH` : ''
  return (
    <span
      className="amount"
      title={`${exactWei(wei)}${rate}`}
      data-testid={testId}
      data-wei={wei}
      data-unit={view.unit}
    >
      {formatAmount({ wei, unit: view.unit, fiat: view.fiat, withUnit: !bare })}
    </span>
  )
}
