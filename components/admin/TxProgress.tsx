'use client'

import { formatNumber } from '@/lib/explorer/format'
import type { TxFlowState, TxStep } from './useTxFlow'

const STEPS: { step: Exclude<TxStep, 'idle'>; label: string }[] = [
  { step: 'simulating', label: 'Checked' },
  { step: 'signing', label: 'Signed in wallet' },
  { step: 'submitted', label: 'Submitted' },
  { step: 'mined', label: 'Mined' },
  { step: 'indexed', label: 'Indexed' },
]

const WAITING: Record<TxStep, string> = {
  idle: '',
  simulating: 'Simulating the call…',
  signing: 'Waiting for your signature in the wallet…',
  submitted: 'Waiting for the transaction to be mined…',
  mined: 'Waiting for the indexer…',
  indexed: 'Done: the timeline below shows it.',
}

/** The steps of one transaction with the current one marked, its link, and any error in words. */
export function TxProgress({ flow }: { flow: TxFlowState }) {
  if (flow.step === 'idle' && !flow.error) return null
  const at = STEPS.findIndex((s) => s.step === flow.step)
  return (
    <div
      className="tx-progress"
      data-testid="tx-progress"
      data-step={flow.step}
      data-failed={flow.error ? 'true' : 'false'}
      aria-live="polite"
    >
      <ol className="tx-steps">
        {STEPS.map((s, i) => {
          const status =
            flow.error && i === at
              ? 'failed'
              : i < at || flow.step === 'indexed'
                ? 'done'
                : i === at
                  ? 'current'
                  : 'todo'
          return (
            <li key={s.step} className={`tx-step tx-step-${status}`}>
              {s.label}
            </li>
          )
        })}
      </ol>
      {flow.error ? (
        <p className="tx-error" role="alert" data-testid="tx-error">
          {flow.error}
        </p>
      ) : (
        <p className="tx-waiting muted small">{WAITING[flow.step]}</p>
      )}
      {flow.hash && (
        <p className="small">
          Transaction{' '}
          <a href={`/tx/${flow.hash}`} data-testid="tx-link" className="mono">
            {flow.hash.slice(0, 10)}…{flow.hash.slice(-8)}
          </a>
          {flow.blockNumber !== null && (
            <>
              {' '}
              in block <a href={`/blocks/${flow.blockNumber}`}>#{formatNumber(flow.blockNumber)}</a>
            </>
          )}
        </p>
      )}
      {flow.note && <p className="muted small">{flow.note}</p>}
    </div>
  )
}
