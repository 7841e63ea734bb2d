import type { Address, Hex } from 'viem'
import type { ChannelState } from '../../lib/channel'
import type { Party } from '../../test/kit/testbed'

/*
 * A TypeScript model of Intermediary for the model-based property tests (properties.test.ts):
 * the operations random sequences are made of, and predict(), which says what the contract must
 * do for a call: revert with a custom error and its arguments, or the next state and its events.
 */

/** Who makes a call: the channel's consumer or provider, or a stranger. */
export type Actor = Party
export type SignatureKind = 'valid' | 'otherTokenId' | 'highS' | 'garbage'

export type Op =
  | { kind: 'deposit'; by: Actor; amount: bigint }
  | { kind: 'startRedemption'; by: Actor; fresh: boolean; pick: number }
  | { kind: 'redeem'; by: Actor; requests: bigint; signer: Actor; signature: SignatureKind }
  | { kind: 'withdraw'; by: Actor }
  /** Moves the clock: by a share of the redemption timeout, or to just around a deadline. */
  | { kind: 'advance'; to: 'free' | 'redeemableAt' | 'terminatesAt'; percent: number; offset: number }
  | { kind: 'startTermination'; by: Actor }
  | { kind: 'terminate'; by: Actor }

export type Setup = { cost: bigint; redemptionTimeout: bigint; extraTermination: bigint; initial: bigint }

/** The mutable part of a channel's state, as the model predicts it. */
export type Model = Pick<
  ChannelState,
  | 'consumerFunds'
  | 'providerFunds'
  | 'activeTokenId'
  | 'expiringTokenId'
  | 'redeemableAt'
  | 'lastTokenId'
  | 'terminatesAt'
  | 'terminated'
>

export type Terms = { cost: bigint; redemptionTimeout: bigint; terminationTimeout: bigint }

export type ExpectedEvent = { eventName: string; args: Record<string, unknown> }

export type Outcome =
  | { error: { name: string; args: unknown[] } }
  | { next: Model; events: ExpectedEvent[]; pays?: { to: Actor; amount: bigint } }

/** Deliberately wrong models, to prove that the properties catch a deviation. */
export type Mutation = 'noCap' | 'reuseLastTokenId' | 'redeemAfterRedeemableAt'

/** A channel call with its arguments resolved against the model's state. */
export type Call =
  | { fn: 'deposit'; by: Actor; value: bigint }
  | { fn: 'startRedemption'; by: Actor; newTokenId: bigint }
  | { fn: 'redeem'; by: Actor; requests: bigint; signature: Hex; validSignature: boolean }
  | { fn: 'withdraw' | 'startTermination' | 'terminate'; by: Actor }

export const ACTORS: Actor[] = ['consumer', 'provider', 'stranger']

const fail = (name: string, args: unknown[] = []): Outcome => ({ error: { name, args } })

