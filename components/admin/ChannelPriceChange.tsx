'use client'

import type { ReactNode } from 'react'
import { Amount } from '@/components/Amount'
import { type PriceChange, type PriceInputs, priceView, type Spend, spendAt } from '@/lib/admin/pricing'
import { formatDuration, formatNumber } from '@/lib/explorer/format'

/**
 * What is changing in a version 2 channel's prices (the current table itself is the explorer's
 * "Prices" section): a change announced on chain (the active token ID's table differs from the
 * expiring one's) and one pending on this dashboard's Payment Server, each as a before/after
 * table with the spend and the runway of the consumer's funds at both, at the request mix
 * redeemed over the last day. Amounts in the view's unit, exact wei in their titles.
 */
export function ChannelPriceChange({ inputs }: { inputs: PriceInputs }) {
  const { current, announced, pending } = priceView(inputs)
  if (!current) return <p className="muted">No price table of this channel is indexed yet.</p>
  return (
    <div className="price-changes" data-testid="price-changes">
      {announced && (
        <Change
          change={announced}
          inputs={inputs}
          labels={[
            ['Before', `Before (token #${inputs.expiringTokenId})`],
            ['Now', `Now (from token #${announced.fromTokenId})`],
          ]}
          testId="price-announced"
        >
          <strong>Announced on chain:</strong> the consumer signs token #{announced.fromTokenId} at the new
          prices; token #{inputs.expiringTokenId}, under redemption, is paid at the prices before.
        </Change>
      )}
      {pending && (
        <Change
          change={pending}
          inputs={inputs}
          labels={[
            ['Now', 'Now'],
            ['Pending', pending.fromTokenId ? `Pending (from token #${pending.fromTokenId})` : 'Pending'],
          ]}
          testId="price-pending"
        >
          <strong>Pending on this dashboard's Payment Server:</strong> the provider's next redemption start
          announces it, so the consumer sees it before paying at it.
        </Change>
      )}
      {!announced && !pending && (
        <div data-testid="price-no-change">
          <p className="small">
            No price change is announced, nor pending on this dashboard's Payment Server (a change set on the
            provider's own Payment Server elsewhere shows here once announced).
          </p>
          <Runway
            inputs={inputs}
            before={spendAt({ prices: current.prices, mix: inputs.mix, funds: BigInt(inputs.consumerFunds) })}
          />
        </div>
      )}
    </div>
  )
}

/** One change: what it is, its prices before and after by category, its effect on spend and runway. */
function Change({
  change,
  inputs,
  labels,
  testId,
  children,
}: {
  change: PriceChange
  inputs: PriceInputs
  /** Each column's short label (a phone's collapsed rows) and its header. */
  labels: [[string, string], [string, string]]
  testId: string
  children: ReactNode
}) {
  return (
    <div className="price-change" data-testid={testId}>
      <p className="small">{children}</p>
      <div className="table-wrap">
        <table className="table collapse" data-testid="price-change-table">
          <thead>
            <tr>
              <th>Category</th>
              <th className="num">{labels[0][1]}</th>
              <th className="num">{labels[1][1]}</th>
            </tr>
          </thead>
          <tbody>
            {inputs.names.map((name, i) => (
              <tr key={name} data-testid="price-change-row" data-category={i}>
                <td data-label="Category">{name}</td>
                <td data-label={labels[0][0]} className="num">
                  <Amount wei={change.before.prices[i] ?? null} testId="price-before" />
                </td>
                <td data-label={labels[1][0]} className="num">
                  <Amount wei={change.after.prices[i] ?? null} testId="price-after" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Runway inputs={inputs} before={change.before} after={change.after} />
    </div>
  )
}

const runway = (spend: Spend) =>
  spend.runwaySeconds === null ? 'indefinitely (nothing spent)' : formatDuration(spend.runwaySeconds)

/** The spend and runway at the request mix, at one table or before and after a change. */
function Runway({ inputs, before, after }: { inputs: PriceInputs; before: Spend; after?: Spend }) {
  const { mix } = inputs
  if (!mix || before.perHour === null) {
    return (
      <p className="small muted" data-testid="runway" data-before-seconds="" data-after-seconds="">
        Nothing was redeemed on this channel over the last day, so there is no request mix to measure the
        runway at yet.
      </p>
    )
  }
  const counts = inputs.names.map((n, i) => `${formatNumber(mix.requests[i] ?? '0')} ${n}`).join(', ')
  return (
    <p
      className="small"
      data-testid="runway"
      data-before-seconds={before.runwaySeconds ?? ''}
      data-after-seconds={after?.runwaySeconds ?? ''}
      data-before-wei={before.perHour}
      data-after-wei={after?.perHour ?? ''}
    >
      At the request mix redeemed over the last {formatDuration(mix.seconds)} ({counts}), the consumer spends{' '}
      {after?.perHour != null ? (
        <>
          <Amount wei={after.perHour} testId="spend-after" /> an hour instead of{' '}
          <Amount wei={before.perHour} testId="spend-before" />, so its funds of{' '}
          <Amount wei={inputs.consumerFunds} /> last{' '}
          <strong data-testid="runway-after">{runway(after)}</strong> instead of{' '}
          <span data-testid="runway-before">{runway(before)}</span>.
        </>
      ) : (
        <>
          <Amount wei={before.perHour} testId="spend-before" /> an hour, so its funds of{' '}
          <Amount wei={inputs.consumerFunds} /> last{' '}
          <strong data-testid="runway-before">{runway(before)}</strong>.
        </>
      )}
    </p>
  )
}
