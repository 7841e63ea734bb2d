import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type IntermediaryTestbed, startIntermediaryTestbed, TERMINATION_TIMEOUT } from './intermediary'

/*
 * Contract tests of the money in Intermediary: every refusal of deposit() and withdraw(), and
 * plain ether refused.
 */

let t: IntermediaryTestbed
beforeAll(async () => {
  t = await startIntermediaryTestbed()
})
afterAll(() => t?.stop())

describe('deposit()', () => {
  it('deposit() refuses anyone but the consumer', async () => {
    const channel = await t.open()
    expect(await t.channelRevert(t.provider, channel, 'deposit', [], { value: 1n })).toEqual({
      name: 'NotConsumer',
      args: [],
    })
    expect(await t.channelRevert(t.stranger, channel, 'deposit', [], { value: 1n })).toEqual({
      name: 'NotConsumer',
      args: [],
    })
  })

  it('deposit() refuses 0 wei', async () => {
    const channel = await t.open()
    expect(await t.channelRevert(t.consumer, channel, 'deposit', [], { value: 0n })).toEqual({
      name: 'ZeroDeposit',
      args: [],
    })
  })

  it('deposit() is refused after termination started', async () => {
    const channel = await t.open()
    await t.send(t.consumer, channel, 'startTermination')
    expect(await t.channelRevert(t.consumer, channel, 'deposit', [], { value: 5n })).toEqual({
      name: 'TerminationAlreadyStarted',
      args: [],
    })
    expect(await t.sendReverting(t.consumer, channel, 'deposit')).toBe('reverted')
    expect((await t.state(channel)).consumerFunds).toBe(1_000_000n)
  })

  it('deposit() is refused after termination', async () => {
    const channel = await t.open()
    await t.send(t.provider, channel, 'terminate')
    expect(await t.channelRevert(t.consumer, channel, 'deposit', [], { value: 5n })).toEqual({
      name: 'AlreadyTerminated',
      args: [],
    })
  })
})

describe('withdraw()', () => {
  it('withdraw() refuses anyone but the parties', async () => {
    const channel = await t.open()
    expect(await t.channelRevert(t.stranger, channel, 'withdraw')).toEqual({ name: 'NotParty', args: [] })
  })

  it('withdraw() by the consumer refuses with NotTerminated before and after startTermination', async () => {
    const channel = await t.open()
    expect(await t.channelRevert(t.consumer, channel, 'withdraw')).toEqual({
      name: 'NotTerminated',
      args: [],
    })
    await t.send(t.consumer, channel, 'startTermination')
    expect(await t.channelRevert(t.consumer, channel, 'withdraw')).toEqual({
      name: 'NotTerminated',
      args: [],
    })
    await t.advanceTime(TERMINATION_TIMEOUT)
    // Due but not yet terminated: still refused, and nothing moved.
    expect(await t.channelRevert(t.consumer, channel, 'withdraw')).toEqual({
      name: 'NotTerminated',
      args: [],
    })
    expect(await t.sendReverting(t.consumer, channel, 'withdraw')).toBe('reverted')
    expect(await t.state(channel)).toMatchObject({ consumerFunds: 1_000_000n, terminated: false })
    expect(await t.balance(channel)).toBe(1_000_000n)
  })

  it('withdraw() by the provider with no earnings reverts NothingToWithdraw', async () => {
    const channel = await t.open()
    expect(await t.channelRevert(t.provider, channel, 'withdraw')).toEqual({
      name: 'NothingToWithdraw',
      args: [],
    })
  })

  it('withdraw() by the consumer of an empty channel after termination reverts NothingToWithdraw', async () => {
    const channel = await t.open({ value: 0n })
    await t.send(t.provider, channel, 'terminate')
    expect(await t.channelRevert(t.consumer, channel, 'withdraw')).toEqual({
      name: 'NothingToWithdraw',
      args: [],
    })
  })

  it('withdraw() by the provider pays only once', async () => {
    const channel = await t.open()
    await t.startAndWait(channel, 2n)
    await t.send(t.provider, channel, 'redeem', [10n, await t.sign(channel, 1n, 10n)])
    await t.send(t.provider, channel, 'withdraw')
    expect(await t.channelRevert(t.provider, channel, 'withdraw')).toEqual({
      name: 'NothingToWithdraw',
      args: [],
    })
    expect(await t.balance(channel)).toBe(990_000n)
  })
})

describe('plain ether', () => {
  it('a channel refuses plain ether and calls to unknown functions', async () => {
    const channel = await t.open({ value: 1_000n })
    await expect(t.wallet(t.consumer).sendTransaction({ to: channel, value: 1n })).rejects.toThrow(
      /execution reverted/,
    )
    await expect(t.wallet(t.stranger).sendTransaction({ to: channel, value: 10n ** 18n })).rejects.toThrow(
      /execution reverted/,
    )
    // On chain too, not only in the estimate.
    const hash = await t.wallet(t.consumer).sendTransaction({ to: channel, value: 1n, gas: 100_000n })
    expect((await t.publicClient.waitForTransactionReceipt({ hash })).status).toBe('reverted')
    await expect(
      t.publicClient.call({ account: t.consumer, to: channel, data: '0x12345678' }),
    ).rejects.toThrow(/execution reverted/)
    expect(await t.balance(channel)).toBe(1_000n)
    expect((await t.state(channel)).consumerFunds).toBe(1_000n)
  })
})