/** What the contract must do for `call` at time `now`: revert with an error, or the next state. */
export function predict(
  m: Model,
  call: Call,
  now: bigint,
  terms: Terms,
  who: Record<Actor, Address>,
  mutation?: Mutation,
) {
  const by = call.by
  switch (call.fn) {
    case 'deposit': {
      if (by !== 'consumer') return fail('NotConsumer')
      if (m.terminated) return fail('AlreadyTerminated')
      if (m.terminatesAt !== 0n) return fail('TerminationAlreadyStarted')
      if (call.value === 0n) return fail('ZeroDeposit')
      const funds = m.consumerFunds + call.value
      return {
        next: { ...m, consumerFunds: funds },
        events: [
          { eventName: 'Deposited', args: { from: who.consumer, amount: call.value, consumerFunds: funds } },
        ],
      }
    }
    case 'startRedemption': {
      if (by !== 'provider') return fail('NotProvider')
      if (m.terminated) return fail('AlreadyTerminated')
      if (m.expiringTokenId !== 0n) return fail('RedemptionPending', [m.expiringTokenId])
      if (m.activeTokenId === 0n) return fail('NoActiveToken')
      const terminating = m.terminatesAt !== 0n
      const used =
        mutation === 'reuseLastTokenId' ? call.newTokenId < m.lastTokenId : call.newTokenId <= m.lastTokenId
      if (!terminating && used) return fail('TokenIdUsed', [call.newTokenId, m.lastTokenId])
      const next = terminating ? 0n : call.newTokenId
      const due = now + terms.redemptionTimeout
      return {
        next: {
          ...m,
          expiringTokenId: m.activeTokenId,
          activeTokenId: next,
          redeemableAt: due,
          lastTokenId: terminating ? m.lastTokenId : call.newTokenId,
        },
        events: [
          {
            eventName: 'RedemptionStarted',
            args: { expiringTokenId: m.activeTokenId, activeTokenId: next, redeemableAt: due },
          },
        ],
      }
    }
    case 'redeem': {
      if (by !== 'provider') return fail('NotProvider')
      if (m.terminated) return fail('AlreadyTerminated')
      if (m.expiringTokenId === 0n) return fail('NoRedemptionPending')
      const due = mutation === 'redeemAfterRedeemableAt' ? now > m.redeemableAt : now >= m.redeemableAt
      if (!due) return fail('RedemptionNotDue', [m.redeemableAt])
      let amount = 0n
      if (call.requests !== 0n) {
        if (!call.validSignature) return fail('InvalidSignature')
        const worth = call.requests * terms.cost
        amount = mutation === 'noCap' || worth <= m.consumerFunds ? worth : m.consumerFunds
      }
      const consumerFunds = m.consumerFunds - amount
      const providerFunds = m.providerFunds + amount
      return {
        next: { ...m, consumerFunds, providerFunds, expiringTokenId: 0n, redeemableAt: 0n },
        events: [
          {
            eventName: 'Redeemed',
            args: {
              tokenId: m.expiringTokenId,
              requests: call.requests,
              amount,
              consumerFunds,
              providerFunds,
            },
          },
        ],
      }
    }
    case 'withdraw': {
      let amount: bigint
      let next: Model
      if (by === 'provider') {
        amount = m.providerFunds
        next = { ...m, providerFunds: 0n }
      } else if (by === 'consumer') {
        if (!m.terminated) return fail('NotTerminated')
        amount = m.consumerFunds
        next = { ...m, consumerFunds: 0n }
      } else {
        return fail('NotParty')
      }
      if (amount === 0n) return fail('NothingToWithdraw')
      return {
        next,
        events: [{ eventName: 'Withdrawn', args: { to: who[by], amount } }],
        pays: { to: by, amount },
      }
    }
    case 'startTermination': {
      if (by !== 'consumer') return fail('NotConsumer')
      if (m.terminated) return fail('AlreadyTerminated')
      if (m.terminatesAt !== 0n) return fail('TerminationAlreadyStarted')
      const deadline = now + terms.terminationTimeout
      return {
        next: { ...m, terminatesAt: deadline },
        events: [{ eventName: 'TerminationStarted', args: { by: who.consumer, terminatesAt: deadline } }],
      }
    }
    case 'terminate': {
      if (m.terminated) return fail('AlreadyTerminated')
      if (by === 'consumer') {
        if (m.terminatesAt === 0n) return fail('TerminationNotStarted')
        if (now < m.terminatesAt) return fail('TerminationNotDue', [m.terminatesAt])
      } else if (by !== 'provider') {
        return fail('NotParty')
      }
      return {
        next: { ...m, terminated: true, activeTokenId: 0n, expiringTokenId: 0n, redeemableAt: 0n },
        events: [
          {
            eventName: 'Terminated',
            args: { by: who[by], consumerRefund: m.consumerFunds, providerPayout: m.providerFunds },
          },
        ],
      }
    }
  }
}
