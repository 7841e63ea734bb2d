import { type Abi, keccak256, maxUint256, toBytes } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryV2Abi } from '../../generated'
import { eventsOf, PRICES, startV2Testbed, type V2Testbed } from './testbed'
import { highS, signTokenV2, tokenV2Digest } from './token'

/*
 * Contract tests of IntermediaryV2's tokens: the value of a token (dot product of its counts
 * with its token ID's prices, capped), and every refusal of a token: wrong length, wrong prices,
 * signed at other prices, forged, malleable, replayed or already redeemed. Opening is in
 * IntermediaryV2.opening.test.ts.
 */

let t: V2Testbed
beforeAll(async () => {
  t = await startV2Testbed()
})
afterAll(() => t?.stop())

const THREE = [1_000n, 7_000n, 50n]

/** A channel with `prices` whose token 1 is in redemption and redeemable now. */
async function redeemable(prices: readonly bigint[] = THREE, value = 1_000_000n) {
  const channel = await t.open({ prices, value })
  await t.startAndWait(channel)
  return channel
}

describe('IntermediaryV2 tokens', () => {
  it('tokenDigest() equals the EIP-712 digest of Token(uint256 tokenId,uint256[] prices,uint256[] requests)', async () => {
    const channel = await t.open({ prices: THREE })
    const read = (functionName: 'TOKEN_TYPEHASH' | 'tokenDigest', args?: readonly unknown[]) =>
      t.publicClient.readContract({ address: channel, abi: intermediaryV2Abi as Abi, functionName, args })
    expect(await read('TOKEN_TYPEHASH')).toBe(
      keccak256(toBytes('Token(uint256 tokenId,uint256[] prices,uint256[] requests)')),
    )
    const digests = new Set<unknown>()
    for (const prices of [THREE, [1n, 1n, 1n]]) {
      for (const requests of [
        [0n, 0n, 0n],
        [3n, 2n, 10n],
        [maxUint256, 1n, 0n],
      ]) {
        const digest = await read('tokenDigest', [7n, prices, requests])
        expect(digest).toBe(tokenV2Digest({ chainId: t.chain.id, channel, tokenId: 7n, prices, requests }))
        digests.add(digest)
      }
    }
    // The prices are part of what is signed: the same counts at another table are another token.
    expect(digests.size).toBe(6)
  })

  it('redeem() pays the dot product of the counts with the token ID prices', async () => {
    const channel = await redeemable()
    const requests = [3n, 2n, 10n]
    const receipt = await t.send(t.provider, channel, 'redeem', [
      requests,
      THREE,
      await t.sign(channel, 1n, THREE, requests),
    ])
    // 3 * 1,000 + 2 * 7,000 + 10 * 50
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Redeemed',
        args: {
          tokenId: 1n,
          requests,
          prices: THREE,
          amount: 17_500n,
          consumerFunds: 982_500n,
          providerFunds: 17_500n,
        },
      },
    ])
    expect(await t.state(channel)).toMatchObject({
      consumerFunds: 982_500n,
      providerFunds: 17_500n,
      expiringTokenId: 0n,
      redeemableAt: 0n,
      activeTokenId: 2n,
    })
  })

  it('redeem() pays at most the consumer funds, also for counts whose product overflows', async () => {
    for (const requests of [
      [5n, 1n, 1n],
      [maxUint256, 0n, 0n],
      [0n, 0n, maxUint256],
      [1n, maxUint256, maxUint256],
    ]) {
      const channel = await redeemable(THREE, 10_000n)
      const receipt = await t.send(t.provider, channel, 'redeem', [
        requests,
        THREE,
        await t.sign(channel, 1n, THREE, requests),
      ])
      const [redeemed] = eventsOf(receipt, channel)
      expect(redeemed?.args).toMatchObject({ amount: 10_000n, consumerFunds: 0n, providerFunds: 10_000n })
    }
  })

  it('redeem() refuses counts of another length than the categories (a category out of range)', async () => {
    const channel = await redeemable()
    for (const requests of [
      [1n, 1n],
      [1n, 1n, 1n, 1n],
    ]) {
      expect(
        await t.channelRevert(t.provider, channel, 'redeem', [
          requests,
          THREE,
          await t.sign(channel, 1n, THREE, requests),
        ]),
      ).toEqual({ name: 'CategoryCountMismatch', args: [3n, BigInt(requests.length)] })
    }
  })

  it('redeem() refuses a price table that is not the token ID one', async () => {
    const channel = await redeemable()
    const requests = [1n, 1n, 1n]
    const signature = await t.sign(channel, 1n, THREE, requests)
    for (const prices of [[1_000n, 7_000n, 51n], [1n, 1n, 1n], [1_000n, 7_000n], [...THREE, 1n], []]) {
      expect(await t.channelRevert(t.provider, channel, 'redeem', [requests, prices, signature])).toEqual({
        name: 'WrongPrices',
        args: [1n],
      })
    }
  })

  it('redeem() refuses forged, malleable, replayed and inflated tokens', async () => {
    const channel = await redeemable()
    const other = await t.open({ prices: THREE })
    const requests = [1n, 2n, 3n]
    const valid = await t.sign(channel, 1n, THREE, requests)
    const refused = {
      'high-s twin': highS(valid),
      'signed by the provider': await t.sign(channel, 1n, THREE, requests, t.provider),
      'signed by a stranger': await t.sign(channel, 1n, THREE, requests, t.stranger),
      'another token ID': await t.sign(channel, 2n, THREE, requests),
      'another channel': await t.sign(other, 1n, THREE, requests),
      'another chain': await signTokenV2({
        account: t.consumer,
        chainId: t.chain.id + 1,
        channel,
        tokenId: 1n,
        prices: THREE,
        requests,
      }),
      'other counts': await t.sign(channel, 1n, THREE, [1n, 2n, 2n]),
      // Valid for token 1 at a table the channel never had: the signed prices are not the ID's.
      'other prices': await t.sign(channel, 1n, [1_000n, 7_000n, 5_000n], requests),
      garbage: `0x${'ab'.repeat(65)}`,
      'too short': valid.slice(0, 130),
    }
    for (const [label, signature] of Object.entries(refused)) {
      expect({
        label,
        error: await t.channelRevert(t.provider, channel, 'redeem', [requests, THREE, signature]),
      }).toEqual({
        label,
        error: { name: 'InvalidSignature', args: [] },
      })
    }
    await t.send(t.provider, channel, 'redeem', [requests, THREE, valid])
  })

  it('a token is redeemed once: neither again nor on a later token ID', async () => {
    const channel = await redeemable()
    const requests = [1n, 0n, 0n]
    const signature = await t.sign(channel, 1n, THREE, requests)
    await t.send(t.provider, channel, 'redeem', [requests, THREE, signature])
    expect(await t.channelRevert(t.provider, channel, 'redeem', [requests, THREE, signature])).toEqual({
      name: 'NoRedemptionPending',
      args: [],
    })
    await t.startAndWait(channel)
    expect(await t.channelRevert(t.provider, channel, 'redeem', [requests, THREE, signature])).toEqual({
      name: 'InvalidSignature',
      args: [],
    })
    expect((await t.state(channel)).providerFunds).toBe(1_000n)
  })

  it('redeemAndStartRedemption() redeems and starts the next redemption in one transaction', async () => {
    const channel = await redeemable()
    const requests = [1n, 1n, 1n]
    const receipt = await t.send(t.provider, channel, 'redeemAndStartRedemption', [
      requests,
      THREE,
      await t.sign(channel, 1n, THREE, requests),
    ])
    const due = (await t.timestampOf(receipt)) + 60n
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Redeemed',
        args: {
          tokenId: 1n,
          requests,
          prices: THREE,
          amount: 8_050n,
          consumerFunds: 991_950n,
          providerFunds: 8_050n,
        },
      },
      { eventName: 'RedemptionStarted', args: { expiringTokenId: 2n, activeTokenId: 3n, redeemableAt: due } },
    ])
    expect(await t.state(channel)).toMatchObject({
      expiringTokenId: 2n,
      activeTokenId: 3n,
      redeemableAt: due,
    })
    // Either part's refusal refuses the whole: here the token, so nothing was started either.
    await t.advanceTime(60n)
    expect(
      await t.channelRevert(t.provider, channel, 'redeemAndStartRedemption', [
        requests,
        THREE,
        await t.sign(channel, 1n, THREE, requests),
      ]),
    ).toEqual({ name: 'InvalidSignature', args: [] })
    expect(await t.channelRevert(t.consumer, channel, 'redeemAndStartRedemption', [[], [], '0x'])).toEqual({
      name: 'NotProvider',
      args: [],
    })
  })

  it('redeemAndStartRedemption() is refused as a whole once termination closed the active ID', async () => {
    const channel = await t.open({ prices: THREE })
    await t.send(t.consumer, channel, 'startTermination')
    await t.startAndWait(channel)
    expect(await t.channelRevert(t.provider, channel, 'redeemAndStartRedemption', [[], [], '0x'])).toEqual({
      name: 'NoActiveToken',
      args: [],
    })
    await t.send(t.provider, channel, 'redeem', [[], [], '0x'])
  })

  it('redeem() with no counts closes a redemption that has no valid token, paying nothing', async () => {
    const channel = await redeemable()
    // The prices of a closing call are not checked, so junk ones stay out of the event.
    const receipt = await t.send(t.provider, channel, 'redeem', [[], [9n], '0x'])
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Redeemed',
        args: {
          tokenId: 1n,
          requests: [],
          prices: [],
          amount: 0n,
          consumerFunds: 1_000_000n,
          providerFunds: 0n,
        },
      },
    ])
    expect(await t.state(channel)).toMatchObject({
      expiringTokenId: 0n,
      activeTokenId: 2n,
      providerFunds: 0n,
    })
  })

  it('redeem() and startRedemption() are the provider alone, redeem() only when due', async () => {
    const channel = await t.open({ prices: PRICES })
    expect(await t.channelRevert(t.consumer, channel, 'startRedemption')).toEqual({
      name: 'NotProvider',
      args: [],
    })
    expect(await t.channelRevert(t.provider, channel, 'redeem', [[], [], '0x'])).toEqual({
      name: 'NoRedemptionPending',
      args: [],
    })
    const started = await t.send(t.provider, channel, 'startRedemption')
    const due = (await t.timestampOf(started)) + 60n
    expect(eventsOf(started, channel)).toEqual([
      { eventName: 'RedemptionStarted', args: { expiringTokenId: 1n, activeTokenId: 2n, redeemableAt: due } },
    ])
    expect(await t.channelRevert(t.provider, channel, 'startRedemption')).toEqual({
      name: 'RedemptionPending',
      args: [1n],
    })
    expect(await t.channelRevert(t.provider, channel, 'redeem', [[], [], '0x'], { time: due - 1n })).toEqual({
      name: 'RedemptionNotDue',
      args: [due],
    })
    expect(await t.channelRevert(t.stranger, channel, 'redeem', [[], [], '0x'], { time: due })).toEqual({
      name: 'NotProvider',
      args: [],
    })
  })
})
