'use client'

import { useCallback, useState } from 'react'
import type { Address } from 'viem'
import { useConnection } from 'wagmi'
import { intermediaryAbi } from '@/contracts/generated'
import { type ActionAvailability, type ChannelActionId, channelActions, roleOf } from '@/lib/admin/actions'
import { parseAmount } from '@/lib/admin/amounts'
import { contractErrorSentence } from '@/lib/contractErrors'
import type { ChannelSummary } from '@/lib/explorer/api'
import { formatWei, shortAddress } from '@/lib/explorer/format'
import { useWalletChain } from '../wallet/WalletProvider'
import { ActionCard } from './ActionCard'
import { AmountInput, type AmountValue } from './AmountInput'
import { type RedeemInput, RedeemTokenPicker } from './RedeemTokenPicker'
import { useLiveChannel } from './useLiveChannel'
import { useTxFlow } from './useTxFlow'

type Side = 'consumer' | 'provider'

const ROLE_TEXT = {
  none: 'Connect a wallet to act on this channel.',
  stranger: 'The connected account is not a party of this channel: it can only watch.',
  consumer: 'You are the consumer of this channel (you pay).',
  provider: 'You are the provider of this channel (you are paid).',
} as const

/**
 * The channel's actions for the connected wallet, grouped by the side that may take them. Each is
 * enabled only when the contract would accept it now (checked against the chain's live state and
 * clock), otherwise it says why; every transaction is simulated before the wallet is asked.
 */
export function ChannelActions({
  summary,
  blockTimeSeconds,
}: {
  summary: ChannelSummary
  blockTimeSeconds: number | null
}) {
  const chain = useWalletChain()
  if (!chain) {
    return <p className="muted">No wallet actions: the dashboard cannot reach the chain node.</p>
  }
  return <Actions summary={summary} blockTimeSeconds={blockTimeSeconds} chainId={chain.id} />
}

