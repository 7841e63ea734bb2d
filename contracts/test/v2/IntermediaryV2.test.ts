import { type Abi, encodePacked, getAddress, keccak256, maxUint256, parseEventLogs } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryFactoryV2Abi, intermediaryV2Abi } from '../../generated'
import { checksum, eventsOf, PRICES, startV2Testbed, type V2Testbed } from './testbed'
import { highS, signTokenV2, tokenV2Digest } from './token'

/*
 * Contract tests of IntermediaryV2 and its factory: opening with a price table, the value of a
 * token (dot product of its counts with its token ID's prices, capped), and every refusal of a
 * token: wrong length, wrong prices, forged, malleable, replayed or already redeemed.
 */

let t: V2Testbed
beforeAll(async () => {
  t = await startV2Testbed()
})
afterAll(() => t?.stop())

const THREE = [1_000n, 7_000n, 50n]
const tableHash = (prices: readonly bigint[]) => keccak256(encodePacked(['uint256[]'], [[...prices]]))

const openRevert = (args: readonly unknown[], account = t.consumer) =>
  t.revertOf({
    account,
    address: t.factory,
    abi: intermediaryFactoryV2Abi as Abi,
    functionName: 'open',
    args,
  })

/** A channel with `prices` whose token 1 is in redemption and redeemable now. */
async function redeemable(prices: readonly bigint[] = THREE, value = 1_000_000n) {
  const channel = await t.open({ prices, value })
  await t.startAndWait(channel)
  return channel
}

describe('IntermediaryFactoryV2.open()', () => {
  it('open() deploys a channel with its price table, announced for token ID 1', async () => {
    const { channel, receipt } = await t.openChannel({ prices: THREE, value: 5_000n })
    const [opened] = parseEventLogs({
      abi: intermediaryFactoryV2Abi,
      logs: receipt.logs,
      eventName: 'ChannelOpened',
    })
    expect(opened?.args).toEqual({
      channel: getAddress(channel),
      consumer: checksum(t.consumer),
      provider: checksum(t.provider),
      prices: THREE,
      redemptionTimeout: 60n,
      terminationTimeout: 600n,
    })
    expect(eventsOf(receipt, channel)).toEqual([
      { eventName: 'PricesAnnounced', args: { fromTokenId: 1n, version: 0n, prices: THREE } },
      { eventName: 'Deposited', args: { from: checksum(t.consumer), amount: 5_000n, consumerFunds: 5_000n } },
    ])
    expect(await t.state(channel)).toEqual({
      consumerFunds: 5_000n,
      providerFunds: 0n,
      activeTokenId: 1n,
      expiringTokenId: 0n,
      lastTokenId: 1n,
      redeemableAt: 0n,
      terminatesAt: 0n,
      terminated: false,
      activeVersion: 0n,
      expiringVersion: 0n,
    })
    const read = (functionName: string, args: readonly unknown[] = []) =>
      t.publicClient.readContract({ address: channel, abi: intermediaryV2Abi as Abi, functionName, args })
    expect(await read('categories')).toBe(3n)
    expect(await read('initialPricesHash')).toBe(tableHash(THREE))
    expect(await read('pricesHash', [0n])).toBe(tableHash(THREE))
    expect(await read('consumer')).toBe(checksum(t.consumer))
    expect(await read('provider')).toBe(checksum(t.provider))
    expect(
      await t.publicClient.readContract({
        address: t.factory,
        abi: intermediaryFactoryV2Abi,
        functionName: 'isChannel',
        args: [channel],
      }),
    ).toBe(true)
  })

  it('open() refuses a table of no category, of more than 8, or with a zero price', async () => {
    const rt = 60n
    const tt = 600n
    const provider = t.provider.address
    expect(await openRevert([provider, [], rt, tt])).toEqual({ name: 'InvalidCategoryCount', args: [0n, 8n] })
    expect(await openRevert([provider, Array(9).fill(1n), rt, tt])).toEqual({
      name: 'InvalidCategoryCount',
      args: [9n, 8n],
    })
    expect(await openRevert([provider, [5n, 6n, 0n, 7n], rt, tt])).toEqual({ name: 'ZeroPrice', args: [2n] })
    // Eight categories is the most, and fine.
    await t.open({ prices: Array(8).fill(3n) })
  })

  it('open() keeps v1 checks of the provider and the timeouts', async () => {
    const p = t.provider.address
    expect(await openRevert([t.consumer.address, [1n], 60n, 600n])).toEqual({
      name: 'InvalidProvider',
      args: [],
    })
    expect(await openRevert([`0x${'0'.repeat(40)}`, [1n], 60n, 600n])).toEqual({
      name: 'InvalidProvider',
      args: [],
    })
    const max = 365n * 24n * 3600n
    expect(await openRevert([p, [1n], 0n, 600n])).toEqual({
      name: 'InvalidRedemptionTimeout',
      args: [max / 3n],
    })
    expect(await openRevert([p, [1n], 60n, 179n])).toEqual({
      name: 'TerminationTimeoutTooShort',
      args: [180n],
    })
    expect(await openRevert([p, [1n], max / 3n, max + 1n])).toEqual({
      name: 'TerminationTimeoutTooLong',
      args: [max],
    })
  })
})

describe('IntermediaryV2 tokens', () => {
  it('tokenDigest() equals the EIP-712 digest of Token(uint256 tokenId,uint256[] requests)', async () => {
    const channel = await t.open({ prices: THREE })
    for (const requests of [
      [0n, 0n, 0n],
      [3n, 2n, 10n],
      [maxUint256, 1n, 0n],
    ]) {
      expect(
        await t.publicClient.readContract({
          address: channel,
          abi: intermediaryV2Abi,
          functionName: 'tokenDigest',
          args: [7n, requests],
        }),
      ).toBe(tokenV2Digest({ chainId: t.chain.id, channel, tokenId: 7n, requests }))
    }
  })

  it('redeem() pays the dot product of the counts with the token ID prices', async () => {
    const channel = await redeemable()
    const requests = [3n, 2n, 10n]
    const receipt = await t.send(t.provider, channel, 'redeem', [
      requests,
      THREE,
      await t.sign(channel, 1n, requests),
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
        await t.sign(channel, 1n, requests),
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
          await t.sign(channel, 1n, requests),
        ]),
      ).toEqual({ name: 'CategoryCountMismatch', args: [3n, BigInt(requests.length)] })
    }
  })

  it('redeem() refuses a price table that is not the token ID one', async () => {
    const channel = await redeemable()
    const requests = [1n, 1n, 1n]
    const signature = await t.sign(channel, 1n, requests)
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
    const valid = await t.sign(channel, 1n, requests)
    const refused = {
      'high-s twin': highS(valid),
      'signed by the provider': await t.sign(channel, 1n, requests, t.provider),
      'signed by a stranger': await t.sign(channel, 1n, requests, t.stranger),
      'another token ID': await t.sign(channel, 2n, requests),
      'another channel': await t.sign(other, 1n, requests),
      'another chain': await signTokenV2({
        account: t.consumer,
        chainId: t.chain.id + 1,
        channel,
        tokenId: 1n,
        requests,
      }),
      'other counts': await t.sign(channel, 1n, [1n, 2n, 2n]),
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
    const signature = await t.sign(channel, 1n, requests)
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
      await t.sign(channel, 1n, requests),
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
        await t.sign(channel, 1n, requests),
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
