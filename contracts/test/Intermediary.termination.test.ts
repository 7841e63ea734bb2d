import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  checksum,
  eventsOf,
  feeOf,
  type IntermediaryTestbed,
  startIntermediaryTestbed,
  TERMINATION_TIMEOUT,
} from './intermediary'

/*
 * Contract tests of Intermediary's termination: the provider's terminate() at any time, every
 * refusal of startTermination() and terminate(), and the margin the termination timeout leaves.
 */

let t: IntermediaryTestbed
beforeAll(async () => {
  t = await startIntermediaryTestbed()
})
afterAll(() => t?.stop())

describe('terminate() by the provider', () => {
  it('terminate() by the provider works at any time without startTermination', async () => {
    const channel = await t.open({ value: 40_000n })
    const receipt = await t.send(t.provider, channel, 'terminate')
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Terminated',
        args: { by: checksum(t.provider), consumerRefund: 40_000n, providerPayout: 0n },
      },
    ])
    expect(await t.state(channel)).toMatchObject({
      consumerFunds: 40_000n,
      providerFunds: 0n,
      activeTokenId: 0n,
      expiringTokenId: 0n,
      terminatesAt: 0n,
      terminated: true,
    })
    const before = await t.balance(t.consumer.address)
    const refund = await t.send(t.consumer, channel, 'withdraw')
    expect((await t.balance(t.consumer.address)) - before + feeOf(refund)).toBe(40_000n)
    expect(await t.balance(channel)).toBe(0n)
  })

  it('terminate() by the provider voids a pending redemption and keeps earned funds', async () => {
    const channel = await t.open({ value: 40_000n })
    await t.startAndWait(channel, 2n)
    await t.send(t.provider, channel, 'redeem', [3n, await t.sign(channel, 1n, 3n)])
    await t.send(t.provider, channel, 'startRedemption', [3n])
    const receipt = await t.send(t.provider, channel, 'terminate')
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Terminated',
        args: { by: checksum(t.provider), consumerRefund: 37_000n, providerPayout: 3_000n },
      },
    ])
    expect(await t.state(channel)).toMatchObject({
      consumerFunds: 37_000n,
      providerFunds: 3_000n,
      activeTokenId: 0n,
      expiringTokenId: 0n,
      redeemableAt: 0n,
      lastTokenId: 3n,
      terminated: true,
    })
    expect(await t.channelRevert(t.provider, channel, 'redeem', [1n, await t.sign(channel, 2n, 1n)])).toEqual(
      {
        name: 'AlreadyTerminated',
        args: [],
      },
    )
  })
})

describe('startTermination()', () => {
  it('startTermination() refuses anyone but the consumer', async () => {
    const channel = await t.open()
    expect(await t.channelRevert(t.provider, channel, 'startTermination')).toEqual({
      name: 'NotConsumer',
      args: [],
    })
    expect(await t.channelRevert(t.stranger, channel, 'startTermination')).toEqual({
      name: 'NotConsumer',
      args: [],
    })
  })

  it('startTermination() is refused after termination', async () => {
    const channel = await t.open()
    await t.send(t.provider, channel, 'terminate')
    expect(await t.channelRevert(t.consumer, channel, 'startTermination')).toEqual({
      name: 'AlreadyTerminated',
      args: [],
    })
  })

  it('startTermination() keeps the first deadline when called again', async () => {
    const channel = await t.open()
    const receipt = await t.send(t.consumer, channel, 'startTermination')
    const deadline = (await t.timestampOf(receipt)) + TERMINATION_TIMEOUT
    await t.advanceTime(TERMINATION_TIMEOUT / 2n)
    expect(await t.channelRevert(t.consumer, channel, 'startTermination')).toEqual({
      name: 'TerminationAlreadyStarted',
      args: [],
    })
    expect((await t.state(channel)).terminatesAt).toBe(deadline)
  })
})

describe('terminate()', () => {
  it('terminate() refuses a stranger', async () => {
    const channel = await t.open()
    await t.send(t.consumer, channel, 'startTermination')
    await t.advanceTime(TERMINATION_TIMEOUT)
    expect(await t.channelRevert(t.stranger, channel, 'terminate')).toEqual({ name: 'NotParty', args: [] })
  })

  it('terminate() by the consumer requires startTermination', async () => {
    const channel = await t.open()
    expect(await t.channelRevert(t.consumer, channel, 'terminate')).toEqual({
      name: 'TerminationNotStarted',
      args: [],
    })
  })

  it('terminate() by the consumer is refused one second before the deadline', async () => {
    const channel = await t.open()
    const receipt = await t.send(t.consumer, channel, 'startTermination')
    const deadline = (await t.timestampOf(receipt)) + TERMINATION_TIMEOUT
    expect(await t.channelRevert(t.consumer, channel, 'terminate', [], { time: deadline - 1n })).toEqual({
      name: 'TerminationNotDue',
      args: [deadline],
    })
    await t.testClient.setNextBlockTimestamp({ timestamp: deadline - 1n })
    expect(await t.sendReverting(t.consumer, channel, 'terminate')).toBe('reverted')
    expect((await t.state(channel)).terminated).toBe(false)
  })

  it('terminate() is refused once terminated, for both parties', async () => {
    const channel = await t.open()
    await t.send(t.provider, channel, 'terminate')
    expect(await t.channelRevert(t.provider, channel, 'terminate')).toEqual({
      name: 'AlreadyTerminated',
      args: [],
    })
    expect(await t.channelRevert(t.consumer, channel, 'terminate')).toEqual({
      name: 'AlreadyTerminated',
      args: [],
    })
  })
})

