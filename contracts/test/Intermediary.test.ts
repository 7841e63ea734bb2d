import { type Address, keccak256, toBytes } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tokenDigest } from '../../packages/payment-client/src/token'
import { intermediaryAbi } from '../generated'
import {
  COST,
  checksum,
  eventsOf,
  feeOf,
  type IntermediaryTestbed,
  REDEMPTION_TIMEOUT,
  startIntermediaryTestbed,
  TERMINATION_TIMEOUT,
} from './intermediary'

/*
 * Contract tests of Intermediary: the full life cycle with exact state and event arguments.
 */

let t: IntermediaryTestbed
beforeAll(async () => {
  t = await startIntermediaryTestbed()
})
afterAll(() => t?.stop())

describe('Intermediary life cycle', () => {
  let channel: Address
  let redeemableAt: bigint
  let terminatesAt: bigint

  it('open() creates the channel with its terms, token ID 1 and the first deposit', async () => {
    const { channel: opened, receipt } = await t.openChannel({
      factory: t.factory,
      consumer: t.consumer,
      provider: t.provider.address,
      costPerRequest: COST,
      redemptionTimeout: REDEMPTION_TIMEOUT,
      terminationTimeout: TERMINATION_TIMEOUT,
      value: 1_000_000n,
    })
    channel = opened
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Deposited',
        args: { from: checksum(t.consumer), amount: 1_000_000n, consumerFunds: 1_000_000n },
      },
    ])
    expect(await t.state(channel)).toEqual({
      address: channel,
      consumer: t.consumer.address.toLowerCase(),
      provider: t.provider.address.toLowerCase(),
      costPerRequest: COST,
      redemptionTimeout: REDEMPTION_TIMEOUT,
      terminationTimeout: TERMINATION_TIMEOUT,
      consumerFunds: 1_000_000n,
      providerFunds: 0n,
      activeTokenId: 1n,
      expiringTokenId: 0n,
      redeemableAt: 0n,
      lastTokenId: 1n,
      terminatesAt: 0n,
      terminated: false,
    })
    expect(await t.balance(channel)).toBe(1_000_000n)
    const read = (functionName: 'factory' | 'TOKEN_TYPEHASH') =>
      t.publicClient.readContract({ address: channel, abi: intermediaryAbi, functionName })
    expect((await read('factory')).toLowerCase()).toBe(t.factory.toLowerCase())
    expect(await read('TOKEN_TYPEHASH')).toBe(keccak256(toBytes('Token(uint256 tokenId,uint256 requests)')))
  })

  it('tokenDigest() equals the EIP-712 digest of lib/token', async () => {
    const digest = await t.publicClient.readContract({
      address: channel,
      abi: intermediaryAbi,
      functionName: 'tokenDigest',
      args: [1n, 42n],
    })
    expect(digest).toBe(tokenDigest({ chainId: t.chain.id, channel, tokenId: 1n, requests: 42n }))
  })

  it('deposit() adds to the consumer funds and emits Deposited', async () => {
    const receipt = await t.send(t.consumer, channel, 'deposit', [], 500_000n)
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Deposited',
        args: { from: checksum(t.consumer), amount: 500_000n, consumerFunds: 1_500_000n },
      },
    ])
    const s = await t.state(channel)
    expect(s.consumerFunds).toBe(1_500_000n)
    expect(s.providerFunds).toBe(0n)
    expect(await t.balance(channel)).toBe(1_500_000n)
  })

  it('startRedemption() makes the active token ID expiring and activates the new one', async () => {
    const receipt = await t.send(t.provider, channel, 'startRedemption', [7n])
    redeemableAt = (await t.timestampOf(receipt)) + REDEMPTION_TIMEOUT
    expect(eventsOf(receipt, channel)).toEqual([
      { eventName: 'RedemptionStarted', args: { expiringTokenId: 1n, activeTokenId: 7n, redeemableAt } },
    ])
    const s = await t.state(channel)
    expect([s.activeTokenId, s.expiringTokenId, s.redeemableAt, s.lastTokenId]).toEqual([
      7n,
      1n,
      redeemableAt,
      7n,
    ])
  })

  it('redeem() after the timeout pays the consumer-signed token of the expiring ID', async () => {
    await t.advanceTime(REDEMPTION_TIMEOUT)
    const receipt = await t.send(t.provider, channel, 'redeem', [300n, await t.sign(channel, 1n, 300n)])
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Redeemed',
        args: {
          tokenId: 1n,
          requests: 300n,
          amount: 300_000n,
          consumerFunds: 1_200_000n,
          providerFunds: 300_000n,
        },
      },
    ])
    const s = await t.state(channel)
    expect([s.consumerFunds, s.providerFunds, s.activeTokenId, s.expiringTokenId, s.redeemableAt]).toEqual([
      1_200_000n,
      300_000n,
      7n,
      0n,
      0n,
    ])
    expect(await t.balance(channel)).toBe(1_500_000n)
  })

  it('redeem() cannot redeem the same token ID twice', async () => {
    expect(
      await t.channelRevert(t.provider, channel, 'redeem', [300n, await t.sign(channel, 1n, 300n)]),
    ).toEqual({
      name: 'NoRedemptionPending',
      args: [],
    })
  })

  it('startRedemption() refuses an old token ID', async () => {
    expect(await t.channelRevert(t.provider, channel, 'startRedemption', [1n])).toEqual({
      name: 'TokenIdUsed',
      args: [1n, 7n],
    })
    expect(await t.channelRevert(t.provider, channel, 'startRedemption', [7n])).toEqual({
      name: 'TokenIdUsed',
      args: [7n, 7n],
    })
  })

  it('withdraw() pays the provider its earnings and emits Withdrawn', async () => {
    const before = await t.balance(t.provider.address)
    const receipt = await t.send(t.provider, channel, 'withdraw')
    expect(eventsOf(receipt, channel)).toEqual([
      { eventName: 'Withdrawn', args: { to: checksum(t.provider), amount: 300_000n } },
    ])
    expect((await t.balance(t.provider.address)) - before + feeOf(receipt)).toBe(300_000n)
    const s = await t.state(channel)
    expect([s.consumerFunds, s.providerFunds]).toEqual([1_200_000n, 0n])
    expect(await t.balance(channel)).toBe(1_200_000n)
  })

  it('startTermination() sets the deadline and emits TerminationStarted', async () => {
    const receipt = await t.send(t.consumer, channel, 'startTermination')
    terminatesAt = (await t.timestampOf(receipt)) + TERMINATION_TIMEOUT
    expect(eventsOf(receipt, channel)).toEqual([
      { eventName: 'TerminationStarted', args: { by: checksum(t.consumer), terminatesAt } },
    ])
    const s = await t.state(channel)
    expect([s.terminatesAt, s.terminated, s.activeTokenId]).toEqual([terminatesAt, false, 7n])
  })

  it('deposit() is refused once termination started', async () => {
    expect(await t.channelRevert(t.consumer, channel, 'deposit', [], { value: 1n })).toEqual({
      name: 'TerminationAlreadyStarted',
      args: [],
    })
  })

  it('startTermination() cannot be restarted or postponed', async () => {
    await t.advanceTime(100)
    expect(await t.channelRevert(t.consumer, channel, 'startTermination')).toEqual({
      name: 'TerminationAlreadyStarted',
      args: [],
    })
    expect(await t.sendReverting(t.consumer, channel, 'startTermination')).toBe('reverted')
    expect((await t.state(channel)).terminatesAt).toBe(terminatesAt)
  })

  it('startRedemption() after startTermination ignores newTokenId and leaves no active token ID', async () => {
    const receipt = await t.send(t.provider, channel, 'startRedemption', [1_000n])
    const at = (await t.timestampOf(receipt)) + REDEMPTION_TIMEOUT
    expect(eventsOf(receipt, channel)).toEqual([
      { eventName: 'RedemptionStarted', args: { expiringTokenId: 7n, activeTokenId: 0n, redeemableAt: at } },
    ])
    const s = await t.state(channel)
    expect([s.activeTokenId, s.expiringTokenId, s.redeemableAt, s.lastTokenId]).toEqual([0n, 7n, at, 7n])
  })

  it('redeem() pays the last token during termination', async () => {
    await t.advanceTime(REDEMPTION_TIMEOUT)
    const receipt = await t.send(t.provider, channel, 'redeem', [50n, await t.sign(channel, 7n, 50n)])
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Redeemed',
        args: {
          tokenId: 7n,
          requests: 50n,
          amount: 50_000n,
          consumerFunds: 1_150_000n,
          providerFunds: 50_000n,
        },
      },
    ])
  })

  it('startRedemption() has no token left to redeem during termination', async () => {
    expect(await t.channelRevert(t.provider, channel, 'startRedemption', [2_000n])).toEqual({
      name: 'NoActiveToken',
      args: [],
    })
  })

  it('terminate() by the consumer is refused before the deadline', async () => {
    expect(await t.channelRevert(t.consumer, channel, 'terminate', [], { time: terminatesAt - 1n })).toEqual({
      name: 'TerminationNotDue',
      args: [terminatesAt],
    })
    expect(await t.channelRevert(t.consumer, channel, 'terminate')).toEqual({
      name: 'TerminationNotDue',
      args: [terminatesAt],
    })
  })

  it('withdraw() by the consumer is refused before termination completed', async () => {
    expect(await t.channelRevert(t.consumer, channel, 'withdraw')).toEqual({
      name: 'NotTerminated',
      args: [],
    })
    expect(await t.channelRevert(t.consumer, channel, 'withdraw', [], { time: terminatesAt })).toEqual({
      name: 'NotTerminated',
      args: [],
    })
  })

  it('terminate() by the consumer at the deadline ends the channel and emits Terminated', async () => {
    await t.testClient.setNextBlockTimestamp({ timestamp: terminatesAt })
    const receipt = await t.send(t.consumer, channel, 'terminate')
    expect(await t.timestampOf(receipt)).toBe(terminatesAt)
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Terminated',
        args: { by: checksum(t.consumer), consumerRefund: 1_150_000n, providerPayout: 50_000n },
      },
    ])
    const s = await t.state(channel)
    expect(s).toMatchObject({
      consumerFunds: 1_150_000n,
      providerFunds: 50_000n,
      activeTokenId: 0n,
      expiringTokenId: 0n,
      redeemableAt: 0n,
      lastTokenId: 7n,
      terminatesAt,
      terminated: true,
    })
    expect(await t.balance(channel)).toBe(1_200_000n)
  })

  it('withdraw() pays the consumer its refund and the provider its payout after termination', async () => {
    const consumerBefore = await t.balance(t.consumer.address)
    const refund = await t.send(t.consumer, channel, 'withdraw')
    expect(eventsOf(refund, channel)).toEqual([
      { eventName: 'Withdrawn', args: { to: checksum(t.consumer), amount: 1_150_000n } },
    ])
    expect((await t.balance(t.consumer.address)) - consumerBefore + feeOf(refund)).toBe(1_150_000n)

    const providerBefore = await t.balance(t.provider.address)
    const payout = await t.send(t.provider, channel, 'withdraw')
    expect(eventsOf(payout, channel)).toEqual([
      { eventName: 'Withdrawn', args: { to: checksum(t.provider), amount: 50_000n } },
    ])
    expect((await t.balance(t.provider.address)) - providerBefore + feeOf(payout)).toBe(50_000n)

    const s = await t.state(channel)
    expect([s.consumerFunds, s.providerFunds]).toEqual([0n, 0n])
    expect(await t.balance(channel)).toBe(0n)
  })

  it('withdraw() has nothing left for either party', async () => {
    expect(await t.channelRevert(t.consumer, channel, 'withdraw')).toEqual({
      name: 'NothingToWithdraw',
      args: [],
    })
    expect(await t.channelRevert(t.provider, channel, 'withdraw')).toEqual({
      name: 'NothingToWithdraw',
      args: [],
    })
  })
})
