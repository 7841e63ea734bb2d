import fc from 'fast-check'
import { type Abi, type Address, encodePacked, keccak256, numberToHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryV2Abi } from '../../generated'
import { eventsOf, startV2Testbed, type V2Testbed } from './testbed'
import { tokenValue } from './token'

/*
 * Contract tests of IntermediaryV2's price changes (P2): a new table is announced only when a
 * redemption starts and applies from the new token ID on, so a token of ID k is valued at k's
 * prices and at no other table of the channel's history.
 */

let t: V2Testbed
beforeAll(async () => {
  t = await startV2Testbed()
})
afterAll(() => t?.stop())

const OLD = [1_000n, 2_000n]
const NEW = [3_000n, 500n]
const tableHash = (prices: readonly bigint[]) => keccak256(encodePacked(['uint256[]'], [[...prices]]))
const pricesHash = (channel: Address, version: bigint) =>
  t.publicClient.readContract({
    address: channel,
    abi: intermediaryV2Abi,
    functionName: 'pricesHash',
    args: [version],
  })

describe('startRedemptionWithPrices()', () => {
  it('prices the new token ID only: the expiring one keeps its table', async () => {
    const channel = await t.open({ prices: OLD })
    const started = await t.startAndWait(channel, NEW)
    const due = (await t.timestampOf(started)) + 60n
    expect(eventsOf(started, channel)).toEqual([
      { eventName: 'RedemptionStarted', args: { expiringTokenId: 1n, activeTokenId: 2n, redeemableAt: due } },
      { eventName: 'PricesAnnounced', args: { fromTokenId: 2n, version: 1n, prices: NEW } },
    ])
    expect(await t.state(channel)).toMatchObject({
      activeTokenId: 2n,
      activeVersion: 1n,
      expiringVersion: 0n,
    })
    expect(await pricesHash(channel, 1n)).toBe(tableHash(NEW))
    expect(await pricesHash(channel, 0n)).toBe(tableHash(OLD))

    // Token 1 is worth 1 * 1,000 + 1 * 2,000 at the old table, and cannot be valued at the new one.
    const one = [1n, 1n]
    const signature1 = await t.sign(channel, 1n, OLD, one)
    expect(await t.channelRevert(t.provider, channel, 'redeem', [one, NEW, signature1])).toEqual({
      name: 'WrongPrices',
      args: [1n],
    })
    const redeemed1 = await t.send(t.provider, channel, 'redeem', [one, OLD, signature1])
    expect(eventsOf(redeemed1, channel)[0]?.args).toMatchObject({ tokenId: 1n, prices: OLD, amount: 3_000n })

    // Token 2 (priced when it became active) is worth 1 * 3,000 + 1 * 500, also after an
    // unchanged start carried its table over to token 3.
    await t.startAndWait(channel)
    expect(await t.state(channel)).toMatchObject({
      activeTokenId: 3n,
      activeVersion: 1n,
      expiringVersion: 1n,
    })
    const signature2 = await t.sign(channel, 2n, NEW, one)
    expect(await t.channelRevert(t.provider, channel, 'redeem', [one, OLD, signature2])).toEqual({
      name: 'WrongPrices',
      args: [2n],
    })
    const redeemed2 = await t.send(t.provider, channel, 'redeem', [one, NEW, signature2])
    expect(eventsOf(redeemed2, channel)[0]?.args).toMatchObject({ tokenId: 2n, prices: NEW, amount: 3_500n })
  })

  it('a token signed at prices announced in a block reorganised away is worth nothing at the replacement prices', async () => {
    const LOW = [1_000n, 1_000n]
    const HIGH = [1_000_000n, 1_000_000n]
    const channel = await t.open({ prices: OLD, value: 10n ** 9n })
    const requests = [5n, 5n]
    // The provider announces LOW for token 2 and the consumer signs a token for 2 at LOW; then
    // that block is reorganised away (the snapshot's revert) and the provider announces HIGH
    // for token 2 instead, in a transaction with the same nonce.
    const beforeAnnouncement = await t.testClient.snapshot()
    await t.send(t.provider, channel, 'startRedemptionWithPrices', [LOW])
    expect(await t.state(channel)).toMatchObject({ activeTokenId: 2n, activeVersion: 1n })
    const signedAtLow = await t.sign(channel, 2n, LOW, requests)
    await t.testClient.revert({ id: beforeAnnouncement })
    await t.startAndWait(channel, HIGH)
    expect(await pricesHash(channel, 1n)).toBe(tableHash(HIGH))
    await t.send(t.provider, channel, 'redeem', [[], [], '0x'])
    await t.startAndWait(channel)
    expect(await t.state(channel)).toMatchObject({ expiringTokenId: 2n, expiringVersion: 1n })
    // At HIGH the signature is not the consumer's (it signed LOW), and LOW is not token 2's table.
    expect(await t.channelRevert(t.provider, channel, 'redeem', [requests, HIGH, signedAtLow])).toEqual({
      name: 'InvalidSignature',
      args: [],
    })
    expect(await t.channelRevert(t.provider, channel, 'redeem', [requests, LOW, signedAtLow])).toEqual({
      name: 'WrongPrices',
      args: [2n],
    })
    // A token the consumer signs after seeing HIGH is worth HIGH.
    const signedAtHigh = await t.sign(channel, 2n, HIGH, requests)
    const redeemed = await t.send(t.provider, channel, 'redeem', [requests, HIGH, signedAtHigh])
    expect(eventsOf(redeemed, channel)[0]?.args).toMatchObject({
      tokenId: 2n,
      prices: HIGH,
      amount: 10_000_000n,
    })
  })

  it('priceVersions() reports 0 for an ID that is neither active nor expiring, as the token ID views do', async () => {
    const channel = await t.open({ prices: OLD })
    const versions = async () => {
      const { activeTokenId, expiringTokenId, activeVersion, expiringVersion } = await t.state(channel)
      return { activeTokenId, expiringTokenId, activeVersion, expiringVersion }
    }
    await t.startAndWait(channel, NEW)
    await t.send(t.provider, channel, 'redeem', [[], [], '0x'])
    await t.startAndWait(channel)
    expect(await versions()).toEqual({
      activeTokenId: 3n,
      expiringTokenId: 2n,
      activeVersion: 1n,
      expiringVersion: 1n,
    })
    await t.send(t.provider, channel, 'redeem', [[], [], '0x'])
    expect(await versions()).toEqual({
      activeTokenId: 3n,
      expiringTokenId: 0n,
      activeVersion: 1n,
      expiringVersion: 0n,
    })
    await t.send(t.consumer, channel, 'startTermination')
    await t.startAndWait(channel)
    expect(await versions()).toEqual({
      activeTokenId: 0n,
      expiringTokenId: 3n,
      activeVersion: 0n,
      expiringVersion: 1n,
    })
    await t.send(t.provider, channel, 'terminate')
    expect(await versions()).toEqual({
      activeTokenId: 0n,
      expiringTokenId: 0n,
      activeVersion: 0n,
      expiringVersion: 0n,
    })
  })

  it('refuses a table of another length or with a zero price, changing nothing', async () => {
    const channel = await t.open({ prices: OLD })
    const before = await t.state(channel)
    expect(await t.channelRevert(t.provider, channel, 'startRedemptionWithPrices', [[1n]])).toEqual({
      name: 'CategoryCountMismatch',
      args: [2n, 1n],
    })
    expect(await t.channelRevert(t.provider, channel, 'startRedemptionWithPrices', [[1n, 2n, 3n]])).toEqual({
      name: 'CategoryCountMismatch',
      args: [2n, 3n],
    })
    expect(await t.channelRevert(t.provider, channel, 'startRedemptionWithPrices', [[1n, 0n]])).toEqual({
      name: 'ZeroPrice',
      args: [1n],
    })
    expect(await t.channelRevert(t.consumer, channel, 'startRedemptionWithPrices', [NEW])).toEqual({
      name: 'NotProvider',
      args: [],
    })
    expect(await t.state(channel)).toEqual(before)
  })

  it('refuses a change while a redemption is pending, once termination started, and after termination', async () => {
    const channel = await t.open({ prices: OLD })
    await t.send(t.provider, channel, 'startRedemption')
    expect(await t.channelRevert(t.provider, channel, 'startRedemptionWithPrices', [NEW])).toEqual({
      name: 'RedemptionPending',
      args: [1n],
    })
    await t.advanceTime(60n)
    await t.send(t.provider, channel, 'redeem', [[], [], '0x'])
    await t.send(t.consumer, channel, 'startTermination')
    // No new token ID becomes active during termination, so there is nothing to price.
    expect(await t.channelRevert(t.provider, channel, 'startRedemptionWithPrices', [NEW])).toEqual({
      name: 'TerminationAlreadyStarted',
      args: [],
    })
    await t.send(t.provider, channel, 'startRedemption')
    expect(await t.state(channel)).toMatchObject({
      activeTokenId: 0n,
      expiringTokenId: 2n,
      activeVersion: 0n,
    })
    await t.send(t.provider, channel, 'terminate')
    expect(await t.channelRevert(t.provider, channel, 'startRedemptionWithPrices', [NEW])).toEqual({
      name: 'AlreadyTerminated',
      args: [],
    })
  })

  it('refuses the 2**32nd change rather than wrap the 32-bit price version', async () => {
    const channel = await t.open({ prices: OLD })
    // Slot 0 is the packed state; the active price version is bits 144..175.
    const slot = await t.publicClient.getStorageAt({ address: channel, slot: '0x0' })
    const last = (2n ** 32n - 1n) << 144n
    await t.testClient.setStorageAt({
      address: channel,
      index: 0,
      value: numberToHex(BigInt(slot!) | last, { size: 32 }),
    })
    expect(await t.state(channel)).toMatchObject({ activeVersion: 2n ** 32n - 1n, activeTokenId: 1n })
    expect(await t.channelRevert(t.provider, channel, 'startRedemptionWithPrices', [NEW])).toEqual({
      name: 'TooManyPriceChanges',
      args: [],
    })
    await t.send(t.provider, channel, 'startRedemption')
    expect(await t.state(channel)).toMatchObject({ activeVersion: 2n ** 32n - 1n, activeTokenId: 2n })
  })

  it('is the only way prices change: the other functions that take a table only check it', () => {
    const writers = (intermediaryV2Abi as Abi)
      .filter(
        (item) =>
          item.type === 'function' && item.stateMutability !== 'view' && item.stateMutability !== 'pure',
      )
      .map((item) => (item.type === 'function' ? item.name : ''))
      .sort()
    expect(writers).toEqual([
      'deposit',
      'redeem',
      'redeemAndStartRedemption',
      'startRedemption',
      'startRedemptionWithPrices',
      'startTermination',
      'terminate',
      'withdraw',
    ])
  })
})

