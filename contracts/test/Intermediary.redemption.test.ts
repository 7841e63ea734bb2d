import { maxUint256 } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  eventsOf,
  type IntermediaryTestbed,
  REDEMPTION_TIMEOUT,
  startIntermediaryTestbed,
} from './intermediary'

/*
 * Contract tests of Intermediary's redemptions: every refusal of startRedemption() and redeem()
 * with its decoded custom error and arguments, the boundaries of the timeout and of the funds.
 */

let t: IntermediaryTestbed
beforeAll(async () => {
  t = await startIntermediaryTestbed()
})
afterAll(() => t?.stop())

describe('startRedemption()', () => {
  it('startRedemption() refuses anyone but the provider', async () => {
    const channel = await t.open()
    expect(await t.channelRevert(t.consumer, channel, 'startRedemption', [2n])).toEqual({
      name: 'NotProvider',
      args: [],
    })
    expect(await t.channelRevert(t.stranger, channel, 'startRedemption', [2n])).toEqual({
      name: 'NotProvider',
      args: [],
    })
  })

  it('startRedemption() is refused while a redemption is pending', async () => {
    const channel = await t.open()
    await t.send(t.provider, channel, 'startRedemption', [2n])
    expect(await t.channelRevert(t.provider, channel, 'startRedemption', [3n])).toEqual({
      name: 'RedemptionPending',
      args: [1n],
    })
    await t.advanceTime(REDEMPTION_TIMEOUT * 10n)
    expect(await t.channelRevert(t.provider, channel, 'startRedemption', [3n])).toEqual({
      name: 'RedemptionPending',
      args: [1n],
    })
  })

  it('startRedemption() refuses token ID 0 and the current ID', async () => {
    const channel = await t.open()
    expect(await t.channelRevert(t.provider, channel, 'startRedemption', [0n])).toEqual({
      name: 'TokenIdUsed',
      args: [0n, 1n],
    })
    expect(await t.channelRevert(t.provider, channel, 'startRedemption', [1n])).toEqual({
      name: 'TokenIdUsed',
      args: [1n, 1n],
    })
  })

  it('startRedemption() refuses reusing an old token ID and accepts any higher one', async () => {
    const channel = await t.open()
    await t.startAndWait(channel, 5n)
    await t.send(t.provider, channel, 'redeem', [0n, '0x'])
    for (const reused of [1n, 4n, 5n]) {
      expect(await t.channelRevert(t.provider, channel, 'startRedemption', [reused])).toEqual({
        name: 'TokenIdUsed',
        args: [reused, 5n],
      })
    }
    const receipt = await t.send(t.provider, channel, 'startRedemption', [maxUint256])
    expect(eventsOf(receipt, channel)[0]?.args).toMatchObject({
      expiringTokenId: 5n,
      activeTokenId: maxUint256,
    })
    expect((await t.state(channel)).lastTokenId).toBe(maxUint256)
  })

  it('startRedemption() is refused after termination', async () => {
    const channel = await t.open()
    await t.send(t.provider, channel, 'terminate')
    expect(await t.channelRevert(t.provider, channel, 'startRedemption', [9n])).toEqual({
      name: 'AlreadyTerminated',
      args: [],
    })
  })

  it('startRedemption() refuses when the last token is already in redemption during termination', async () => {
    const channel = await t.open()
    await t.send(t.consumer, channel, 'startTermination')
    await t.send(t.provider, channel, 'startRedemption', [9n])
    expect(await t.channelRevert(t.provider, channel, 'startRedemption', [10n])).toEqual({
      name: 'RedemptionPending',
      args: [1n],
    })
    await t.advanceTime(REDEMPTION_TIMEOUT)
    await t.send(t.provider, channel, 'redeem', [0n, '0x'])
    expect(await t.channelRevert(t.provider, channel, 'startRedemption', [10n])).toEqual({
      name: 'NoActiveToken',
      args: [],
    })
  })
})

