import type { Party } from '../../../test/kit/testbed'
import type { V2State } from './testbed'
import { tokenValue } from './token'

/*
 * A TypeScript model of IntermediaryV2 for its model-based property test
 * (IntermediaryV2.properties.test.ts): predict() says what the contract must do for a call,
 * revert with a custom error and its arguments, or move to the next state (and pay whom).
 */

export type Model = V2State & {
  /** The price table of each version, version 0 the opening one. */
  tables: bigint[][]
}

export type Terms = { redemptionTimeout: bigint; terminationTimeout: bigint; categories: number }

/**
 * A channel call as the model sees it; `valid` says whether the signature is the consumer's for
 * the token: its ID, the `prices` passed and its counts (a token signed at other prices is not).
 */
export type ModelCall =
  | { fn: 'deposit'; by: Party; value: bigint }
  | { fn: 'startRedemption'; by: Party; prices: bigint[] | null }
  /** `andStart`: redeemAndStartRedemption, a redeem and then a start at unchanged prices. */
  | { fn: 'redeem'; by: Party; requests: bigint[]; prices: bigint[]; valid: boolean; andStart?: boolean }
  | { fn: 'withdraw' | 'startTermination' | 'terminate'; by: Party }

export type Outcome =
  | { error: { name: string; args: unknown[] } }
  | { next: Model; pays?: { to: Party; amount: bigint }; earned?: bigint; redeemed?: bigint }

/** Deliberately wrong models, to prove that the properties catch a deviation. */
export type Mutation = 'expiringAtActivePrices' | 'noCap' | 'changeWhileTerminating'

const fail = (name: string, args: unknown[] = []): Outcome => ({ error: { name, args } })
const same = (a: readonly bigint[], b: readonly bigint[]) =>
  a.length === b.length && a.every((x, i) => x === b[i])
const U128 = (1n << 128n) - 1n

/** The model of a channel just opened with `prices` and `value`. */
export function openedModel(prices: bigint[], value: bigint): Model {
  return {
    consumerFunds: value,
    providerFunds: 0n,
    activeTokenId: 1n,
    expiringTokenId: 0n,
    lastTokenId: 1n,
    redeemableAt: 0n,
    terminatesAt: 0n,
    terminated: false,
    activeVersion: 0n,
    expiringVersion: 0n,
    tables: [prices],
  }
}

/**
 * What the channel's views report in state `m`: as `priceVersions()`, a price version only for
 * an ID that is active or expiring (0 otherwise), while the model keeps the last one for its rules.
 */
export function observed({ tables: _, ...m }: Model): V2State {
  return {
    ...m,
    activeVersion: m.activeTokenId === 0n ? 0n : m.activeVersion,
    expiringVersion: m.expiringTokenId === 0n ? 0n : m.expiringVersion,
  }
}

