import type { Address } from 'viem'
import { type ChannelState, channelPhase, expiringWindowClosesAt } from '../../channel'
import { ConflictError } from '../../errors'
import { type Refused, refuse } from './verify/verifyOutcome'

/**
 * Whether a channel in `state` takes tokens of `tokenId` now: the channel is neither terminated
 * nor terminating, and the token ID is the active one, or the expiring one within its tolerance
 * window ({@link expiringWindowClosesAt}). The refusal, or null when it does.
 *
 * @example checkTokenWindow({ tokenId: 1n, channel, state, toleranceSeconds: 30, now: channelStates.now }) // null: active
 */
export function checkTokenWindow({
  tokenId,
  channel,
  state,
  toleranceSeconds,
  now,
}: {
  tokenId: bigint
  channel: { address: Address; redemptionTimeout: bigint }
  state: Pick<
    ChannelState,
    'terminated' | 'terminatesAt' | 'activeTokenId' | 'expiringTokenId' | 'redeemableAt' | 'lastTokenId'
  >
  toleranceSeconds: number
  /** The chain's time (unix seconds); read only for the expiring token ID. */
  now: () => number
}): Refused | null {
  if (state.terminated) return refuse('channel_terminated', `Channel ${channel.address} is terminated.`)
  if (state.terminatesAt !== 0n) {
    return refuse(
      'channel_terminating',
      `Channel ${channel.address} is being terminated; no new requests are accepted.`,
    )
  }
  if (tokenId === state.activeTokenId) return null
  if (state.expiringTokenId !== 0n && tokenId === state.expiringTokenId) {
    const closesAt = expiringWindowClosesAt({
      redeemableAt: state.redeemableAt,
      redemptionTimeout: channel.redemptionTimeout,
      toleranceSeconds,
    })
    if (now() < Number(closesAt)) return null
    return refuse(
      'token_expired',
      `Token ID ${tokenId} is being redeemed and its tolerance window has closed.`,
    )
  }
  if (tokenId > state.lastTokenId) {
    return refuse('token_id_unknown', `Token ID ${tokenId} was never issued on channel ${channel.address}.`)
  }
  return refuse('token_expired', `Token ID ${tokenId} of channel ${channel.address} is no longer active.`)
}

/**
 * The token ID a consumer issues tokens of: the channel's active one; a terminated or
 * terminating channel (no active token ID) takes no new tokens, with a 409 refusal thrown.
 *
 * @example issuableTokenId({ address: channel, state: { ...state, activeTokenId: 2n } }) // 2n
 */
export function issuableTokenId({
  address,
  state,
}: {
  address: Address | string
  state: Pick<ChannelState, 'terminated' | 'terminatesAt' | 'expiringTokenId' | 'activeTokenId'>
}): bigint {
  const phase = channelPhase(state)
  if (phase === 'terminated' || phase === 'terminating' || state.activeTokenId === 0n) {
    throw new ConflictError({
      code: phase === 'terminated' ? 'channel_terminated' : 'channel_terminating',
      message: `Channel ${address} is ${phase === 'terminated' ? 'terminated' : 'being terminated'}; open a new one.`,
    })
  }
  return state.activeTokenId
}