describe('IntermediaryV2 price history property', () => {
  const tableArb = fc.array(fc.bigInt(1n, 10_000n), { minLength: 2, maxLength: 2 })
  const cycleArb = fc.record({
    // null: start at unchanged prices.
    change: fc.option(tableArb, { nil: null }),
    requests: fc.array(fc.bigInt(0n, 50n), { minLength: 2, maxLength: 2 }),
  })

  it('a token of ID k is valued at the table of k and refused at every other table', async () => {
    await fc.assert(
      fc.asyncProperty(
        tableArb,
        fc.array(cycleArb, { minLength: 1, maxLength: 4 }),
        async (opening, cycles) => {
          const snapshot = await t.testClient.snapshot()
          try {
            const channel = await t.open({ prices: opening, value: 10n ** 18n })
            // tables[k]: the table of token ID k, as the tests predict it.
            const tables: bigint[][] = [[], opening]
            const history = [opening]
            let funds = 10n ** 18n
            for (const [index, { change, requests }] of cycles.entries()) {
              const tokenId = BigInt(index + 1)
              await t.startAndWait(channel, change ?? undefined)
              tables.push(change ?? tables[index + 1]!)
              if (change) history.push(change)
              const own = tables[index + 1]!
              const signature = await t.sign(channel, tokenId, own, requests)
              for (const other of history.filter((h) => h.join() !== own.join())) {
                expect(
                  await t.channelRevert(t.provider, channel, 'redeem', [requests, other, signature]),
                ).toEqual({
                  name: 'WrongPrices',
                  args: [tokenId],
                })
              }
              const receipt = await t.send(t.provider, channel, 'redeem', [requests, own, signature])
              const amount = tokenValue(requests, own, funds)
              funds -= amount
              expect(eventsOf(receipt, channel)[0]?.args).toMatchObject({
                tokenId,
                requests,
                prices: own,
                amount,
              })
            }
          } finally {
            await t.testClient.revert({ id: snapshot })
          }
        },
      ),
      { numRuns: 12 },
    )
  })
})