describe('redeem()', () => {
  it('redeem() refuses anyone but the provider', async () => {
    const channel = await t.open()
    await t.startAndWait(channel, 2n)
    const signature = await t.sign(channel, 1n, 1n)
    expect(await t.channelRevert(t.consumer, channel, 'redeem', [1n, signature])).toEqual({
      name: 'NotProvider',
      args: [],
    })
    expect(await t.channelRevert(t.stranger, channel, 'redeem', [1n, signature])).toEqual({
      name: 'NotProvider',
      args: [],
    })
  })

  it('redeem() refuses when no redemption was started', async () => {
    const channel = await t.open()
    expect(await t.channelRevert(t.provider, channel, 'redeem', [1n, await t.sign(channel, 1n, 1n)])).toEqual(
      {
        name: 'NoRedemptionPending',
        args: [],
      },
    )
  })

  it('redeem() is refused before the timeout and accepted exactly at redeemableAt', async () => {
    const channel = await t.open()
    const started = await t.send(t.provider, channel, 'startRedemption', [2n])
    const at = (await t.timestampOf(started)) + REDEMPTION_TIMEOUT
    const signature = await t.sign(channel, 1n, 4n)
    expect(await t.channelRevert(t.provider, channel, 'redeem', [4n, signature])).toEqual({
      name: 'RedemptionNotDue',
      args: [at],
    })
    expect(await t.channelRevert(t.provider, channel, 'redeem', [4n, signature], { time: at - 1n })).toEqual({
      name: 'RedemptionNotDue',
      args: [at],
    })
    await t.testClient.setNextBlockTimestamp({ timestamp: at - 1n })
    expect(await t.sendReverting(t.provider, channel, 'redeem', [4n, signature])).toBe('reverted')
    expect((await t.state(channel)).expiringTokenId).toBe(1n)

    await t.testClient.setNextBlockTimestamp({ timestamp: at })
    const receipt = await t.send(t.provider, channel, 'redeem', [4n, signature])
    expect(await t.timestampOf(receipt)).toBe(at)
    expect(eventsOf(receipt, channel)[0]?.args).toEqual({
      tokenId: 1n,
      requests: 4n,
      amount: 4_000n,
      consumerFunds: 996_000n,
      providerFunds: 4_000n,
    })
  })

  it('redeem() refuses a token of the active ID instead of the expiring one', async () => {
    const channel = await t.open()
    await t.startAndWait(channel, 2n)
    expect(await t.channelRevert(t.provider, channel, 'redeem', [5n, await t.sign(channel, 2n, 5n)])).toEqual(
      {
        name: 'InvalidSignature',
        args: [],
      },
    )
  })

  it('redeem() refuses a request count other than the signed one', async () => {
    const channel = await t.open()
    await t.startAndWait(channel, 2n)
    expect(
      await t.channelRevert(t.provider, channel, 'redeem', [11n, await t.sign(channel, 1n, 10n)]),
    ).toEqual({
      name: 'InvalidSignature',
      args: [],
    })
  })

  it('redeem() refuses after termination', async () => {
    const channel = await t.open()
    await t.startAndWait(channel, 2n)
    await t.send(t.provider, channel, 'terminate')
    expect(await t.channelRevert(t.provider, channel, 'redeem', [1n, await t.sign(channel, 1n, 1n)])).toEqual(
      {
        name: 'AlreadyTerminated',
        args: [],
      },
    )
  })

  it('redeem() with requests=0 closes the redemption without a signature and pays nothing', async () => {
    const channel = await t.open({ value: 9_000n })
    await t.startAndWait(channel, 2n)
    const receipt = await t.send(t.provider, channel, 'redeem', [0n, '0xdeadbeef'])
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Redeemed',
        args: { tokenId: 1n, requests: 0n, amount: 0n, consumerFunds: 9_000n, providerFunds: 0n },
      },
    ])
    expect(await t.state(channel)).toMatchObject({
      consumerFunds: 9_000n,
      providerFunds: 0n,
      activeTokenId: 2n,
      expiringTokenId: 0n,
      redeemableAt: 0n,
    })
    // The redemption is closed: the next one can start.
    await t.send(t.provider, channel, 'startRedemption', [3n])
    expect((await t.state(channel)).expiringTokenId).toBe(2n)
  })

  it('redeem() of a token worth more than the funds pays exactly the remaining funds', async () => {
    const channel = await t.open({ value: 7_500n })
    await t.startAndWait(channel, 2n)
    const receipt = await t.send(t.provider, channel, 'redeem', [8n, await t.sign(channel, 1n, 8n)])
    expect(eventsOf(receipt, channel)[0]?.args).toEqual({
      tokenId: 1n,
      requests: 8n,
      amount: 7_500n,
      consumerFunds: 0n,
      providerFunds: 7_500n,
    })
    expect(await t.balance(channel)).toBe(7_500n)
  })

  it('redeem() of a token worth exactly the funds pays it in full', async () => {
    const channel = await t.open({ value: 8_000n })
    await t.startAndWait(channel, 2n)
    const receipt = await t.send(t.provider, channel, 'redeem', [8n, await t.sign(channel, 1n, 8n)])
    expect(eventsOf(receipt, channel)[0]?.args).toMatchObject({
      amount: 8_000n,
      consumerFunds: 0n,
      providerFunds: 8_000n,
    })
  })

  it('redeem() of a token with 2^256-1 requests caps at the funds without overflowing', async () => {
    const channel = await t.open({ value: 12_345n })
    await t.startAndWait(channel, 2n)
    const receipt = await t.send(t.provider, channel, 'redeem', [
      maxUint256,
      await t.sign(channel, 1n, maxUint256),
    ])
    expect(eventsOf(receipt, channel)[0]?.args).toEqual({
      tokenId: 1n,
      requests: maxUint256,
      amount: 12_345n,
      consumerFunds: 0n,
      providerFunds: 12_345n,
    })
  })

  it('redeem() after a redemption reverts NoRedemptionPending', async () => {
    const channel = await t.open()
    await t.startAndWait(channel, 2n)
    const signature = await t.sign(channel, 1n, 2n)
    await t.send(t.provider, channel, 'redeem', [2n, signature])
    expect(await t.channelRevert(t.provider, channel, 'redeem', [2n, signature])).toEqual({
      name: 'NoRedemptionPending',
      args: [],
    })
    expect((await t.state(channel)).providerFunds).toBe(2_000n)
  })
})
