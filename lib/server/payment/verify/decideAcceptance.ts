import type { Address } from 'viem'
import type { Token } from '../../../../packages/payment-client/src/token'
import type { ChannelState } from '../../../channel'
import { acceptCount, emptyCounts, forgetMissingUpTo } from '../../../counter'
import type { AcceptanceChange, ChannelAcceptance, TokenAcceptance } from '../acceptanceStore'
import { refuse, type VerifyOutcome } from './verifyOutcome'

/** A token of one channel that passed every check but the atomic ones, with the channel's state. */
export type AcceptanceJob = {
  token: Pick<Token, 'tokenId' | 'requests' | 'signature'>
  channel: { address: Address; costPerRequest: bigint }
  snapshot: { state: Pick<ChannelState, 'activeTokenId' | 'expiringTokenId' | 'consumerFunds'> }
}

/** What {@link decideAcceptance} decided: an outcome per job, the tokens changed and all tokens after. */
type AcceptanceDecision = AcceptanceChange & {
  outcomes: VerifyOutcome[]
  /** Counts this decision forgot (by age or past the bound): requests paid for and never made. */
  forgotten: bigint
}

/**
 * The atomic checks of a batch of one channel's tokens against its acceptance state, in order,
 * each as if it came alone: the token ID is not being redeemed, the count was never accepted
 * (and the missing counts stay within `maxMissingRanges`), and the total owed with it, on the
 * active and the expiring token IDs, fits the consumer's funds. Counts still missing at or
 * below `floor(tokenId)` are forgotten first. Pure: `state` is not changed.
 *
 * @example decideAcceptance({ jobs, state, floor: () => 0n, maxMissingRanges: 1_000 }).outcomes
 */
export function decideAcceptance({
  jobs,
  state,
  floor,
  maxMissingRanges,
}: {
  jobs: readonly AcceptanceJob[]
  state: ChannelAcceptance
  /** The count at or below which a token ID's missing counts are forgotten (0n: none). */
  floor: (tokenId: bigint) => bigint
  maxMissingRanges: number
}): AcceptanceDecision {
  const working = new Map(state.tokens)
  const changed = new Map<bigint, TokenAcceptance>()
  const outcomes: VerifyOutcome[] = []
  for (const { token, snapshot, channel } of jobs) {
    let current = working.get(token.tokenId) ?? {
      counts: emptyCounts(),
      signature: token.signature,
      accepted: 0n,
      closed: false,
    }
    const kept = forgetMissingUpTo(current.counts, floor(token.tokenId))
    if (kept !== current.counts) current = { ...current, counts: kept }
    if (current.closed) {
      outcomes.push(
        refuse(
          'token_expired',
          `Token ID ${token.tokenId} is being redeemed; tokens of it are no longer accepted.`,
        ),
      )
      continue
    }
    const result = acceptCount(current.counts, token.requests, { maxMissingRanges })
    if (!result.accepted) {
      outcomes.push(
        result.reason === 'zero_requests'
          ? refuse('zero_requests', 'A token for 0 requests pays nothing and is refused.')
          : refuse(
              'count_already_accepted',
              `Request count ${token.requests} of token ID ${token.tokenId} was already accepted, or was missing too long to be remembered.`,
            ),
      )
      continue
    }
    // Owed after this one: the highest count of each token ID the chain has not redeemed yet.
    const { activeTokenId, expiringTokenId, consumerFunds } = snapshot.state
    let owedRequests = result.counts.highest
    for (const id of [activeTokenId, expiringTokenId]) {
      if (id !== 0n && id !== token.tokenId) owedRequests += working.get(id)?.counts.highest ?? 0n
    }
    if (owedRequests * channel.costPerRequest > consumerFunds) {
      outcomes.push(
        refuse(
          'insufficient_funds',
          `The channel's ${consumerFunds} wei do not cover ${owedRequests} requests at ${channel.costPerRequest} wei owed with this token.`,
        ),
      )
      continue
    }
    const next: TokenAcceptance = {
      counts: result.counts,
      signature: result.raisedHighest ? token.signature : current.signature,
      accepted: current.accepted + 1n,
      closed: false,
    }
    working.set(token.tokenId, next)
    changed.set(token.tokenId, next)
    outcomes.push({
      accepted: true,
      channel: channel.address,
      tokenId: token.tokenId,
      requests: token.requests,
      value: token.requests * channel.costPerRequest,
    })
  }
  let forgotten = 0n
  for (const [tokenId, t] of changed)
    forgotten += t.counts.forgotten - (state.tokens.get(tokenId)?.counts.forgotten ?? 0n)
  return { outcomes, changed, tokens: working, forgotten }
}
