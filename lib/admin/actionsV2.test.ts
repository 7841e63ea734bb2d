import type { Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { contractErrorSentence } from '../contractErrors'
import {
  type ActionState,
  type ChannelActionId,
  channelActionIds,
  channelActionIdsV2,
  channelActions,
} from './actions'
import { NOT_PARTY } from './testing'

/*
 * The actions of a version 2 channel: v1's by the same rules, plus the announcement of a new
 * price table and the redeem-and-start in one transaction (the same verdicts against the
 * contract on anvil: walletV2.anvil.test.ts).
 */

const T0 = 4_102_444_800n
const CONSUMER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address
const PROVIDER = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc' as Address
const STRANGER = '0x90f79bf6eb2c4f870365e785982e1f101e93b906' as Address

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
  contractVersion: 2,
}

function reasons(state: ActionState, account: Address | null, now = T0) {
  const list = channelActions({ state, account, now })
  expect(list.map((a) => a.id)).toEqual([...channelActionIdsV2])
  return Object.fromEntries(list.map((a) => [a.id, a.reason])) as Record<ChannelActionId, string | null>
}

const sentence = (name: string, args: readonly unknown[] = []) => contractErrorSentence(name, args)

describe('channelActions on a version 2 channel', () => {
  it('channelActions() lists v1 actions only for a v1 channel, and the two v2 ones after them for v2', () => {
    const v1 = channelActions({ state: { ...open, contractVersion: 1 }, account: PROVIDER, now: T0 })
    expect(v1.map((a) => a.id)).toEqual([...channelActionIds])
    const absent = channelActions({
      state: { ...open, contractVersion: undefined },
      account: PROVIDER,
      now: T0,
    })
    expect(absent.map((a) => a.id)).toEqual([...channelActionIds])
    expect(channelActionIdsV2.slice(channelActionIds.length)).toEqual([
      'startRedemptionWithPrices',
      'redeemAndStartRedemption',
    ])
  })

  it('channelActions() lets the provider of an open v2 channel announce prices, not the consumer or a stranger', () => {
    const provider = reasons(open, PROVIDER)
    expect([provider.startRedemption, provider.startRedemptionWithPrices]).toEqual([null, null])
    expect(provider.redeemAndStartRedemption).toBe(sentence('NoRedemptionPending'))
    expect(reasons(open, CONSUMER).startRedemptionWithPrices).toBe(sentence('NotProvider'))
    expect(reasons(open, STRANGER).startRedemptionWithPrices).toBe(NOT_PARTY)
    expect(reasons(open, null).startRedemptionWithPrices).toBe('Connect a wallet to act on this channel.')
  })

  it('channelActions() refuses new prices once termination has started, though a plain start is still allowed', () => {
    const terminating = { ...open, terminatesAt: T0 + 600n }
    const r = reasons(terminating, PROVIDER)
    expect(r.startRedemption).toBeNull()
    expect(r.startRedemptionWithPrices).toBe(sentence('TerminationAlreadyStarted'))
  })

  it('channelActions() refuses new prices while a redemption is pending, and redeem-and-start until it is due', () => {
    const redeeming = { ...open, activeTokenId: 2n, expiringTokenId: 1n, redeemableAt: T0 + 60n }
    const r = reasons(redeeming, PROVIDER)
    expect(r.startRedemptionWithPrices).toBe(sentence('RedemptionPending', [1n]))
    expect(r.redeemAndStartRedemption).toBe(sentence('RedemptionNotDue', [T0 + 60n]))
    const at = (now: bigint) =>
      channelActions({ state: redeeming, account: PROVIDER, now }).find(
        (a) => a.id === 'redeemAndStartRedemption',
      )
    expect(at(T0)?.dueAt).toBe(T0 + 60n)
    expect(at(T0 + 60n)).toEqual({ id: 'redeemAndStartRedemption', reason: null, dueAt: null })
  })

  it('channelActions() refuses redeem-and-start when the last token is in redemption (no active ID to start), but allows redeem', () => {
    const last = {
      ...open,
      activeTokenId: 0n,
      expiringTokenId: 3n,
      redeemableAt: T0,
      terminatesAt: T0 + 600n,
    }
    const r = reasons(last, PROVIDER)
    expect(r.redeem).toBeNull()
    expect(r.redeemAndStartRedemption).toBe(sentence('NoActiveToken'))
    expect(r.startRedemptionWithPrices).toBe(sentence('RedemptionPending', [3n]))
  })

  it('channelActions() refuses everything of the provider on a terminated v2 channel but the withdrawal of its funds', () => {
    const done = { ...open, terminated: true, activeTokenId: 0n, providerFunds: 5n }
    const r = reasons(done, PROVIDER)
    expect(r.startRedemptionWithPrices).toBe(sentence('AlreadyTerminated'))
    expect(r.redeemAndStartRedemption).toBe(sentence('AlreadyTerminated'))
    expect(r.withdraw).toBeNull()
  })
})
