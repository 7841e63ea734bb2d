import fc from 'fast-check'
import { type Address, concat, type Hex, maxUint256, numberToHex } from 'viem'
import { signTokenNative } from '../../lib/server/tokenCrypto'
import { SECP256K1_N } from '../../packages/payment-client/src/token'
import { ACTORS, type Actor, type Call, type Model, type Op, type Setup } from './model'

/*
 * The random side of the model-based property tests (properties.test.ts): generators of channel
 * terms and operation sequences, and the resolution of an operation's random choices into a call.
 */

/** Mostly `main`, sometimes someone else. */
const actorMostly = (main: Actor) =>
  fc.oneof(
    { arbitrary: fc.constant(main), weight: 5 },
    { arbitrary: fc.constantFrom(...ACTORS.filter((a) => a !== main)), weight: 1 },
  )

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('deposit' as const),
      by: actorMostly('consumer'),
      amount: fc.oneof(
        { arbitrary: fc.constant(0n), weight: 1 },
        { arbitrary: fc.bigInt(1n, 20_000n), weight: 6 },
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('startRedemption' as const),
      by: actorMostly('provider'),
      fresh: fc.oneof(
        { arbitrary: fc.constant(true), weight: 4 },
        { arbitrary: fc.constant(false), weight: 1 },
      ),
      pick: fc.nat(1_000),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('redeem' as const),
      by: actorMostly('provider'),
      requests: fc.oneof(
        { arbitrary: fc.constant(0n), weight: 1 },
        { arbitrary: fc.bigInt(1n, 40n), weight: 4 },
        { arbitrary: fc.constant(maxUint256), weight: 1 },
      ),
      signer: actorMostly('consumer'),
      signature: fc.oneof(
        { arbitrary: fc.constant('valid' as const), weight: 8 },
        {
          arbitrary: fc.constantFrom('otherTokenId' as const, 'highS' as const, 'garbage' as const),
          weight: 2,
        },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('withdraw' as const), by: actorMostly('provider') }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      to: fc.constantFrom('free' as const, 'redeemableAt' as const, 'terminatesAt' as const),
      percent: fc.integer({ min: 0, max: 300 }),
      offset: fc.integer({ min: -1, max: 1 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('startTermination' as const), by: actorMostly('consumer') }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('terminate' as const), by: fc.constantFrom(...ACTORS) }),
  },
)

export const setupArb: fc.Arbitrary<Setup> = fc.record({
  cost: fc.constantFrom(1n, 7n, 1_000n),
  redemptionTimeout: fc.bigInt(1n, 100n),
  extraTermination: fc.oneof(fc.constant(0n), fc.bigInt(1n, 100n)),
  initial: fc.oneof(fc.constant(0n), fc.bigInt(1n, 20_000n)),
})

/** A redeem cycle the random ops could rarely assemble: start, wait out the timeout, redeem. */
const redeemCycleArb: fc.Arbitrary<Op[]> = fc.tuple(
  fc.record({
    kind: fc.constant('startRedemption' as const),
    by: fc.constant('provider' as const),
    fresh: fc.constant(true),
    pick: fc.nat(1_000),
  }),
  fc.record({
    kind: fc.constant('advance' as const),
    to: fc.constant('redeemableAt' as const),
    percent: fc.constant(0),
    offset: fc.integer({ min: -1, max: 1 }),
  }),
  fc.record({
    kind: fc.constant('redeem' as const),
    by: fc.constant('provider' as const),
    requests: fc.oneof(fc.bigInt(0n, 40n), fc.constant(maxUint256)),
    signer: fc.constant('consumer' as const),
    signature: fc.constant('valid' as const),
  }),
)

/** Up to ~25 operations: random single operations mixed with redeem cycles. */
export const opsArb: fc.Arbitrary<Op[]> = fc
  .array(
    fc.oneof({ arbitrary: opArb.map((op) => [op]), weight: 4 }, { arbitrary: redeemCycleArb, weight: 1 }),
    { minLength: 1, maxLength: 15 },
  )
  .map((chunks) => chunks.flat().slice(0, 25))

/** The high-s twin of a low-s signature: s' = n - s, v flipped; plain ecrecover accepts it. */
function highS(signature: Hex): Hex {
  const s = BigInt(`0x${signature.slice(66, 130)}`)
  const v = Number.parseInt(signature.slice(130, 132), 16)
  return concat([
    `0x${signature.slice(2, 66)}`,
    numberToHex(SECP256K1_N - s, { size: 32 }),
    numberToHex(v === 27 ? 28 : 27, { size: 1 }),
  ])
}

/** Resolves an operation's random choices against the model; tokens are signed with `keys` for `chainId`. */
export function resolve(
  op: Exclude<Op, { kind: 'advance' }>,
  m: Model,
  channel: Address,
  { keys, chainId }: { keys: Record<Actor, Hex>; chainId: number },
): Call {
  switch (op.kind) {
    case 'deposit':
      return { fn: 'deposit', by: op.by, value: op.amount }
    case 'startRedemption': {
      if (op.fresh)
        return { fn: 'startRedemption', by: op.by, newTokenId: m.lastTokenId + BigInt((op.pick % 5) + 1) }
      // Half the time the boundary (the last ID itself), else 0, 1 or any older ID.
      const older = [0n, 1n, BigInt(op.pick) % (m.lastTokenId + 1n)][op.pick % 3]!
      return { fn: 'startRedemption', by: op.by, newTokenId: op.pick % 2 === 0 ? m.lastTokenId : older }
    }
    case 'redeem': {
      const expiring = m.expiringTokenId === 0n ? 1n : m.expiringTokenId
      const tokenId = op.signature === 'otherTokenId' ? expiring + 1n : expiring
      const signed = signTokenNative({
        privateKey: keys[op.signer],
        chainId,
        channel,
        tokenId,
        requests: op.requests,
      }).signature
      const signature =
        op.signature === 'highS'
          ? highS(signed)
          : op.signature === 'garbage'
            ? (`0x${'ab'.repeat(65)}` as Hex)
            : signed
      return {
        fn: 'redeem',
        by: op.by,
        requests: op.requests,
        signature,
        validSignature: op.signer === 'consumer' && op.signature === 'valid',
      }
    }
    default:
      return { fn: op.kind, by: op.by }
  }
}

/** A call's arguments and value as the contract takes them. */
export function callArgs(call: Call): { args: readonly unknown[]; value?: bigint } {
  switch (call.fn) {
    case 'deposit':
      return { args: [], value: call.value }
    case 'startRedemption':
      return { args: [call.newTokenId] }
    case 'redeem':
      return { args: [call.requests, call.signature] }
    default:
      return { args: [] }
  }
}
