import { Amount } from '@/components/Amount'
import type { CostComparison, CostMover } from '@/lib/costs/api'
import { rangeLabel, windowFromView } from '@/lib/costs/window'
import { formatPercent } from '@/lib/explorer/format'

const size = (value: bigint) => (value < 0n ? -value : value)

/**
 * A signed amount: "+" or "−" and the amount's size in the view's unit (exact wei on hover). A
 * rise reads as bad (spend), or as good for what a service `earned`.
 */
export function Change({
  wei,
  testId,
  bare,
  earned = false,
}: {
  wei: string
  testId?: string
  bare?: boolean
  earned?: boolean
}) {
  const value = BigInt(wei)
  const sign = value > 0n ? '+' : value < 0n ? '−' : '±'
  const direction = value > 0n ? 'change-up' : value < 0n ? 'change-down' : ''
  return (
    <span
      className={direction && earned ? `${direction} change-earned` : direction || undefined}
      data-testid={testId}
      data-change={wei}
    >
      {sign}
      <Amount wei={size(value).toString()} bare={bare} />
    </span>
  )
}

/**
 * A change as a share of what it was before: "+12.5%", "−66.6%" (tenths, rounded toward zero),
 * "new" when there was nothing before, nothing when both are zero.
 * @example <ChangePercent change="-200" previous="300" /> // '−66.6%'
 */
export function ChangePercent({
  change,
  previous,
  testId,
}: {
  change: string
  previous: string
  testId?: string
}) {
  const delta = BigInt(change)
  if (BigInt(previous) === 0n) return delta === 0n ? null : <span data-testid={testId}>new</span>
  return (
    <span data-testid={testId}>
      {delta > 0n ? '+' : delta < 0n ? '−' : '±'}
      {formatPercent(size(delta).toString(), previous)}
    </span>
  )
}

/** The pairs that moved most, largest increase first: "a → b: +x (before → now)". */
export function Movers({ movers, nameOf }: { movers: CostMover[]; nameOf: (address: string) => string }) {
  if (movers.length === 0) return null
  return (
    <ol className="movers small" data-testid="movers">
      {movers.map((m) => (
        <li
          key={`${m.consumer}>${m.provider}`}
          data-testid="mover"
          data-consumer={m.consumer}
          data-provider={m.provider}
        >
          {nameOf(m.consumer)} → {nameOf(m.provider)}: <Change wei={m.change} /> (
          <Amount wei={m.previous} /> → <Amount wei={m.settled} />)
        </li>
      ))}
    </ol>
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
  return (
    <div className="comparison" data-testid="comparison">
      <p>
        Settled <Change wei={comparison.change} testId="comparison-change" />
        {BigInt(comparison.settled) > 0n && (
          <>
            {' '}
            (<ChangePercent change={comparison.change} previous={comparison.settled} />)
          </>
        )}{' '}
        against the window as long before it, {rangeLabel(before)}: <Amount wei={comparison.settled} />{' '}
        settled then.
      </p>
      <Movers movers={comparison.movers} nameOf={nameOf} />
    </div>
  )
}
