'use client'

import { useState } from 'react'
import type { Address } from 'viem'
import { Countdown } from '@/components/Countdown'
import { intermediaryAbi, intermediaryV2Abi } from '@/contracts/generated'
import type { ActionAvailability } from '@/lib/admin/actions'
import type { Parsed } from '@/lib/admin/amounts'
import type { ActionContext, ChannelAction } from './channelAction'
import { TxProgress } from './TxProgress'
import { useTxFlow } from './useTxFlow'

/** An action without an input: nothing to parse, nothing holds the button back. */
const noInput: Parsed<undefined> = { ok: true, value: undefined }

/**
 * One action on a channel, from its row of the action table: what it does, its input, and a
 * button that is disabled with the reason (and, when only time stands in the way, a countdown in
 * time and blocks) until the contract would accept it; then the transaction's progress.
 */
export function ActionCard({
  action,
  ctx,
  channel,
  availability,
  now,
  blockTimeSeconds,
  hideReason = false,
}: {
  action: ChannelAction
  ctx: ActionContext
  channel: Address
  availability: Pick<ActionAvailability, 'reason' | 'dueAt'>
  /** The latest block's time (chain clock). */
  now: bigint | null
  blockTimeSeconds: number | null
  /** The panel already says why nothing is possible (no wallet, not a party). */
  hideReason?: boolean
}) {
  const flow = useTxFlow()
  const { input } = action
  const [value, setValue] = useState(() =>
    typeof input?.initial === 'function' ? input.initial(ctx) : input?.initial,
  )
  const parsed = input ? input.parse(value, ctx) : noInput
  // The input's own reason (missing or wrong value) keeps the button disabled too.
  const blocked = parsed.ok ? null : parsed.reason
  const { reason, dueAt } = availability
  const disabled = reason !== null || !!blocked || flow.running
  const label = typeof action.submitLabel === 'string' ? action.submitLabel : action.submitLabel(ctx)
  const submit = () => {
    const abi = ctx.v2 ? intermediaryV2Abi : intermediaryAbi
    if (parsed.ok) flow.run({ address: channel, abi, ...action.call(ctx, parsed.value) })
  }
  return (
    <section
      className="card action-card"
      data-testid={action.testId}
      data-enabled={reason === null ? 'true' : 'false'}
    >
      <h3 className="action-title">{action.title}</h3>
      {action.description(ctx)}
      {/* setValue itself, not a wrapper: a field may report its value from an effect on onChange. */}
      {input && <input.Field ctx={ctx} value={value} onChange={setValue} />}
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
        onClick={submit}
        data-testid="action-submit"
      >
        {flow.running ? 'Working…' : label}
      </button>
      <TxProgress flow={flow} />
    </section>
  )
}
