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
/**
 * What only a version 2 channel (IntermediaryV2) can do besides: announce a new price table
 * with a redemption start, and redeem and start the next redemption in one transaction.
 */
export const channelActionIdsV2 = [
  ...channelActionIds,
  'startRedemptionWithPrices',
  'redeemAndStartRedemption',
] as const
export type ChannelActionId = (typeof channelActionIdsV2)[number]

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
> & {
  /** 2: an IntermediaryV2 channel (its actions include channelActionIdsV2's); absent: 1. */
  contractVersion?: number
}

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
 * contract compares deadlines with. The transaction is still simulated before it is sent. A
 * version 2 channel has two more ({@link channelActionIdsV2}) by the same rules, plus one of
 * IntermediaryV2's: no new prices once termination has started (no new token ID would take
 * them); a new table's length and prices are the input's to check (./priceTable).
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
  const ids = state.contractVersion === 2 ? channelActionIdsV2 : channelActionIds
  const ok = (id: ChannelActionId): ActionAvailability => ({ id, reason: null, dueAt: null })
  const no = (id: ChannelActionId, reason: string, dueAt: bigint | null = null): ActionAvailability => ({
    id,
    reason,
    dueAt,
  })
  if (role === 'none') return ids.map((id) => no(id, 'Connect a wallet to act on this channel.'))
  if (role === 'stranger') {
    return ids.map((id) =>
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
  const startRedemption = (id: ChannelActionId = 'startRedemption'): ActionAvailability => {
    if (role !== 'provider') return no(id, contractErrorSentence('NotProvider'))
    if (terminated) return no(id, terminated)
    if (state.expiringTokenId !== 0n) {
      return no(id, contractErrorSentence('RedemptionPending', [state.expiringTokenId]))
    }
    if (state.activeTokenId === 0n) return no(id, contractErrorSentence('NoActiveToken'))
    return ok(id)
  }
  const startRedemptionWithPrices = (): ActionAvailability => {
    const start = startRedemption('startRedemptionWithPrices')
    if (start.reason !== null || !terminating) return start
    return no('startRedemptionWithPrices', contractErrorSentence('TerminationAlreadyStarted'))
  }
  const redeem = (id: ChannelActionId = 'redeem'): ActionAvailability => {
    if (role !== 'provider') return no(id, contractErrorSentence('NotProvider'))
    if (terminated) return no(id, terminated)
    if (state.expiringTokenId === 0n) return no(id, contractErrorSentence('NoRedemptionPending'))
    if (now < state.redeemableAt) {
      return no(id, contractErrorSentence('RedemptionNotDue', [state.redeemableAt]), state.redeemableAt)
    }
    return ok(id)
  }
  /** redeem's checks, then startRedemption's on the state redeem leaves (no redemption pending). */
  const redeemAndStart = (): ActionAvailability => {
    const first = redeem('redeemAndStartRedemption')
    if (first.reason !== null) return first
    if (state.activeTokenId === 0n)
      return no('redeemAndStartRedemption', contractErrorSentence('NoActiveToken'))
    return first
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
  const v1 = [deposit(), startRedemption(), redeem(), withdraw(), startTermination(), terminate()]
  return state.contractVersion === 2 ? [...v1, startRedemptionWithPrices(), redeemAndStart()] : v1
}
