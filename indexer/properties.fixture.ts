import fc from 'fast-check'
import { type Address, parseEventLogs, type TransactionReceipt } from 'viem'
import { intermediaryAbi } from '../contracts/generated'

/*
 * The operations the indexer's property test (properties.test.ts) runs on anvil, their
 * arbitraries, and the totals a channel's receipts add up to.
 */

export type Role = 'consumer' | 'provider' | 'stranger'

export type Op =
  | { kind: 'open'; pair: number; value: bigint; cost: bigint; timeout: bigint; extra: bigint }
  | { kind: 'deposit'; ch: number; by: Role; amount: bigint }
  | { kind: 'startRedemption'; ch: number; by: Role; fresh: boolean; step: number }
  | {
      kind: 'redeem'
      ch: number
      by: Role
      token: 'valid' | 'overfunded' | 'zero' | 'wrongSigner'
      requests: bigint
    }
  | { kind: 'withdraw' | 'startTermination' | 'terminate'; ch: number; by: Role }
  | { kind: 'advance'; seconds: number }
  /** syncToHead(), then check; `restart` indexes with a new Indexer on the same database. */
  | { kind: 'index'; restart: boolean }

export type Setup = { maxBlockRange: number; maxBlocksPerRange: number; targetLogs: number }

/** Consumer and provider (account indexes) of the channels a run can open; account 5 is the stranger. */
export const PAIRS = [
  [1, 2],
  [2, 1],
  [3, 4],
  [1, 3],
] as const
export const STRANGER = 5

const ch = fc.nat(3)
const roleMostly = (main: Role) =>
  fc.oneof(
    { arbitrary: fc.constant(main), weight: 6 },
    { arbitrary: fc.constantFrom<Role>('consumer', 'provider', 'stranger'), weight: 1 },
  )

const openArb = fc.record({
  kind: fc.constant('open' as const),
  pair: fc.nat(PAIRS.length - 1),
  value: fc.oneof(fc.constant(0n), fc.bigInt(1n, 50_000n)),
  cost: fc.constantFrom(1n, 7n, 1_000n),
  timeout: fc.bigInt(1n, 30n),
  extra: fc.oneof(fc.constant(0n), fc.bigInt(1n, 60n)),
})

const indexArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constant('index' as const),
  restart: fc.oneof(
    { arbitrary: fc.constant(false), weight: 3 },
    { arbitrary: fc.constant(true), weight: 1 },
  ),
})

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: openArb },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('deposit' as const),
      ch,
      by: roleMostly('consumer'),
      amount: fc.oneof(
        { arbitrary: fc.constant(0n), weight: 1 },
        { arbitrary: fc.bigInt(1n, 20_000n), weight: 6 },
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('startRedemption' as const),
      ch,
      by: roleMostly('provider'),
      fresh: fc.oneof(
        { arbitrary: fc.constant(true), weight: 5 },
        { arbitrary: fc.constant(false), weight: 1 },
      ),
      step: fc.integer({ min: 1, max: 5 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('redeem' as const),
      ch,
      by: roleMostly('provider'),
      token: fc.constantFrom(
        'valid' as const,
        'valid' as const,
        'overfunded' as const,
        'zero' as const,
        'wrongSigner' as const,
      ),
      requests: fc.bigInt(1n, 40n),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('withdraw' as const),
      ch,
      by: fc.constantFrom<Role>('provider', 'provider', 'consumer', 'stranger'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('startTermination' as const), ch, by: roleMostly('consumer') }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('terminate' as const),
      ch,
      by: fc.constantFrom<Role>('consumer', 'provider', 'stranger'),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      seconds: fc.integer({ min: 0, max: 120 }),
    }),
  },
)

/** A redemption that goes through: start it, wait out the timeout, redeem, maybe withdraw. */
const redeemCycleArb: fc.Arbitrary<Op[]> = ch.chain((c) =>
  fc
    .tuple(
      fc.constant<Op>({ kind: 'startRedemption', ch: c, by: 'provider', fresh: true, step: 1 }),
      fc.record({ kind: fc.constant('advance' as const), seconds: fc.integer({ min: 31, max: 60 }) }),
      fc.record({
        kind: fc.constant('redeem' as const),
        ch: fc.constant(c),
        by: fc.constant('provider' as const),
        token: fc.constantFrom('valid' as const, 'overfunded' as const, 'zero' as const),
        requests: fc.bigInt(1n, 40n),
      }),
      fc.constantFrom<Op[]>([], [{ kind: 'withdraw', ch: c, by: 'provider' }]),
    )
    .map(([start, wait, redeem, withdraw]) => [start, wait, redeem, ...withdraw]),
)

/** The end of a channel: announced termination, its deadline, terminate, both withdraw. */
const endingArb: fc.Arbitrary<Op[]> = fc
  .tuple(ch, fc.constantFrom<Role>('consumer', 'provider'), fc.integer({ min: 151, max: 200 }))
  .map(([c, by, seconds]) => [
    { kind: 'startTermination', ch: c, by: 'consumer' },
    { kind: 'advance', seconds },
    { kind: 'terminate', ch: c, by },
    { kind: 'withdraw', ch: c, by: 'consumer' },
    { kind: 'withdraw', ch: c, by: 'provider' },
  ])

/** Two channels to start with, then up to 35 operations: single ones mixed with whole cycles. */
export const opsArb = fc
  .tuple(
    openArb,
    openArb,
    fc.array(
      fc.oneof(
        { arbitrary: opArb.map((op) => [op]), weight: 5 },
        { arbitrary: redeemCycleArb, weight: 2 },
        { arbitrary: endingArb, weight: 1 },
        { arbitrary: indexArb.map((op) => [op]), weight: 2 },
      ),
      { minLength: 4, maxLength: 14 },
    ),
  )
  .map(([a, b, chunks]) => [a, b, ...chunks.flat()].slice(0, 37) as Op[])

export const setupArb: fc.Arbitrary<Setup> = fc.record({
  maxBlockRange: fc.constantFrom(1, 3, 10_000),
  maxBlocksPerRange: fc.constantFrom(1, 2, 500),
  targetLogs: fc.constantFrom(1, 5_000),
})

export type Channel = { address: Address; consumer: number; provider: number }

/** Totals of a channel as the sums of its events in the receipts (uint256 as decimal strings). */
export function totalsFromReceipts(receipts: TransactionReceipt[], channel: Address) {
  const t = {
    deposited: 0n,
    redeemed: 0n,
    requests: 0n,
    withdrawn: 0n,
    redemptions: 0,
    events: 1,
    terminatedBy: null as string | null,
  }
  for (const receipt of receipts) {
    const logs = receipt.logs.filter((l) => l.address.toLowerCase() === channel)
    for (const e of parseEventLogs({ abi: intermediaryAbi, logs })) {
      t.events += 1
      if (e.eventName === 'Deposited') t.deposited += e.args.amount
      if (e.eventName === 'Redeemed') {
        t.redeemed += e.args.amount
        t.requests += e.args.requests
        t.redemptions += 1
      }
      if (e.eventName === 'Withdrawn') t.withdrawn += e.args.amount
      if (e.eventName === 'Terminated') t.terminatedBy = e.args.by.toLowerCase()
    }
  }
  return {
    totalDeposited: t.deposited.toString(),
    totalRedeemed: t.redeemed.toString(),
    totalRequests: t.requests.toString(),
    totalWithdrawn: t.withdrawn.toString(),
    redemptions: t.redemptions,
    eventCount: t.events,
    terminatedBy: t.terminatedBy,
  }
}
