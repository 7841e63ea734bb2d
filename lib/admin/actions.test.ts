import { type Address, getAddress } from 'viem'
import { describe, expect, it } from 'vitest'
import { contractErrorSentence } from '../contractErrors'
import { type ActionState, type ChannelActionId, channelActions, roleOf } from './actions'
import { NOT_PARTY } from './testing'

/*
 * Which channel actions the dashboard offers to whom, and why not: phase by phase and role on
 * hand-made states (the same verdicts against the contract on anvil: actions.anvil.test.ts).
 */

/** 2100-01-01T00:00:00Z: a fixed chain time, so sentences that carry a time are exact. */
const T0 = 4_102_444_800n

const CONSUMER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address
const PROVIDER = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc' as Address
const STRANGER = '0x90f79bf6eb2c4f870365e785982e1f101e93b906' as Address

const IDS: ChannelActionId[] = [
  'deposit',
  'startRedemption',
  'redeem',
  'withdraw',
  'startTermination',
  'terminate',
]

const open: ActionState = {
  consumer: CONSUMER,
  provider: PROVIDER,
  consumerFunds: 1_000_000n,
  providerFunds: 0n,
  activeTokenId: 1n,
  expiringTokenId: 0n,
  redeemableAt: 0n,
  terminatesAt: 0n,
  terminated: false,
}

/** channelActions as a map from action id to [reason, dueAt], checking the order of the list. */
function actions(state: ActionState, account: Address | null | undefined, now = T0) {
  const list = channelActions({ state, account, now })
  expect(list.map((a) => a.id)).toEqual(IDS)
  return Object.fromEntries(list.map((a) => [a.id, [a.reason, a.dueAt]])) as Record<
    ChannelActionId,
    [string | null, bigint | null]
  >
}

const OK: [null, null] = [null, null]
const no = (
  name: string,
  args: readonly unknown[] = [],
  dueAt: bigint | null = null,
): [string, bigint | null] => [contractErrorSentence(name, args), dueAt]

describe('roleOf', () => {
  it('roleOf() tells consumer, provider, stranger and no account apart, whatever the letter case', () => {
    expect(roleOf(open, getAddress(CONSUMER))).toBe('consumer')
    expect(roleOf({ consumer: getAddress(CONSUMER), provider: PROVIDER }, CONSUMER)).toBe('consumer')
    expect(roleOf(open, PROVIDER.toUpperCase().replace('0X', '0x') as Address)).toBe('provider')
    expect(roleOf(open, STRANGER)).toBe('stranger')
    expect(roleOf(open, null)).toBe('none')
    expect(roleOf(open, undefined)).toBe('none')
  })
})

