import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChannelTestbed, startChannelTestbed } from '../../test/kit/testbed'
import type { Actor, Op } from './model'
import { opArb, opsArb, setupArb } from './modelOps'
import { createSequenceRunner } from './modelRun'

/*
 * Model-based property tests: random sequences of operations by the consumer, the provider and
 * a stranger run against a channel and against a TypeScript model of the contract (model.ts).
 * After every step the contract's state must equal the model's, every outcome (custom error with
 * arguments, or events) must be the predicted one, and the money invariants must hold
 * (modelRun.ts).
 */

let t: ChannelTestbed
let runSequence: ReturnType<typeof createSequenceRunner>
beforeAll(async () => {
  t = await startChannelTestbed()
  runSequence = createSequenceRunner(t)
})
afterAll(() => t?.stop())

describe('Intermediary model-based properties', () => {
  it('random operation sequences keep the contract equal to the model and money conserved', async () => {
    await fc.assert(
      fc.asyncProperty(setupArb, opsArb, (setup, ops) => runSequence(setup, ops)),
      { numRuns: 35 },
    )
  })

  it('sequences that reach redemptions and termination keep the invariants', async () => {
    // A scripted skeleton (redeem cycles, then termination) with random amounts and actors mixed in,
    // so the late phases are always exercised, not only when random sequences happen to get there.
    const cycle = fc.tuple(
      fc.constant<Op>({ kind: 'startRedemption', by: 'provider', fresh: true, pick: 0 }),
      opArb,
      fc.constant<Op>({ kind: 'advance', to: 'redeemableAt', percent: 0, offset: 0 }),
      fc.record({
        kind: fc.constant('redeem' as const),
        by: fc.constant('provider' as const),
        requests: fc.bigInt(0n, 40n),
        signer: fc.constant('consumer' as const),
        signature: fc.constant('valid' as const),
      }),
      fc.record({
        kind: fc.constant('withdraw' as const),
        by: fc.constantFrom<Actor>('provider', 'consumer'),
      }),
    )
    const ending = fc.tuple(
      fc.constant<Op>({ kind: 'startTermination', by: 'consumer' }),
      opArb,
      fc.constant<Op>({ kind: 'advance', to: 'terminatesAt', percent: 0, offset: 0 }),
      fc.record({
        kind: fc.constant('terminate' as const),
        by: fc.constantFrom<Actor>('consumer', 'provider'),
      }),
      fc.constant<Op>({ kind: 'withdraw', by: 'consumer' }),
      fc.constant<Op>({ kind: 'withdraw', by: 'provider' }),
    )
    const scripted = fc
      .tuple(fc.array(cycle, { minLength: 1, maxLength: 3 }), ending)
      .map(([cycles, end]) => [...cycles.flat(), ...end])
    await fc.assert(
      fc.asyncProperty(setupArb, scripted, (setup, ops) => runSequence(setup, ops)),
      { numRuns: 15 },
    )
  })

  it('the properties catch a model that deviates from the contract', async () => {
    // Guards the test itself: a wrong model (no cap on redeem, the last token ID reusable, redeem
    // only after redeemableAt) must fail.
    for (const mutation of ['noCap', 'reuseLastTokenId', 'redeemAfterRedeemableAt'] as const) {
      const result = await fc.check(
        fc.asyncProperty(setupArb, opsArb, (setup, ops) => runSequence(setup, ops, mutation)),
        { numRuns: 100, endOnFailure: true },
      )
      expect({ mutation, failed: result.failed }).toEqual({ mutation, failed: true })
    }
  })
})
