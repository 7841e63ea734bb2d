'use client'

import type { Address } from 'viem'
import { useConnection } from 'wagmi'
import { type ActionAvailability, type ChannelActionId, channelActions, roleOf } from '@/lib/admin/actions'
import { tablesOf } from '@/lib/admin/pricing'
import { contractErrorSentence } from '@/lib/contractErrors'
import type { ChannelPricing, ChannelSummary } from '@/lib/explorer/api'
import { shortAddress } from '@/lib/explorer/format'
import { useWalletChain } from '../wallet/WalletProvider'
import { ActionCard } from './ActionCard'
import type { ActionContext, Side } from './channelAction'
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
 * clock), otherwise it says why; every transaction is simulated before the wallet is asked. A
 * version 2 channel's cards take its prices (`pricing`, the explorer's) and add the announcement
 * of a new price table.
 */
export function ChannelActions({
  summary,
  pricing = null,
  blockTimeSeconds,
}: {
  summary: ChannelSummary
  pricing?: ChannelPricing | null
  blockTimeSeconds: number | null
}) {
  const chain = useWalletChain()
  if (!chain) {
    return <p className="muted">No wallet actions: the dashboard cannot reach the chain node.</p>
  }
  return (
    <Actions summary={summary} pricing={pricing} blockTimeSeconds={blockTimeSeconds} chainId={chain.id} />
  )
}

function Actions({
  summary,
  pricing,
  blockTimeSeconds,
  chainId,
}: {
  summary: ChannelSummary
  pricing: ChannelPricing | null
  blockTimeSeconds: number | null
  chainId: number
}) {
  const { address: account } = useConnection()
  const live = useLiveChannel(summary)
  const { state, now } = live
  const version = Number(summary.contractVersion) === 2 ? 2 : 1
  const role = roleOf(state, account)
  const available = new Map(
    channelActions({ state: { ...state, contractVersion: version }, account, now: now ?? 0n }).map(
      (a) => [a.id, a] as const,
    ),
  )
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
  const ctx: ActionContext = {
    state,
    role,
    chainId,
    v2:
      version === 2
        ? {
            categories: live.v2?.categories ?? BigInt(pricing?.categories.length ?? 0),
            names: pricing?.categories.map((c) => c.name) ?? [],
            tables: pricing ? tablesOf(pricing) : [],
          }
        : null,
  }
  const common = { now, blockTimeSeconds, hideReason: role === 'none' || role === 'stranger' }

  const group = (side: Side) => (
    <div key={side} className="action-side" data-testid={`actions-${side}`}>
      <h3 className="action-group">{SIDE_TITLE[side]}</h3>
      <div className="grid action-grid">
        {channelActionTable
          .filter((action) => action.side === side && (action.versions ?? [1, 2]).includes(version))
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
