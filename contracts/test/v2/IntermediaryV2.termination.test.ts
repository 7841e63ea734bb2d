import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  checksum,
  eventsOf,
  feeOf,
  PRICES,
  startV2Testbed,
  TERMINATION_TIMEOUT,
  type V2Testbed,
} from './testbed'

/*
 * Contract tests of the v1 rules IntermediaryV2 keeps: deposits, termination (the provider at
 * any time, the consumer after its announced deadline), the last redemption during termination,
 * and pull payments (withdraw).
 */

let t: V2Testbed
beforeAll(async () => {
  t = await startV2Testbed()
})
afterAll(() => t?.stop())

describe('deposit()', () => {
  it('deposit() adds to the consumer funds; refuses others, zero, and after termination started', async () => {
    const channel = await t.open({ value: 1_000n })
    const receipt = await t.send(t.consumer, channel, 'deposit', [], 500n)
    expect(eventsOf(receipt, channel)).toEqual([
      { eventName: 'Deposited', args: { from: checksum(t.consumer), amount: 500n, consumerFunds: 1_500n } },
    ])
    expect(await t.channelRevert(t.provider, channel, 'deposit', [], { value: 1n })).toEqual({
      name: 'NotConsumer',
      args: [],
    })
    expect(await t.channelRevert(t.consumer, channel, 'deposit', [], { value: 0n })).toEqual({
      name: 'ZeroDeposit',
      args: [],
    })
    await t.send(t.consumer, channel, 'startTermination')
    expect(await t.channelRevert(t.consumer, channel, 'deposit', [], { value: 1n })).toEqual({
      name: 'TerminationAlreadyStarted',
      args: [],
    })
    await t.send(t.provider, channel, 'terminate')
    expect(await t.channelRevert(t.consumer, channel, 'deposit', [], { value: 1n })).toEqual({
      name: 'AlreadyTerminated',
      args: [],
    })
    expect(await t.balance(channel)).toBe(1_500n)
  })

  it('deposit() refuses to take the funds to 2**128 wei, so they always fit their packed halves', async () => {
    const channel = await t.open({ value: 1_000n })
    await t.testClient.setBalance({ address: t.consumer.address, value: 2n ** 130n })
    try {
      // Each value below 2**127: anvil refuses a transaction whose value and fee pass 2**128.
      await t.send(t.consumer, channel, 'deposit', [], 2n ** 127n)
      expect(
        await t.channelRevert(t.consumer, channel, 'deposit', [], { value: 2n ** 127n - 1_000n }),
      ).toEqual({
        name: 'FundsOverflow',
        args: [],
      })
      await t.send(t.consumer, channel, 'deposit', [], 2n ** 127n - 1_001n)
      expect((await t.state(channel)).consumerFunds).toBe(2n ** 128n - 1n)
    } finally {
      await t.testClient.setBalance({ address: t.consumer.address, value: 10n ** 22n })
    }
  })
})

