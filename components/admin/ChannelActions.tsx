'use client'

import type { Address } from 'viem'
import { useConnection } from 'wagmi'
import { type ActionAvailability, type ChannelActionId, channelActions, roleOf } from '@/lib/admin/actions'
import { contractErrorSentence } from '@/lib/contractErrors'
import type { ChannelSummary } from '@/lib/explorer/api'
import { shortAddress } from '@/lib/explorer/format'
import { useWalletChain } from '../wallet/WalletProvider'
import { ActionCard } from './ActionCard'
import type { Side } from './channelAction'
import { channelActionTable } from './channelActionTable'
import { useLiveChannel } from './useLiveChannel'

const ROLE_TEXT = {
  none: 'Connect a wallet to act on this channel.',
  stranger: 'The connected account is not a party of this channel: it can only watch.',
  consumer: 'You are the consumer of this channel (you pay).',
  provider: 'You are the provider of this channel (you are paid).',
} as const

const SIDE_TITLE = { consumer: 'Consumer', provider: 'Provider' } as const

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
  const ctx = { state, role, chainId }
  const common = { now, blockTimeSeconds, hideReason: role === 'none' || role === 'stranger' }

  const group = (side: Side) => (
    <div key={side} className="action-side" data-testid={`actions-${side}`}>
      <h3 className="action-group">{SIDE_TITLE[side]}</h3>
      <div className="grid action-grid">
        {channelActionTable
          .filter((action) => action.side === side)
          .map((action) => (
            <ActionCard
              key={action.testId}
              action={action}
              ctx={ctx}
              channel={summary.address as Address}
              availability={on(side, action.availability)}
              {...common}
            />
          ))}
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
      {role === 'provider' ? [group('provider'), group('consumer')] : [group('consumer'), group('provider')]}
    </div>
  )
}
