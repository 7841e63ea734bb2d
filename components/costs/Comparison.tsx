import { Amount } from '@/components/Amount'
import type { CostComparison } from '@/lib/costs/api'
import { rangeLabel, windowFromView } from '@/lib/costs/window'
import { formatPercent } from '@/lib/explorer/format'

/** A signed amount: "+" or "−" and the amount's size in the view's unit (exact wei on hover). */
function Change({ wei, testId }: { wei: string; testId?: string }) {
  const value = BigInt(wei)
  const sign = value > 0n ? '+' : value < 0n ? '−' : '±'
  return (
    <span className={value > 0n ? 'change-up' : value < 0n ? 'change-down' : undefined} data-testid={testId}>
      {sign}
      <Amount wei={(value < 0n ? -value : value).toString()} />
    </span>
  )
}

/**
 * This window against the one as long right before it (the API's `comparison`): the settled
 * total's change, in wei and as a share of the previous total, and the pairs that moved most.
 * `nameOf` gives a service's name by address. Every amount is in the view's one unit.
 */
export function Comparison({
  comparison,
  nameOf,
}: {
  comparison: CostComparison
  nameOf: (address: string) => string
}) {
  const before = windowFromView(comparison.window)
  const previous = BigInt(comparison.settled)
  const change = BigInt(comparison.change)
  return (
    <div className="comparison" data-testid="comparison">
      <p>
        Settled <Change wei={comparison.change} testId="comparison-change" />
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
              {nameOf(m.consumer)} → {nameOf(m.provider)}: <Change wei={m.change} /> (
              <Amount wei={m.previous} /> → <Amount wei={m.settled} />)
            </li>
          ))}
        </ol>
      )}
    </div>
  )
}
