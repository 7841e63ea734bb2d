import {
  type Abi,
  type Address,
  concat,
  type Hex,
  type LocalAccount,
  numberToHex,
  parseEventLogs,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readChannelState } from '../../lib/channel'
import { SECP256K1_N, tokenDigest } from '../../packages/payment-client/src/token'
import { startTestChain, type TestChain } from '../../test/kit/chain'
import type { ChannelFunction } from '../../test/kit/testbed'
import { intermediaryAbi } from '../generated'
import {
  type IntermediaryTestbed,
  REDEMPTION_TIMEOUT,
  startIntermediaryTestbed,
  TERMINATION_TIMEOUT,
} from './intermediary'

/*
 * Hostile inputs and hostile parties: tokens replayed across channels and chains, forged and
 * malleable signatures, and a stranger (contract parties that re-enter the channel or refuse
 * payment: hostile.parties.test.ts).
 */

let t: IntermediaryTestbed
beforeAll(async () => {
  t = await startIntermediaryTestbed()
})
afterAll(() => t?.stop())
/** Redeems (simulated first) and returns the amount paid, proving a token is valid where it belongs. */
async function simulatedRedeem(
  chain: TestChain,
  channel: Address,
  requests: bigint,
  signature: Hex,
  account: LocalAccount = t.provider,
) {
  const { request } = await chain.publicClient.simulateContract({
    account,
    address: channel,
    abi: intermediaryAbi,
    functionName: 'redeem',
    args: [requests, signature],
  })
  const hash = await chain.wallet(account).writeContract(request)
  const receipt = await chain.mined(hash)
  const [redeemed] = parseEventLogs({ abi: intermediaryAbi, logs: receipt.logs, eventName: 'Redeemed' })
  return redeemed!.args.amount
}

/** A channel whose token 1 is in redemption and redeemable now. */
async function redeemable(value = 1_000_000n) {
  const channel = await t.open({ value })
  await t.startAndWait(channel, 2n)
  return channel
}

const invalidSignature = { name: 'InvalidSignature', args: [] }

