import { type ChannelState, expiringWindowClosesAt } from '../../../channel'

/**
 * A transaction the runner intends to send for a channel, with the label its metrics, log and
 * `last_error` use. `redeem` first closes acceptance for the token ID, then redeems its best token.
 */
export type RunnerAction =
  | { kind: 'withdraw'; label: 'withdraw' | 'withdraw (refund)' }
  | { kind: 'terminate'; label: 'terminate' }
  | {
      kind: 'redeem'
      label: 'redeem'
      tokenId: bigint
      /** v2: start the next redemption in the same transaction (redeemAndStartRedemption). */
      alsoStart?: boolean
    }
  | {
      kind: 'startRedemption'
      label: 'startRedemption' | 'startRedemption (termination)'
      /** The token ID that becomes active (the contract checks it is the next one). */
      nextTokenId: bigint
    }
  | { kind: 'deposit'; label: 'deposit (auto-funding)'; amount: bigint }

/** The settings of {@link providerDuties}. */
export type ProviderDutySettings = {
  toleranceSeconds: number
  /** Start a redemption when the active token's first acceptance is this old... */
  redeemAfterSeconds: number
  /** ...or when its accepted value reaches this (wei). */
  redeemValue: bigint
}

/**
 * What the provider of a channel does next, from the channel's state read at `blockTimestamp`:
 * once terminated, withdraw its earnings; with a token ID expiring, redeem it once its
 * tolerance window has closed and the contract allows it; when the consumer started
 * termination, put the last token into redemption if it is worth anything, else terminate;
 * otherwise start a redemption when the active token's acceptance is old or large enough.
 * Empty when nothing is due; at most one action, as each changes what the next depends on.
 *
 * @example providerDuties({ state, blockTimestamp, now: 1_030, nowMs: Date.now(), channel, active: null, settings }) // []
 */
export function providerDuties({
  state,
  blockTimestamp,
  now,
  nowMs,
  channel,
  active,
  settings,
}: {
  state: Pick<
    ChannelState,
    | 'terminated'
    | 'providerFunds'
    | 'expiringTokenId'
    | 'redeemableAt'
    | 'terminatesAt'
    | 'activeTokenId'
    | 'lastTokenId'
  >
  /** The timestamp of the block `state` was read at (what the contract compares with). */
  blockTimestamp: bigint
  /** The chain's time now (unix seconds). */
  now: number
  /** The wall clock now (ms), for the age of the active token's first acceptance. */
  nowMs: number
  channel: { redemptionTimeout: bigint; costPerRequest: bigint }
  /**
   * What the provider accepted of the active token ID (null: nothing); unused once terminated or
   * with a token ID expiring. `value` (wei) when known as such (v2 channels: the maximum token at
   * its ID's prices), else `highest` × costPerRequest.
   */
  active: { highest: bigint; firstAcceptedAt: Date; value?: bigint } | null
  settings: ProviderDutySettings
}): RunnerAction[] {
  if (state.terminated) return state.providerFunds > 0n ? [{ kind: 'withdraw', label: 'withdraw' }] : []
  if (state.expiringTokenId !== 0n) {
    const closesAt = expiringWindowClosesAt({
      redeemableAt: state.redeemableAt,
      redemptionTimeout: channel.redemptionTimeout,
      toleranceSeconds: settings.toleranceSeconds,
    })
    if (now < Number(closesAt) || blockTimestamp < state.redeemableAt) return []
    return [{ kind: 'redeem', label: 'redeem', tokenId: state.expiringTokenId }]
  }
  const owed = active ? (active.value ?? active.highest * channel.costPerRequest) : 0n
  const nextTokenId = state.lastTokenId + 1n
  if (state.terminatesAt !== 0n) {
    // The consumer is leaving: the last token goes into redemption (no new ID is assigned).
    if (state.activeTokenId !== 0n && owed > 0n)
      return [{ kind: 'startRedemption', label: 'startRedemption (termination)', nextTokenId }]
    // Nothing left to redeem: settle now rather than wait for the consumer's deadline.
    return [{ kind: 'terminate', label: 'terminate' }]
  }
  if (!active || owed === 0n) return []
  const age = (nowMs - active.firstAcceptedAt.getTime()) / 1000
  if (age >= settings.redeemAfterSeconds || owed >= settings.redeemValue)
    return [{ kind: 'startRedemption', label: 'startRedemption', nextTokenId }]
  return []
}

/**
 * What the consumer of a channel does next: once terminated, withdraw its refund; after its
 * termination deadline, terminate; with auto-funding, deposit its amount when the funds left
 * after what was issued of the active and the expiring token IDs fall below its threshold.
 * Empty when nothing is due; at most one action.
 *
 * @example consumerDuties({ state, blockTimestamp, channel, issuedRequests: 400n }) // [{ kind: 'deposit', … }]
 */
export function consumerDuties({
  state,
  blockTimestamp,
  channel,
  issuedRequests,
  issuedValue,
}: {
  state: Pick<ChannelState, 'terminated' | 'consumerFunds' | 'terminatesAt'>
  blockTimestamp: bigint
  channel: { costPerRequest: bigint; autoFund: { threshold: bigint; amount: bigint } | null }
  /** Requests issued of the active and the expiring token IDs (read for auto-funded channels only). */
  issuedRequests: bigint
  /** What was issued of them is worth (wei), when known as such (v2: frontiers at their IDs' prices). */
  issuedValue?: bigint
}): RunnerAction[] {
  if (state.terminated)
    return state.consumerFunds > 0n ? [{ kind: 'withdraw', label: 'withdraw (refund)' }] : []
  if (state.terminatesAt !== 0n)
    return blockTimestamp >= state.terminatesAt ? [{ kind: 'terminate', label: 'terminate' }] : []
  if (!channel.autoFund) return []
  const owed = issuedValue ?? issuedRequests * channel.costPerRequest
  if (state.consumerFunds - owed < channel.autoFund.threshold)
    return [{ kind: 'deposit', label: 'deposit (auto-funding)', amount: channel.autoFund.amount }]
  return []
}
