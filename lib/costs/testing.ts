import type { CostEdge } from './attribution'
import type { Fraction } from './fraction'

/*
 * Shorthands of the attribution tests (attribution*.test.ts).
 */

/** An expected fraction, written out literally (already reduced). */
export const F = (num: bigint, den = 1n): Fraction => ({ num, den })

/** The edge of `consumer` paying `provider` `amount` for `requests`. */
export const edge = (consumer: string, provider: string, requests: bigint, amount: bigint): CostEdge => ({
  consumer,
  provider,
  requests,
  amount,
})
