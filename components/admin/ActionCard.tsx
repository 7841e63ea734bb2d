'use client'

import type { ReactNode } from 'react'
import { Countdown } from '@/components/Countdown'
import type { ActionAvailability } from '@/lib/admin/actions'
import { TxProgress } from './TxProgress'
import type { useTxFlow } from './useTxFlow'

/**
 * One action on a channel: what it does, its inputs, and a button that is disabled with the
 * reason (and, when only time stands in the way, a countdown in time and blocks) until the
 * contract would accept it; then the transaction's progress.
 */
export function ActionCard({
  testId,
  title,
  children,
  availability,
  now,
  blockTimeSeconds,
  submitLabel,
  onSubmit,
  flow,
  blocked,
  hideReason = false,
}: {
  testId: string
  title: string
  children?: ReactNode
  availability: Pick<ActionAvailability, 'reason' | 'dueAt'>
  /** The latest block's time (chain clock). */
  now: bigint | null
  blockTimeSeconds: number | null
  submitLabel: string
  onSubmit: () => void
  flow: ReturnType<typeof useTxFlow>
  /** A reason of the form's own (missing input) that keeps the button disabled. */
  blocked?: string | null
  /** The panel already says why nothing is possible (no wallet, not a party). */
  hideReason?: boolean
}) {
  const { reason, dueAt } = availability
  const disabled = reason !== null || !!blocked || flow.running
  return (
    <section
      className="card action-card"
      data-testid={testId}
      data-enabled={reason === null ? 'true' : 'false'}
    >
      <h3 className="action-title">{title}</h3>
      {children}
      {reason !== null && !hideReason && (
        <p className="action-reason" data-testid="action-reason">
          {reason}
          {dueAt !== null && now !== null && dueAt > now && (
            <>
              {' '}
              <Countdown
                key={`${dueAt}-${now}`}
                at={new Date(Number(dueAt) * 1000).toISOString()}
                secondsLeft={Number(dueAt - now)}
                blockTimeSeconds={blockTimeSeconds}
                due={false}
                compact
                testId="action-countdown"
              />
            </>
          )}
        </p>
      )}
      {reason === null && blocked && <p className="action-hint muted small">{blocked}</p>}
      <button
        type="button"
        className="button"
        disabled={disabled}
        onClick={onSubmit}
        data-testid="action-submit"
      >
        {flow.running ? 'Working…' : submitLabel}
      </button>
      <TxProgress flow={flow} />
    </section>
  )
}