function Actions({
  summary,
  blockTimeSeconds,
  chainId,
}: {
  summary: ChannelSummary
  blockTimeSeconds: number | null
  chainId: number
}) {
  const { address: account } = useConnection()
  const live = useLiveChannel(summary)
  const { state, now } = live
  const role = roleOf(state, account)
  const available = new Map(channelActions({ state, account, now: now ?? 0n }).map((a) => [a.id, a] as const))
  /** The availability on one side's card: the other side's actions say who may take them. */
  const on = (side: Side, id: ChannelActionId): ActionAvailability => {
    const a = available.get(id) as ActionAvailability
    if ((role === 'consumer' || role === 'provider') && role !== side) {
      return {
        id,
        reason: contractErrorSentence(side === 'consumer' ? 'NotConsumer' : 'NotProvider'),
        dueAt: null,
      }
    }
    return a
  }
  const call = { address: summary.address as Address, abi: intermediaryAbi }
  const common = { now, blockTimeSeconds, hideReason: role === 'none' || role === 'stranger' }

  const deposit = useTxFlow()
  const [depositAmount, setDepositAmount] = useState<AmountValue>({ text: '', unit: 'ETH' })
  const depositWei =
    depositAmount.text.trim() === '' ? null : parseAmount(depositAmount.text, depositAmount.unit)
  const startTermination = useTxFlow()
  const finishTermination = useTxFlow()
  const consumerWithdraw = useTxFlow()
  const startRedemption = useTxFlow()
  const redeem = useTxFlow()
  const [redeemInput, setRedeemInput] = useState<RedeemInput>(null)
  const onRedeemInput = useCallback((input: RedeemInput) => setRedeemInput(input), [])
  const providerWithdraw = useTxFlow()
  const close = useTxFlow()
  const newTokenId = state.lastTokenId + 1n

  const consumerSide = (
    <div key="consumer" className="action-side" data-testid="actions-consumer">
      <h3 className="action-group">Consumer</h3>
      <div className="grid action-grid">
        <ActionCard
          testId="action-deposit"
          title="Deposit"
          availability={on('consumer', 'deposit')}
          {...common}
          submitLabel="Deposit"
          blocked={
            !depositWei
              ? 'Enter an amount.'
              : !depositWei.ok
                ? depositWei.reason
                : depositWei.value === 0n
                  ? contractErrorSentence('ZeroDeposit')
                  : null
          }
          flow={deposit}
          onSubmit={() =>
            depositWei?.ok && deposit.run({ ...call, functionName: 'deposit', value: depositWei.value })
          }
        >
          <p className="action-text">
            Adds funds for future requests. Consumer funds now: {formatWei(state.consumerFunds)}.
          </p>
          <AmountInput
            id="deposit-amount"
            label="Amount"
            value={depositAmount}
            onChange={setDepositAmount}
            testId="deposit"
          />
        </ActionCard>
        <ActionCard
          testId="action-start-termination"
          title="Start termination"
          availability={on('consumer', 'startTermination')}
          {...common}
          submitLabel="Start termination"
          flow={startTermination}
          onSubmit={() => startTermination.run({ ...call, functionName: 'startTermination' })}
        >
          <p className="action-text">
            Announces the end of the channel: no more deposits, and after the termination timeout you can
            terminate and take back what is left. The provider can still redeem its last token until then.
          </p>
        </ActionCard>
        <ActionCard
          testId="action-finish-termination"
          title="Finish termination"
          availability={on('consumer', 'terminate')}
          {...common}
          submitLabel="Terminate"
          flow={finishTermination}
          onSubmit={() => finishTermination.run({ ...call, functionName: 'terminate' })}
        >
          <p className="action-text">Ends the channel once the announced deadline has passed.</p>
        </ActionCard>
        <ActionCard
          testId="action-consumer-withdraw"
          title="Withdraw refund"
          availability={on('consumer', 'withdraw')}
          {...common}
          submitLabel={`Withdraw ${formatWei(state.consumerFunds)}`}
          flow={consumerWithdraw}
          onSubmit={() => consumerWithdraw.run({ ...call, functionName: 'withdraw' })}
        >
          <p className="action-text">After termination, pays the consumer's remaining funds back to it.</p>
        </ActionCard>
      </div>
    </div>
  )
  const providerSide = (
    <div key="provider" className="action-side" data-testid="actions-provider">
      <h3 className="action-group">Provider</h3>
      <div className="grid action-grid">
        <ActionCard
          testId="action-start-redemption"
          title="Start redemption"
          availability={on('provider', 'startRedemption')}
          {...common}
          submitLabel="Start redemption"
          flow={startRedemption}
          onSubmit={() =>
            startRedemption.run({ ...call, functionName: 'startRedemption', args: [newTokenId] })
          }
        >
          <p className="action-text">
            Retires token #{state.activeTokenId.toString()} (the consumer signs new requests with #
            {newTokenId.toString()}); after the redemption timeout you complete it with the consumer's highest
            token for #{state.activeTokenId.toString()}.
          </p>
        </ActionCard>
        <ActionCard
          testId="action-redeem"
          title="Complete redemption"
          availability={on('provider', 'redeem')}
          {...common}
          submitLabel="Complete redemption"
          blocked={redeemInput ? null : 'Choose the token to redeem.'}
          flow={redeem}
          onSubmit={() =>
            redeemInput &&
            redeem.run({
              ...call,
              functionName: 'redeem',
              args: [redeemInput.requests, redeemInput.signature],
            })
          }
        >
          <p className="action-text">Moves what the token is worth from the consumer's funds to yours.</p>
          {state.expiringTokenId !== 0n && role === 'provider' && (
            <RedeemTokenPicker state={state} chainId={chainId} onChange={onRedeemInput} />
          )}
        </ActionCard>
        <ActionCard
          testId="action-provider-withdraw"
          title="Withdraw earnings"
          availability={on('provider', 'withdraw')}
          {...common}
          submitLabel={`Withdraw ${formatWei(state.providerFunds)}`}
          flow={providerWithdraw}
          onSubmit={() => providerWithdraw.run({ ...call, functionName: 'withdraw' })}
        >
          <p className="action-text">Pays what you redeemed so far to your account.</p>
        </ActionCard>
        <ActionCard
          testId="action-close"
          title="Close now"
          availability={on('provider', 'terminate')}
          {...common}
          submitLabel="Close the channel"
          flow={close}
          onSubmit={() => close.run({ ...call, functionName: 'terminate' })}
        >
          <p className="action-text">
            Ends the channel at once. A pending redemption is void, so complete it first; both sides then
            withdraw their funds.
          </p>
        </ActionCard>
      </div>
    </div>
  )
  return (
    <div className="channel-actions" data-testid="channel-actions" data-role={role} data-live={live.live}>
      <p className="action-role" data-testid="action-role">
        {ROLE_TEXT[role]}
        {account && role !== 'none' && (
          <span className="muted"> ({shortAddress(account.toLowerCase())})</span>
        )}
      </p>
      {role === 'provider' ? [providerSide, consumerSide] : [consumerSide, providerSide]}
    </div>
  )
}
