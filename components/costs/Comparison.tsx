import { Amount } from '@/components/Amount'
import type { CostComparison } from '@/lib/costs/api'
import { rangeLabel, windowFromView } from '@/lib/costs/window'
import { formatPercent, type WeiUnit, weiUnit } from '@/lib/explorer/format'

/** A signed amount: "+" or "−" and the amount's size with its unit (exact wei on hover). */
function Change({ wei, unit, testId }: { wei: string; unit: WeiUnit; testId?: string }) {
  const value = BigInt(wei)
  const sign = value > 0n ? '+' : value < 0n ? '−' : '±'
  return (
    <span className={value > 0n ? 'change-up' : value < 0n ? 'change-down' : undefined} data-testid={testId}>
      {sign}
      <Amount wei={(value < 0n ? -value : value).toString()} unit={unit} />
    </span>
  )
}

/**
 * This window against the one as long right before it (the API's `comparison`): the settled
 * total's change, in wei and as a share of the previous total, and the pairs that moved most.
 * `nameOf` gives a service's name by address.
 */
export function Comparison({
  comparison,
  nameOf,
}: {
  comparison: CostComparison
  nameOf: (address: string) => string
}) {
  const before = windowFromView(comparison.window)
  // One unit per line, the larger amount's: "0 gwei → 7,900 gwei", not "0 ETH → 7,900 gwei".
  const unitOf = (a: string, b: string) => weiUnit(BigInt(a) > BigInt(b) ? a : b)
  const previous = BigInt(comparison.settled)
  const change = BigInt(comparison.change)
  const now = (previous + change).toString()
  const unit = unitOf(now, comparison.settled)
  return (
    <div className="comparison" data-testid="comparison">
      <p>
        Settled <Change wei={comparison.change} unit={unit} testId="comparison-change" />
        {previous > 0n && (
          <>
            {' '}
            ({change >= 0n ? '+' : '−'}
            {formatPercent((change < 0n ? -change : change).toString(), comparison.settled)})
          </>
        )}{' '}
        against the window as long before it, {rangeLabel(before)}: <Amount wei={comparison.settled} />{' '}
        settled then.
      </p>
      {comparison.movers.length > 0 && (
        <ol className="movers small" data-testid="movers">
          {comparison.movers.map((m) => (
            <li key={`${m.consumer}>${m.provider}`}>
              {nameOf(m.consumer)} → {nameOf(m.provider)}:{' '}
              <Change wei={m.change} unit={unitOf(m.settled, m.previous)} /> (
              <Amount wei={m.previous} unit={unitOf(m.settled, m.previous)} /> →{' '}
              <Amount wei={m.settled} unit={unitOf(m.settled, m.previous)} />)
            </li>
          ))}
        </ol>
      )}
    </div>
  )
}