describe('channelActions', () => {
  it('channelActions() asks to connect a wallet for every action when no account is connected', () => {
    const expected = Object.fromEntries(
      IDS.map((id) => [id, ['Connect a wallet to act on this channel.', null]]),
    )
    expect(actions(open, null)).toEqual(expected)
    expect(actions(open, undefined)).toEqual(expected)
  })

  it('channelActions() refuses every action to a stranger, in every phase', () => {
    const expected = Object.fromEntries(IDS.map((id) => [id, [NOT_PARTY, null]]))
    expect(NOT_PARTY).toBe(
      "The connected account is neither this channel's consumer nor its provider. Only the channel's consumer or provider can do this.",
    )
    expect(actions(open, STRANGER)).toEqual(expected)
    expect(actions({ ...open, terminated: true, consumerFunds: 5n, providerFunds: 5n }, STRANGER)).toEqual(
      expected,
    )
    expect(actions({ ...open, terminatesAt: T0 - 1n }, STRANGER)).toEqual(expected)
  })

  it('channelActions() lets the consumer deposit and start termination of an open channel', () => {
    expect(actions(open, CONSUMER)).toEqual({
      deposit: OK,
      startRedemption: no('NotProvider'),
      redeem: no('NotProvider'),
      withdraw: no('NotTerminated'),
      startTermination: OK,
      terminate: no('TerminationNotStarted'),
    })
  })

  it('channelActions() lets the provider start a redemption and terminate an open channel at once', () => {
    expect(actions(open, PROVIDER)).toEqual({
      deposit: no('NotConsumer'),
      startRedemption: OK,
      redeem: no('NoRedemptionPending'),
      withdraw: no('NothingToWithdraw'),
      startTermination: no('NotConsumer'),
      terminate: OK,
    })
  })

  it('channelActions() lets the provider withdraw its earnings whenever it has some', () => {
    expect(actions({ ...open, providerFunds: 1n }, PROVIDER).withdraw).toEqual(OK)
    expect(actions({ ...open, providerFunds: 1n, terminatesAt: T0 + 10n }, PROVIDER).withdraw).toEqual(OK)
    expect(actions({ ...open, providerFunds: 1n, terminated: true }, PROVIDER).withdraw).toEqual(OK)
    expect(actions({ ...open, providerFunds: 0n, terminated: true }, PROVIDER).withdraw).toEqual(
      no('NothingToWithdraw'),
    )
  })

  it('channelActions() refuses redeem before redeemableAt with the RedemptionNotDue sentence and dueAt set exactly', () => {
    const redeeming: ActionState = { ...open, activeTokenId: 2n, expiringTokenId: 1n, redeemableAt: T0 + 60n }
    expect(actions(redeeming, PROVIDER, T0 + 59n)).toEqual({
      deposit: no('NotConsumer'),
      startRedemption: no('RedemptionPending', [1n]),
      redeem: ['The token can be redeemed only after 2100-01-01 00:01:00 UTC.', T0 + 60n],
      withdraw: no('NothingToWithdraw'),
      startTermination: no('NotConsumer'),
      terminate: OK,
    })
    expect(actions(redeeming, PROVIDER, T0 + 59n).startRedemption).toEqual([
      'Token 1 is already being redeemed; complete that redemption first.',
      null,
    ])
    expect(actions(redeeming, PROVIDER, T0 + 60n).redeem).toEqual(OK)
    expect(actions(redeeming, PROVIDER, T0 + 3_600n).redeem).toEqual(OK)
    expect(actions(redeeming, CONSUMER, T0 + 59n)).toEqual({
      deposit: OK,
      startRedemption: no('NotProvider'),
      redeem: no('NotProvider'),
      withdraw: no('NotTerminated'),
      startTermination: OK,
      terminate: no('TerminationNotStarted'),
    })
  })

  it('channelActions() refuses the consumer terminate before the deadline with dueAt set, and allows it at the deadline', () => {
    const terminating: ActionState = { ...open, terminatesAt: T0 + 600n }
    expect(actions(terminating, CONSUMER, T0 + 599n)).toEqual({
      deposit: no('TerminationAlreadyStarted'),
      startRedemption: no('NotProvider'),
      redeem: no('NotProvider'),
      withdraw: [contractErrorSentence('NotTerminated'), null],
      startTermination: no('TerminationAlreadyStarted'),
      terminate: ['The consumer can terminate only after 2100-01-01 00:10:00 UTC.', T0 + 600n],
    })
    expect(actions(terminating, CONSUMER, T0 + 600n).terminate).toEqual(OK)
    expect(actions(terminating, CONSUMER, T0 + 601n).terminate).toEqual(OK)
  })

  it('channelActions() lets the provider redeem and terminate at once while termination runs', () => {
    const terminating: ActionState = { ...open, terminatesAt: T0 + 600n }
    expect(actions(terminating, PROVIDER, T0)).toEqual({
      deposit: no('NotConsumer'),
      startRedemption: OK,
      redeem: no('NoRedemptionPending'),
      withdraw: no('NothingToWithdraw'),
      startTermination: no('NotConsumer'),
      terminate: OK,
    })
    const lastInRedemption: ActionState = {
      ...terminating,
      activeTokenId: 0n,
      expiringTokenId: 3n,
      redeemableAt: T0 + 60n,
    }
    expect(actions(lastInRedemption, PROVIDER, T0 + 60n)).toEqual({
      deposit: no('NotConsumer'),
      startRedemption: no('RedemptionPending', [3n]),
      redeem: OK,
      withdraw: no('NothingToWithdraw'),
      startTermination: no('NotConsumer'),
      terminate: OK,
    })
    expect(actions({ ...terminating, activeTokenId: 0n }, PROVIDER, T0).startRedemption).toEqual(
      no('NoActiveToken'),
    )
  })

  it('channelActions() leaves only withdrawals of a terminated channel with funds', () => {
    const terminated: ActionState = {
      ...open,
      consumerFunds: 400n,
      providerFunds: 600n,
      activeTokenId: 0n,
      terminatesAt: T0 - 10n,
      terminated: true,
    }
    expect(actions(terminated, CONSUMER)).toEqual({
      deposit: no('AlreadyTerminated'),
      startRedemption: no('NotProvider'),
      redeem: no('NotProvider'),
      withdraw: OK,
      startTermination: no('AlreadyTerminated'),
      terminate: no('AlreadyTerminated'),
    })
    expect(actions(terminated, PROVIDER)).toEqual({
      deposit: no('NotConsumer'),
      startRedemption: no('AlreadyTerminated'),
      redeem: no('AlreadyTerminated'),
      withdraw: OK,
      startTermination: no('NotConsumer'),
      terminate: no('AlreadyTerminated'),
    })
  })

  it('channelActions() leaves nothing to do on a terminated channel without funds', () => {
    const empty: ActionState = { ...open, consumerFunds: 0n, activeTokenId: 0n, terminated: true }
    expect(actions(empty, CONSUMER).withdraw).toEqual(no('NothingToWithdraw'))
    expect(actions(empty, PROVIDER).withdraw).toEqual(no('NothingToWithdraw'))
    const allowed = (account: Address) =>
      channelActions({ state: empty, account, now: T0 })
        .filter((a) => a.reason === null)
        .map((a) => a.id)
    expect(allowed(CONSUMER)).toEqual([])
    expect(allowed(PROVIDER)).toEqual([])
    // Terminated by the provider before the consumer announced it: terminatesAt is still 0.
    expect(actions({ ...empty, consumerFunds: 9n }, CONSUMER).withdraw).toEqual(OK)
  })

  it('channelActions() refuses the consumer withdraw of an open channel without a due time', () => {
    expect(actions({ ...open, consumerFunds: 0n }, CONSUMER).withdraw).toEqual(no('NotTerminated'))
  })
})
