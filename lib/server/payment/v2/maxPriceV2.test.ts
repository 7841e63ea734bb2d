import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryV2Abi } from '../../../../contracts/generated'
import { createPaymentConsumer } from '../../../../packages/payment-client/src/consumer'
import { countsOf, paymentKitV2 } from './testing'

/*
 * maxPrice is enforced by the Payment Server before any count is taken (issue 29 point 2,
 * security review): had the server signed and raised the frontier first and the client refused
 * afterwards, the refused counts would be gaps that the provider collects at the new price by
 * redeeming its highest token. The reviewer's sequence, through real HTTP and anvil, with
 * counts taken ahead (issueAhead 64) as in production.
 */

const { kit, parties, t } = paymentKitV2({ settings: { issueAhead: 64 } })
beforeAll(() => kit.start())
afterAll(() => kit.stop())

const DEPOSIT = 1_000_000n
const LARGE_NOW = (DEPOSIT * 9n) / 10n

describe('v2 maxPrice', () => {
  it('a price raised to 0.9 × funds at a redemption: the large request is refused before a count is taken, the next small one is accepted, and the redemption counts no large request', async () => {
    const opened = await kit.open({ deposit: DEPOSIT })
    const { channel, provider } = opened
    const consumer = createPaymentConsumer({ serverUrl: kit.url(), apiKey: parties.aliceApi, prefetch: 0 })
    const pay = async (category: string, maxPrice: bigint) => {
      const token = await consumer.token(channel.provider, { category, maxPrice })
      const [outcome] = await t().server.verifier.verifyMany(provider, [{ token, category }])
      expect(outcome).toMatchObject({ accepted: true })
      return token
    }
    await pay('small', 1_000n)
    await pay('large', 5_000n)

    // The provider raises `large` to 0.9 × the funds; its runner announces it at a redemption start.
    await t().server.channels.setPendingPrices(channel, [1_000n, LARGE_NOW])
    t().server.settings.redeemValue = 1n
    await t().server.runner.runOnce()
    await t().server.runner.runOnce()
    const { state } = await t().server.channelStates.get(channel.address, { maxAgeMs: 0 })
    expect(state).toMatchObject({ expiringTokenId: 1n, activeTokenId: 2n })

    // Refused with a code and a sentence, by the server (over HTTP) and by the client library.
    const direct = await kit.issue(channel, { category: 'large', maxPrice: '5000' })
    expect(direct.status).toBe(402)
    expect(direct.body.error).toMatchObject({ code: 'price_above_max' })
    expect(direct.body.error.message).toMatch(/charges 900000 wei per request of category large.*\.$/)
    await expect(
      consumer.token(channel.provider, { category: 'large', maxPrice: 5_000n }),
    ).rejects.toMatchObject({
      code: 'price_above_max',
    })
    // No count of token ID 2 was taken for them.
    expect((await kit.frontier(channel.address, 2n)) ?? [0n, 0n]).toEqual([0n, 0n])

    const small = await pay('small', 1_000n)
    expect(countsOf(small)).toEqual([1n, 0n])

    // Token ID 2 redeemed: one small request at 1,000 wei, no large one.
    t().server.settings.redeemValue = 1n
    for (let i = 0; i < 2; i++) {
      await t().testbed.advanceTime(61)
      await t().server.runner.runOnce()
      await t().server.runner.runOnce()
    }
    const redeemed = await t().testbed.publicClient.getContractEvents({
      address: channel.address,
      abi: intermediaryV2Abi,
      eventName: 'Redeemed',
      fromBlock: 0n,
    })
    const second = redeemed.find(({ args }) => args.tokenId === 2n)
    expect([second?.args.requests, second?.args.amount]).toEqual([[1n, 0n], 1_000n])
  })
})
