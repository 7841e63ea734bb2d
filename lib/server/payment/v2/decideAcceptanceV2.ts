import type { Hex } from 'viem'
import { type TokenV2, tokenV2Value } from '../../../../packages/payment-client/src/tokenV2'
import type { ChannelState } from '../../../channel'
import { type AcceptedCounts, acceptCount, emptyCounts } from '../../../counter'
import { refuse, type VerifyOutcome } from '../verify/verifyOutcome'

/** What a provider accepted for one token ID of a v2 channel. */
export type TokenAcceptanceV2 = {
  /** Accepted steps per category: the counts `requests[c]` accepted for category c (lib/counter). */
  steps: AcceptedCounts[]
  /** The maximum accepted token: every accepted token is at or below it, componentwise. */
  max: readonly bigint[]
  /** The token ID's price table (what the maximum is worth). */
  prices: readonly bigint[]
  /** The maximum's signature: what the runner redeems. */
  signature: Hex
  accepted: bigint
  closed: boolean
}

/** A token of one v2 channel that passed every check but the atomic ones, charged to `category`. */
export type AcceptanceJobV2 = {
  token: TokenV2
  category: number
  channel: { address: `0x${string}` }
  snapshot: { state: Pick<ChannelState, 'activeTokenId' | 'expiringTokenId' | 'consumerFunds'> }
}

/** `a ≥ b` componentwise. */
export const dominates = (a: readonly bigint[], b: readonly bigint[]): boolean =>
  a.every((x, i) => x >= (b[i] as bigint))

/**
 * The atomic checks of a batch of one v2 channel's tokens, in order, each as if it came alone:
 * the token ID is not being redeemed; the step (token ID, category, requests[category]) was
 * never accepted; the token is comparable with the ID's maximum accepted token (at or above
 * it: the new maximum; at or below it: already paid for by it); tokens neither above nor
 * below the maximum are refused `token_incomparable`: only a consumer signing two diverging
 * counts makes them, and the chain pays for one token per ID. Then the funds must cover the
 * maxima of the active and expiring IDs at their prices. Pure: `tokens` is not changed.
 */
export function decideAcceptanceV2({
  jobs,
  tokens,
  maxMissingRanges,
}: {
  jobs: readonly AcceptanceJobV2[]
  tokens: ReadonlyMap<bigint, TokenAcceptanceV2>
  maxMissingRanges: number
}): {
  outcomes: VerifyOutcome[]
  changed: Map<bigint, TokenAcceptanceV2>
  tokens: Map<bigint, TokenAcceptanceV2>
} {
  const working = new Map(tokens)
  const changed = new Map<bigint, TokenAcceptanceV2>()
  const outcomes: VerifyOutcome[] = []
  for (const { token, category, channel, snapshot } of jobs) {
    const current = working.get(token.tokenId) ?? {
      steps: token.requests.map(() => emptyCounts()),
      max: token.requests.map(() => 0n),
      prices: token.prices,
      signature: token.signature,
      accepted: 0n,
      closed: false,
    }
    if (current.closed) {
      outcomes.push(
        refuse(
          'token_expired',
          `Token ID ${token.tokenId} is being redeemed; tokens of it are no longer accepted.`,
        ),
      )
      continue
    }
    const step = token.requests[category] as bigint
    const result = acceptCount(current.steps[category] as AcceptedCounts, step, { maxMissingRanges })
    if (!result.accepted) {
      outcomes.push(
        result.reason === 'zero_requests'
          ? refuse(
              'zero_requests',
              `The token counts 0 requests of category ${category}: it pays for none of it.`,
            )
          : refuse(
              'count_already_accepted',
              `Request ${step} of category ${category} of token ID ${token.tokenId} was already accepted.`,
            ),
      )
      continue
    }
    const raises = dominates(token.requests, current.max)
    if (!raises && !dominates(current.max, token.requests)) {
      outcomes.push(
        refuse(
          'token_incomparable',
          `The token's counts (${token.requests.join(', ')}) are neither above nor below those already accepted for token ID ${token.tokenId} (${current.max.join(', ')}): the consumer signed diverging tokens.`,
        ),
      )
      continue
    }
    const max = raises ? token.requests : current.max
    const { activeTokenId, expiringTokenId, consumerFunds } = snapshot.state
    let owed = tokenV2Value(max, current.prices)
    for (const id of [activeTokenId, expiringTokenId]) {
      const other = id !== 0n && id !== token.tokenId ? working.get(id) : undefined
      if (other) owed += tokenV2Value(other.max, other.prices)
    }
    if (owed > consumerFunds) {
      outcomes.push(
        refuse(
          'insufficient_funds',
          `The channel's ${consumerFunds} wei do not cover the ${owed} wei owed with this token.`,
        ),
      )
      continue
    }
    const steps = [...current.steps]
    steps[category] = result.counts
    const next: TokenAcceptanceV2 = {
      ...current,
      steps,
      max,
      signature: raises ? token.signature : current.signature,
      accepted: current.accepted + 1n,
    }
    working.set(token.tokenId, next)
    changed.set(token.tokenId, next)
    outcomes.push({
      accepted: true,
      channel: channel.address,
      tokenId: token.tokenId,
      requests: step,
      value: current.prices[category] as bigint,
      category,
    })
  }
  return { outcomes, changed, tokens: working }
}
