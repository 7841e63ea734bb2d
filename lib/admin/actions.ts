import type { Address } from 'viem'
import type { ChannelState } from '../channel'
import { contractErrorSentence } from '../contractErrors'

/** What a party can do to a channel from the dashboard, in the order shown; each is one contract call. */
export const channelActionIds = [
  'deposit',
  'startRedemption',
  'redeem',
  'withdraw',
  'startTermination',
  'terminate',
] as const
export type ChannelActionId = (typeof channelActionIds)[number]

export type Role = 'consumer' | 'provider' | 'stranger' | 'none'

export type ActionAvailability = {
  id: ChannelActionId
  /** Why it cannot be done now, in words; null when it can. */
  reason: string | null
  /** Unix time (chain clock) from which it becomes possible, when only time stands in the way. */
  dueAt: bigint | null
}

export type ActionState = Pick<
  ChannelState,
  | 'consumer'
  | 'provider'
  | 'consumerFunds'
  | 'providerFunds'
  | 'activeTokenId'
  | 'expiringTokenId'
  | 'redeemableAt'
  | 'terminatesAt'
  | 'terminated'
>

/** The connected account's role in the channel. */
export function roleOf(
  state: Pick<ActionState, 'consumer' | 'provider'>,
  account: Address | null | undefined,
): Role {
  if (!account) return 'none'
  const a = account.toLowerCase()
  if (a === state.consumer.toLowerCase()) return 'consumer'
  if (a === state.provider.toLowerCase()) return 'provider'
  return 'stranger'
}

/**
 * Which of the channel's actions the connected account can take now, mirroring the contract's
 * checks in the order it makes them, so a disabled button gives the reason the transaction would
 * revert with. `now` is the chain's time (the latest block's timestamp), since that is what the
 * contract compares deadlines with. The transaction is still simulated before it is sent.
 * @example channelActions({ state, account, now }).find((a) => a.id === 'redeem')?.reason
 */
export function channelActions({
  state,
  account,
  now,
}: {
  state: ActionState
  account: Address | null | undefined
  now: bigint
}): ActionAvailability[] {
  const role = roleOf(state, account)
  const ok = (id: ChannelActionId): ActionAvailability => ({ id, reason: null, dueAt: null })
  const no = (id: ChannelActionId, reason: string, dueAt: bigint | null = null): ActionAvailability => ({
    id,
    reason,
    dueAt,
  })
  if (role === 'none') return channelActionIds.map((id) => no(id, 'Connect a wallet to act on this channel.'))
  if (role === 'stranger') {
    return channelActionIds.map((id) =>
      no(
        id,
        `The connected account is neither this channel's consumer nor its provider. ${contractErrorSentence('NotParty')}`,
      ),
    )
  }
  const terminated = state.terminated ? contractErrorSentence('AlreadyTerminated') : null
  const terminating = state.terminatesAt !== 0n

  const deposit = (): ActionAvailability => {
    if (role !== 'consumer') return no('deposit', contractErrorSentence('NotConsumer'))
    if (terminated) return no('deposit', terminated)
    if (terminating) return no('deposit', contractErrorSentence('TerminationAlreadyStarted'))
    return ok('deposit')
  }
  const startRedemption = (): ActionAvailability => {
    if (role !== 'provider') return no('startRedemption', contractErrorSentence('NotProvider'))
    if (terminated) return no('startRedemption', terminated)
    if (state.expiringTokenId !== 0n) {
      return no('startRedemption', contractErrorSentence('RedemptionPending', [state.expiringTokenId]))
    }
    if (state.activeTokenId === 0n) return no('startRedemption', contractErrorSentence('NoActiveToken'))
    return ok('startRedemption')
  }
  const redeem = (): ActionAvailability => {
    if (role !== 'provider') return no('redeem', contractErrorSentence('NotProvider'))
    if (terminated) return no('redeem', terminated)
    if (state.expiringTokenId === 0n) return no('redeem', contractErrorSentence('NoRedemptionPending'))
    if (now < state.redeemableAt) {
      return no('redeem', contractErrorSentence('RedemptionNotDue', [state.redeemableAt]), state.redeemableAt)
    }
    return ok('redeem')
  }
  const withdraw = (): ActionAvailability => {
    if (role === 'provider') {
      return state.providerFunds === 0n
        ? no('withdraw', contractErrorSentence('NothingToWithdraw'))
        : ok('withdraw')
    }
    // Not a matter of time alone: after the deadline someone still has to terminate.
    if (!state.terminated) return no('withdraw', contractErrorSentence('NotTerminated'))
    return state.consumerFunds === 0n
      ? no('withdraw', contractErrorSentence('NothingToWithdraw'))
      : ok('withdraw')
  }
  const startTermination = (): ActionAvailability => {
    if (role !== 'consumer') return no('startTermination', contractErrorSentence('NotConsumer'))
    if (terminated) return no('startTermination', terminated)
    if (terminating) return no('startTermination', contractErrorSentence('TerminationAlreadyStarted'))
    return ok('startTermination')
  }
  const terminate = (): ActionAvailability => {
    if (terminated) return no('terminate', terminated)
    if (role === 'provider') return ok('terminate')
    if (!terminating) return no('terminate', contractErrorSentence('TerminationNotStarted'))
    if (now < state.terminatesAt) {
      return no(
        'terminate',
        contractErrorSentence('TerminationNotDue', [state.terminatesAt]),
        state.terminatesAt,
      )
    }
    return ok('terminate')
  }
  return [deposit(), startRedemption(), redeem(), withdraw(), startTermination(), terminate()]
}