describe('termination', () => {
  it('the consumer terminates only after startTermination() and its deadline', async () => {
    const channel = await t.open()
    expect(await t.channelRevert(t.consumer, channel, 'terminate')).toEqual({
      name: 'TerminationNotStarted',
      args: [],
    })
    expect(await t.channelRevert(t.provider, channel, 'startTermination')).toEqual({
      name: 'NotConsumer',
      args: [],
    })
    const started = await t.send(t.consumer, channel, 'startTermination')
    const deadline = (await t.timestampOf(started)) + TERMINATION_TIMEOUT
    expect(eventsOf(started, channel)).toEqual([
      { eventName: 'TerminationStarted', args: { by: checksum(t.consumer), terminatesAt: deadline } },
    ])
    expect(await t.channelRevert(t.consumer, channel, 'startTermination')).toEqual({
      name: 'TerminationAlreadyStarted',
      args: [],
    })
    expect(await t.channelRevert(t.consumer, channel, 'terminate', [], { time: deadline - 1n })).toEqual({
      name: 'TerminationNotDue',
      args: [deadline],
    })
    expect(await t.channelRevert(t.stranger, channel, 'terminate', [], { time: deadline })).toEqual({
      name: 'NotParty',
      args: [],
    })
    await t.advanceTime(TERMINATION_TIMEOUT)
    const ended = await t.send(t.consumer, channel, 'terminate')
    expect(eventsOf(ended, channel)).toEqual([
      {
        eventName: 'Terminated',
        args: { by: checksum(t.consumer), consumerRefund: 1_000_000n, providerPayout: 0n },
      },
    ])
    expect(await t.state(channel)).toMatchObject({ terminated: true, activeTokenId: 0n, expiringTokenId: 0n })
  })

  it('the provider redeems its last token during termination, then no new token ID exists', async () => {
    const channel = await t.open()
    await t.send(t.consumer, channel, 'startTermination')
    const started = await t.startAndWait(channel)
    expect(eventsOf(started, channel)[0]?.args).toMatchObject({ expiringTokenId: 1n, activeTokenId: 0n })
    expect(await t.state(channel)).toMatchObject({ activeTokenId: 0n, expiringTokenId: 1n, lastTokenId: 1n })
    await t.send(t.provider, channel, 'redeem', [[4n], PRICES, await t.sign(channel, 1n, PRICES, [4n])])
    expect(await t.state(channel)).toMatchObject({
      activeTokenId: 0n,
      expiringTokenId: 0n,
      lastTokenId: 1n,
      providerFunds: 4_000n,
    })
    expect(await t.channelRevert(t.provider, channel, 'startRedemption')).toEqual({
      name: 'NoActiveToken',
      args: [],
    })
  })

  it('terminate() by the provider at any time voids a pending redemption and keeps earned funds', async () => {
    const channel = await t.open({ value: 40_000n })
    await t.startAndWait(channel)
    await t.send(t.provider, channel, 'redeem', [[3n], PRICES, await t.sign(channel, 1n, PRICES, [3n])])
    await t.send(t.provider, channel, 'startRedemption')
    const receipt = await t.send(t.provider, channel, 'terminate')
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Terminated',
        args: { by: checksum(t.provider), consumerRefund: 37_000n, providerPayout: 3_000n },
      },
    ])
    expect(await t.state(channel)).toMatchObject({
      activeTokenId: 0n,
      expiringTokenId: 0n,
      redeemableAt: 0n,
      lastTokenId: 3n,
      terminated: true,
    })
    for (const fn of ['startRedemption', 'startTermination', 'terminate'] as const) {
      const by = fn === 'startTermination' ? t.consumer : t.provider
      expect(await t.channelRevert(by, channel, fn)).toEqual({ name: 'AlreadyTerminated', args: [] })
    }
    expect(
      await t.channelRevert(t.provider, channel, 'redeem', [
        [1n],
        PRICES,
        await t.sign(channel, 2n, PRICES, [1n]),
      ]),
    ).toEqual({ name: 'AlreadyTerminated', args: [] })
  })
})

describe('withdraw()', () => {
  it('pays the provider its earnings at any time and the consumer its funds after termination', async () => {
    const channel = await t.open({ value: 40_000n })
    expect(await t.channelRevert(t.provider, channel, 'withdraw')).toEqual({
      name: 'NothingToWithdraw',
      args: [],
    })
    expect(await t.channelRevert(t.consumer, channel, 'withdraw')).toEqual({
      name: 'NotTerminated',
      args: [],
    })
    expect(await t.channelRevert(t.stranger, channel, 'withdraw')).toEqual({ name: 'NotParty', args: [] })
    await t.startAndWait(channel)
    await t.send(t.provider, channel, 'redeem', [[7n], PRICES, await t.sign(channel, 1n, PRICES, [7n])])

    const providerBefore = await t.balance(t.provider.address)
    const payout = await t.send(t.provider, channel, 'withdraw')
    expect(eventsOf(payout, channel)).toEqual([
      { eventName: 'Withdrawn', args: { to: checksum(t.provider), amount: 7_000n } },
    ])
    expect((await t.balance(t.provider.address)) - providerBefore + feeOf(payout)).toBe(7_000n)
    expect(await t.state(channel)).toMatchObject({ consumerFunds: 33_000n, providerFunds: 0n })

    await t.send(t.provider, channel, 'terminate')
    const consumerBefore = await t.balance(t.consumer.address)
    const refund = await t.send(t.consumer, channel, 'withdraw')
    expect((await t.balance(t.consumer.address)) - consumerBefore + feeOf(refund)).toBe(33_000n)
    expect(await t.balance(channel)).toBe(0n)
    expect(await t.channelRevert(t.consumer, channel, 'withdraw')).toEqual({
      name: 'NothingToWithdraw',
      args: [],
    })
  })
})