describe('forged and replayed tokens', () => {
  it('redeem() refuses a token signed for another channel', async () => {
    const channel = await redeemable()
    const other = await redeemable()
    const foreign = await t.sign(other, 1n, 10n)
    expect(await t.channelRevert(t.provider, channel, 'redeem', [10n, foreign])).toEqual(invalidSignature)
    // The same token is good on the channel it was signed for.
    expect(await simulatedRedeem(t, other, 10n, foreign)).toBe(10_000n)
  })

  it('redeem() refuses a token signed with another chain id', async () => {
    const channel = await redeemable()
    const mainnet = await t.sign(channel, 1n, 10n, t.consumer, 1)
    expect(await t.channelRevert(t.provider, channel, 'redeem', [10n, mainnet])).toEqual(invalidSignature)
    expect(await simulatedRedeem(t, channel, 10n, await t.sign(channel, 1n, 10n))).toBe(10_000n)
  })

  it('redeem() refuses a token replayed from a channel at the same address on another chain', async () => {
    const other = await startTestChain({ chainId: 1_337 })
    try {
      // Fresh accounts on both chains: same deployer nonces, so same factory and channel addresses.
      const deployer = t.accounts[9]!
      const twinConsumer = t.accounts[8]!
      // Not accounts[7]: ANVIL_KEYS[7] in stack/anvil.ts is not anvil's key #7 (unfunded address).
      const twinProvider = t.accounts[6]!
      const setup = async (chain: TestChain) => {
        const twinFactory = await chain.deployFactory(deployer)
        const { channel } = await chain.openChannel({
          factory: twinFactory,
          consumer: twinConsumer,
          provider: twinProvider.address,
          value: 50_000n,
        })
        await chain.mined(
          await chain.wallet(twinProvider).writeContract({
            address: channel,
            abi: intermediaryAbi,
            functionName: 'startRedemption',
            args: [2n],
          }),
        )
        await chain.advanceTime(REDEMPTION_TIMEOUT)
        return channel
      }
      const here = await setup(t)
      const there = await setup(other)
      expect(here).toBe(there)
      const tokenThere = await t.sign(there, 1n, 7n, twinConsumer, 1_337)
      expect(await t.channelRevert(twinProvider, here, 'redeem', [7n, tokenThere])).toEqual(invalidSignature)
      const tokenHere = await t.sign(here, 1n, 7n, twinConsumer, t.chain.id)
      expect(
        await other.revertOf({
          account: twinProvider,
          address: there,
          abi: intermediaryAbi as Abi,
          functionName: 'redeem',
          args: [7n, tokenHere],
        }),
      ).toEqual(invalidSignature)
      // Each token is good on its own chain.
      expect(await simulatedRedeem(other, there, 7n, tokenThere, twinProvider)).toBe(7_000n)
      expect(await simulatedRedeem(t, here, 7n, tokenHere, twinProvider)).toBe(7_000n)
    } finally {
      await other.stop()
    }
  })

  it('redeem() refuses a token signed by the provider', async () => {
    const channel = await redeemable()
    expect(
      await t.channelRevert(t.provider, channel, 'redeem', [10n, await t.sign(channel, 1n, 10n, t.provider)]),
    ).toEqual(invalidSignature)
  })

  it('redeem() refuses a token signed by a stranger', async () => {
    const channel = await redeemable()
    expect(
      await t.channelRevert(t.provider, channel, 'redeem', [10n, await t.sign(channel, 1n, 10n, t.stranger)]),
    ).toEqual(invalidSignature)
  })

  it('redeem() refuses the high-s twin of a valid signature that plain ecrecover accepts', async () => {
    const channel = await redeemable()
    const signature = await t.sign(channel, 1n, 10n)
    const r = `0x${signature.slice(2, 66)}` as Hex
    const s = BigInt(`0x${signature.slice(66, 130)}`)
    const v = Number.parseInt(signature.slice(130, 132), 16)
    expect(s <= SECP256K1_N / 2n).toBe(true)
    const highS = SECP256K1_N - s
    const flippedV = v === 27 ? 28 : 27
    const twin = concat([r, numberToHex(highS, { size: 32 }), numberToHex(flippedV, { size: 1 })])
    expect(twin).not.toBe(signature)

    const digest = tokenDigest({ chainId: t.chain.id, channel, tokenId: 1n, requests: 10n })
    const ecrecover = async (vv: number, ss: bigint) => {
      const { data } = await t.publicClient.call({
        to: '0x0000000000000000000000000000000000000001',
        data: concat([digest, numberToHex(vv, { size: 32 }), r, numberToHex(ss, { size: 32 })]),
      })
      return `0x${data!.slice(26)}`
    }
    expect(await ecrecover(v, s)).toBe(t.consumer.address.toLowerCase())
    expect(await ecrecover(flippedV, highS)).toBe(t.consumer.address.toLowerCase())

    expect(await t.channelRevert(t.provider, channel, 'redeem', [10n, twin])).toEqual(invalidSignature)
    expect(await simulatedRedeem(t, channel, 10n, signature)).toBe(10_000n)
  })

  it('redeem() refuses a 64-byte (EIP-2098 compact) signature of the consumer', async () => {
    const channel = await redeemable()
    const signature = await t.sign(channel, 1n, 10n)
    const s = BigInt(`0x${signature.slice(66, 130)}`)
    const yParity = BigInt(Number.parseInt(signature.slice(130, 132), 16) - 27)
    const compact = concat([`0x${signature.slice(2, 66)}`, numberToHex(s | (yParity << 255n), { size: 32 })])
    expect(compact.length).toBe(2 + 128)
    expect(await t.channelRevert(t.provider, channel, 'redeem', [10n, compact])).toEqual(invalidSignature)
  })

  it('redeem() refuses malformed signatures', async () => {
    const channel = await redeemable()
    const signature = await t.sign(channel, 1n, 10n)
    const v = Number.parseInt(signature.slice(130, 132), 16)
    const garbage: Hex[] = [
      '0x',
      `0x${'00'.repeat(65)}`,
      `0x${'ab'.repeat(65)}`,
      `0x${'ff'.repeat(65)}`,
      `${signature}00`,
      concat([signature, signature]),
      `${signature.slice(0, 130)}${(v - 27).toString(16).padStart(2, '0')}` as Hex,
      `${signature.slice(0, 130)}1d` as Hex,
    ]
    for (const bad of garbage) {
      expect(await t.channelRevert(t.provider, channel, 'redeem', [10n, bad])).toEqual(invalidSignature)
    }
    expect((await readChannelState({ client: t.publicClient, address: channel })).expiringTokenId).toBe(1n)
  })
})

describe('a stranger', () => {
  it('a stranger is refused by every function of the channel', async () => {
    const channel = await t.open()
    await t.send(t.provider, channel, 'startRedemption', [2n])
    await t.send(t.consumer, channel, 'startTermination')
    await t.advanceTime(TERMINATION_TIMEOUT)
    const signature = await t.sign(channel, 1n, 1n)
    const calls: [ChannelFunction, readonly unknown[], bigint | undefined, string][] = [
      ['deposit', [], 1n, 'NotConsumer'],
      ['startRedemption', [3n], undefined, 'NotProvider'],
      ['redeem', [1n, signature], undefined, 'NotProvider'],
      ['redeem', [0n, '0x'], undefined, 'NotProvider'],
      ['withdraw', [], undefined, 'NotParty'],
      ['startTermination', [], undefined, 'NotConsumer'],
      ['terminate', [], undefined, 'NotParty'],
    ]
    for (const [functionName, args, value, name] of calls) {
      expect(await t.channelRevert(t.stranger, channel, functionName, args, { value })).toEqual({
        name,
        args: [],
      })
    }
  })
})
