import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryV2Abi } from '../../../../contracts/generated'
import { bigintOf } from '../../../columns/kinds'
import { paymentRoutes } from '../routes'
import { paymentKitV2 } from './testing'

/*
 * A price change of a version 2 channel end to end on anvil: the provider sets a table, the
 * runner announces it at its next redemption start, the issuer signs the new token ID at it and
 * says so, the verifier refuses an old-price token on the new ID, and each ID is redeemed at its
 * own prices, chain balances to the wei.
 */

const { kit, parties, t } = paymentKitV2()
beforeAll(() => kit.start())
afterAll(() => kit.stop())

const chain = async (address: Address) => (await t().server.channelStates.get(address, { maxAgeMs: 0 })).state

/** The `channels.prices` handler, as its route runs it (the body already checked). */
const setPrices = paymentRoutes.find((r) => r.name === 'channels.prices')?.handler as (
  p: unknown,
) => Promise<unknown>

async function pay(opened: Awaited<ReturnType<typeof kit.open>>, category: string, count: number) {
  const issued = await t().server.issuerV2.issue({
    channel: opened.channel,
    consumer: parties.alice,
    count,
    category,
  })
  const outcomes = await t().server.verifier.verifyMany(
    opened.provider,
    issued.tokens.map((token) => ({ token, category })),
  )
  expect(outcomes.every((o) => o.accepted)).toBe(true)
  return issued
}

describe('v2 price change at a redemption (anvil)', () => {
  it('applies a new table from the next token ID on, on both sides, each ID redeemed at its prices', async () => {
    const opened = await kit.open({ deposit: 1_000_000n })
    const { channel, provider, providerApi } = opened
    await pay(opened, 'small', 2)
    await pay(opened, 'large', 1)

    // Only the provider, only a v2 channel, one price per category.
    await expect(
      setPrices({
        server: t().server,
        caller: provider,
        params: { address: channel.address },
        body: { prices: ['1'] },
      }),
    ).rejects.toMatchObject({ code: 'categories_mismatch', status: 400 })
    await expect(
      setPrices({
        server: t().server,
        caller: parties.alice,
        params: { address: channel.address },
        body: { prices: ['1', '2'] },
      }),
    ).rejects.toMatchObject({ code: 'forbidden', status: 403 })
    expect(
      await setPrices({
        server: t().server,
        caller: provider,
        params: { address: channel.address },
        body: { prices: ['1000', '6000'] },
      }),
    ).toEqual({ channel: channel.address, categories: ['small', 'large'], pendingPrices: ['1000', '6000'] })

    // The runner's next start announces it for token ID 2 (and the pending table is cleared once mined).
    const settings = t().server.settings
    settings.redeemValue = 1n
    await t().server.runner.runOnce()
    await t().server.runner.runOnce()
    expect(await chain(channel.address)).toMatchObject({ expiringTokenId: 1n, activeTokenId: 2n })
    const row = await t().database.db.paymentChannel.findFirst({ where: { address: channel.address } })
    expect(row?.pendingPrices).toEqual([])

    // The consumer sees the new prices before paying at them.
    const issued = await kit.issue(channel, { category: 'large', count: 2 })
    expect(issued.body).toMatchObject({ tokenId: '2', prices: ['1000', '6000'] })
    expect(
      (
        await kit.verify(providerApi, {
          tokens: issued.body.tokens.map((token: string) => ({ token, category: 'large' })),
        })
      ).body.results,
    ).toMatchObject([
      { accepted: true, value: '6000' },
      { accepted: true, value: '6000' },
    ])
    // An old-price token on the new ID is refused; the expiring ID still takes its old prices.
    const oldPrice = kit.wire({
      channel: channel.address,
      tokenId: 2n,
      prices: [1_000n, 5_000n],
      requests: [0n, 3n],
    })
    expect((await kit.verify(providerApi, { token: oldPrice, category: 'large' })).body.error.code).toBe(
      'wrong_prices',
    )
    const late = kit.wire({
      channel: channel.address,
      tokenId: 1n,
      prices: [1_000n, 5_000n],
      requests: [3n, 1n],
    })
    expect((await kit.verify(providerApi, { token: late, category: 'small' })).body).toMatchObject({
      value: '1000',
    })

    // ID 1 at the old prices (3 small, 1 large), in one transaction with the start of ID 2's redemption...
    await t().testbed.advanceTime(61)
    await t().server.runner.runOnce()
    await t().server.runner.runOnce()
    settings.redeemValue = 10n ** 18n
    // ...then ID 2 at the new ones (2 large).
    await t().testbed.advanceTime(61)
    await t().server.runner.runOnce()
    await t().server.runner.runOnce()
    expect(await chain(channel.address)).toMatchObject({
      expiringTokenId: 0n,
      activeTokenId: 3n,
      providerFunds: 8_000n + 12_000n,
      consumerFunds: 1_000_000n - 20_000n,
    })
    const redeemed = await t().testbed.publicClient.getContractEvents({
      address: channel.address,
      abi: intermediaryV2Abi,
      eventName: 'Redeemed',
      fromBlock: 0n,
    })
    expect(redeemed.map(({ args }) => [args.tokenId, args.requests, args.prices, args.amount])).toEqual([
      [1n, [3n, 1n], [1_000n, 5_000n], 8_000n],
      [2n, [0n, 2n], [1_000n, 6_000n], 12_000n],
    ])
    const tables = await t().database.db.paymentPriceTable.findMany({
      where: { channel: channel.address },
      orderBy: { fromTokenId: 'asc' },
    })
    expect(tables.map((r) => [bigintOf(r.fromTokenId), r.prices.map(bigintOf)])).toEqual([
      [1n, [1_000n, 5_000n]],
      [2n, [1_000n, 6_000n]],
    ])
  })
})