/** What the contract must do for `call` at time `now`. */
export function predict(m: Model, call: ModelCall, now: bigint, terms: Terms, mutation?: Mutation): Outcome {
  if (call.fn === 'redeem' && call.andStart) {
    const redeemed = predict(m, { ...call, andStart: false }, now, terms, mutation)
    if ('error' in redeemed) return redeemed
    const started = predict(
      redeemed.next,
      { fn: 'startRedemption', by: call.by, prices: null },
      now,
      terms,
      mutation,
    )
    return 'error' in started ? started : { ...redeemed, next: started.next }
  }
  const by = call.by
  switch (call.fn) {
    case 'deposit': {
      if (by !== 'consumer') return fail('NotConsumer')
      if (m.terminated) return fail('AlreadyTerminated')
      if (m.terminatesAt !== 0n) return fail('TerminationAlreadyStarted')
      if (call.value === 0n) return fail('ZeroDeposit')
      if (m.consumerFunds + m.providerFunds + call.value > U128) return fail('FundsOverflow')
      return { next: { ...m, consumerFunds: m.consumerFunds + call.value } }
    }
    case 'startRedemption': {
      if (by !== 'provider') return fail('NotProvider')
      if (m.terminated) return fail('AlreadyTerminated')
      if (m.expiringTokenId !== 0n) return fail('RedemptionPending', [m.expiringTokenId])
      if (m.activeTokenId === 0n) return fail('NoActiveToken')
      const terminating = m.terminatesAt !== 0n
      if (call.prices) {
        if (terminating && mutation !== 'changeWhileTerminating') return fail('TerminationAlreadyStarted')
        if (call.prices.length !== terms.categories)
          return fail('CategoryCountMismatch', [BigInt(terms.categories), BigInt(call.prices.length)])
        const zero = call.prices.indexOf(0n)
        if (zero >= 0) return fail('ZeroPrice', [BigInt(zero)])
      }
      const moved = {
        ...m,
        expiringTokenId: m.activeTokenId,
        expiringVersion: m.activeVersion,
        redeemableAt: now + terms.redemptionTimeout,
      }
      if (terminating) return { next: { ...moved, activeTokenId: 0n } }
      const activeVersion = call.prices ? m.activeVersion + 1n : m.activeVersion
      return {
        next: {
          ...moved,
          activeTokenId: m.lastTokenId + 1n,
          lastTokenId: m.lastTokenId + 1n,
          activeVersion,
          tables: call.prices ? [...m.tables, call.prices] : m.tables,
        },
      }
    }
    case 'redeem': {
      if (by !== 'provider') return fail('NotProvider')
      if (m.terminated) return fail('AlreadyTerminated')
      if (m.expiringTokenId === 0n) return fail('NoRedemptionPending')
      if (now < m.redeemableAt) return fail('RedemptionNotDue', [m.redeemableAt])
      let amount = 0n
      if (call.requests.length !== 0) {
        if (call.requests.length !== terms.categories)
          return fail('CategoryCountMismatch', [BigInt(terms.categories), BigInt(call.requests.length)])
        const version = mutation === 'expiringAtActivePrices' ? m.activeVersion : m.expiringVersion
        if (!same(call.prices, m.tables[Number(version)]!)) return fail('WrongPrices', [m.expiringTokenId])
        if (!call.valid) return fail('InvalidSignature')
        const cap = mutation === 'noCap' ? 2n ** 512n : m.consumerFunds
        amount = tokenValue(call.requests, call.prices, cap)
      }
      return {
        next: {
          ...m,
          consumerFunds: m.consumerFunds - amount,
          providerFunds: m.providerFunds + amount,
          expiringTokenId: 0n,
          redeemableAt: 0n,
        },
        earned: amount,
        redeemed: m.expiringTokenId,
      }
    }
    case 'withdraw': {
      if (by === 'stranger') return fail('NotParty')
      if (by === 'consumer' && !m.terminated) return fail('NotTerminated')
      const amount = by === 'provider' ? m.providerFunds : m.consumerFunds
      if (amount === 0n) return fail('NothingToWithdraw')
      const next = by === 'provider' ? { ...m, providerFunds: 0n } : { ...m, consumerFunds: 0n }
      return { next, pays: { to: by, amount } }
    }
    case 'startTermination': {
      if (by !== 'consumer') return fail('NotConsumer')
      if (m.terminated) return fail('AlreadyTerminated')
      if (m.terminatesAt !== 0n) return fail('TerminationAlreadyStarted')
      return { next: { ...m, terminatesAt: now + terms.terminationTimeout } }
    }
    case 'terminate': {
      if (m.terminated) return fail('AlreadyTerminated')
      if (by === 'consumer') {
        if (m.terminatesAt === 0n) return fail('TerminationNotStarted')
        if (now < m.terminatesAt) return fail('TerminationNotDue', [m.terminatesAt])
      } else if (by !== 'provider') {
        return fail('NotParty')
      }
      return { next: { ...m, terminated: true, activeTokenId: 0n, expiringTokenId: 0n, redeemableAt: 0n } }
    }
  }
}