describe('termination timeout margin', () => {
  // The minimum terminationTimeout is 3 x redemptionTimeout (T = startTermination, R = the
  // redemption timeout). Worst case for the provider: it starts a redemption in the same second
  // the consumer starts termination. It redeems that pending token at T+R, starts the redemption
  // of its last token at once and redeems it at T+2R, while the consumer's terminate() is refused
  // until T+3R: a whole redemption timeout of slack, no race at the deadline.
  it('terminate() at exactly 3x leaves the provider time to redeem a pending and its last token', async () => {
    const R = 100n
    const channel = await t.open({ value: 1_000_000n, redemptionTimeout: R, terminationTimeout: 3n * R })
    const t0 = (await t.publicClient.getBlock()).timestamp + 10n
    // Two transactions with the same timestamp stand for one block holding both.
    const at = (timestamp: bigint) => t.testClient.setNextBlockTimestamp({ timestamp })

    await at(t0)
    const pending = await t.send(t.provider, channel, 'startRedemption', [2n])
    expect(await t.timestampOf(pending)).toBe(t0)
    await at(t0)
    const termination = await t.send(t.consumer, channel, 'startTermination')
    expect(eventsOf(termination, channel)).toEqual([
      { eventName: 'TerminationStarted', args: { by: checksum(t.consumer), terminatesAt: t0 + 300n } },
    ])
    expect(await t.state(channel)).toMatchObject({
      activeTokenId: 2n,
      expiringTokenId: 1n,
      redeemableAt: t0 + 100n,
      terminatesAt: t0 + 300n,
    })

    // T+R: the pending token 1 is redeemed and the last token (2) goes into redemption.
    expect(await t.channelRevert(t.consumer, channel, 'terminate', [], { time: t0 + 100n })).toEqual({
      name: 'TerminationNotDue',
      args: [t0 + 300n],
    })
    await at(t0 + 100n)
    const first = await t.send(t.provider, channel, 'redeem', [10n, await t.sign(channel, 1n, 10n)])
    expect(await t.timestampOf(first)).toBe(t0 + 100n)
    await at(t0 + 100n)
    const last = await t.send(t.provider, channel, 'startRedemption', [3n])
    expect(eventsOf(last, channel)).toEqual([
      {
        eventName: 'RedemptionStarted',
        args: { expiringTokenId: 2n, activeTokenId: 0n, redeemableAt: t0 + 200n },
      },
    ])

    // T+2R: the consumer's terminate() is still refused, on chain too, in the same second in
    // which the last token becomes redeemable.
    await at(t0 + 200n)
    expect(await t.sendReverting(t.consumer, channel, 'terminate')).toBe('reverted')
    await at(t0 + 200n)
    const second = await t.send(t.provider, channel, 'redeem', [25n, await t.sign(channel, 2n, 25n)])
    expect(await t.timestampOf(second)).toBe(t0 + 200n)
    expect(eventsOf(second, channel)).toEqual([
      {
        eventName: 'Redeemed',
        args: {
          tokenId: 2n,
          requests: 25n,
          amount: 25_000n,
          consumerFunds: 965_000n,
          providerFunds: 35_000n,
        },
      },
    ])
    expect(await t.channelRevert(t.provider, channel, 'startRedemption', [4n])).toEqual({
      name: 'NoActiveToken',
      args: [],
    })

    // Until T+3R the consumer cannot terminate; at T+3R it can, and both redemptions stay paid.
    expect(await t.channelRevert(t.consumer, channel, 'terminate', [], { time: t0 + 299n })).toEqual({
      name: 'TerminationNotDue',
      args: [t0 + 300n],
    })
    await at(t0 + 299n)
    expect(await t.sendReverting(t.consumer, channel, 'terminate')).toBe('reverted')
    await at(t0 + 300n)
    const end = await t.send(t.consumer, channel, 'terminate')
    expect(eventsOf(end, channel)).toEqual([
      {
        eventName: 'Terminated',
        args: { by: checksum(t.consumer), consumerRefund: 965_000n, providerPayout: 35_000n },
      },
    ])
    expect(await t.state(channel)).toMatchObject({
      consumerFunds: 965_000n,
      providerFunds: 35_000n,
      terminated: true,
    })
    expect(await t.balance(channel)).toBe(1_000_000n)
  })
})
