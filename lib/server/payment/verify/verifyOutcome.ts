import type { Address } from 'viem'

/**
 * A token the provider accepted: the channel, its token ID and count, and what it pays (wei);
 * on a version 2 channel, the index of the category charged (the count is that category's).
 */
export type Accepted = {
  accepted: true
  channel: Address
  tokenId: bigint
  requests: bigint
  value: bigint
  category?: number
  /**
   * The channel's consumer: who paid for the request. A service that calls others on its behalf
   * names it as their origin (exact transitive tracing, thesis 3.4).
   */
  consumer?: Address
}
/** A token refused, with the HTTP status, code and sentence of its answer (and a 429's Retry-After). */
export type Refused = {
  accepted: false
  status: number
  code: string
  message: string
  retryAfterSeconds?: number
}
/** The verifier's answer for one token. */
export type VerifyOutcome = Accepted | Refused

/** A refusal; 402 unless another status is given. */
export const refuse = (code: string, message: string, status = 402): Refused => ({
  accepted: false,
  status,
  code,
  message,
})

/** An accepted outcome with its channel's consumer (a refusal as it is). */
export const withConsumer = (outcome: VerifyOutcome, channel: { consumer: Address }): VerifyOutcome =>
  outcome.accepted ? { ...outcome, consumer: channel.consumer.toLowerCase() as Address } : outcome
