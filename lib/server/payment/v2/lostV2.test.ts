import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryV2Abi } from '../../../../contracts/generated'
import { chainControls } from '../runner/testing'
import { paymentKitV2 } from './testing'

/*
 * A version 2 redemption lost in a reorg (anvil_reorg), as ../runner/lostTransactions.test.ts
 * proves for v1: payment_accepted_v2 stops pointing at the transaction in one round, and the
 * maximum token is redeemed again, once, at its ID's prices.
 */

const { kit, parties, t } = paymentKitV2()
beforeAll(() => kit.start())
afterAll(() => kit.stop())

describe('v2 redemption lost in a reorg', () => {
  it('a reorg that removes a v2 redemption: un-recorded in one round, then redone once', async () => {
    const chain = chainControls(t().testbed)
    const opened = await kit.open()
    const address = opened.channel.address
    for (const [category, count] of [
      ['small', 2],
      ['large', 1],
    ] as const) {
      const { tokens } = await t().server.issuerV2.issue({
        channel: opened.channel,
        consumer: parties.alice,
        count,
        category,
      })
      await t().server.verifier.verifyMany(
        opened.provider,
        tokens.map((token) => ({ token, category })),
      )
    }
    const settings = t().server.settings
    settings.redeemValue = 1n
    await t().server.runner.runOnce()
    settings.redeemValue = 10n ** 18n
    await t().testbed.advanceTime(60n + 31n)
    await t().server.runner.runOnce()
    await t().server.runner.runOnce()
    expect(await kit.acceptedRow(address, 1n)).toMatchObject({ requests: [2n, 1n], redeemedAmount: 7_000n })
    const redeem = await t().database.db.paymentSentTx.findFirst({
      where: { channel: address, action: 'redeem' },
    })
    const first = redeem?.hash as Hex

    await chain.reorg(Number((await chain.head()) - (await chain.blockOf(first)) + 1n))
    await t().server.runner.runOnce()
    expect(await kit.acceptedRow(address, 1n)).toMatchObject({ redeemedAmount: null })

    await chain.mine(3)
    await t().server.runner.runOnce()
    await t().server.runner.runOnce()
    const events = await t().testbed.publicClient.getContractEvents({
      address,
      abi: intermediaryV2Abi,
      eventName: 'Redeemed',
      fromBlock: 0n,
    })
    expect(events.map(({ args }) => [args.tokenId, args.requests, args.prices, args.amount])).toEqual([
      [1n, [2n, 1n], [1_000n, 5_000n], 7_000n],
    ])
    expect(await kit.acceptedRow(address, 1n)).toMatchObject({ redeemedAmount: 7_000n })
    const state = (await t().server.channelStates.get(address, { maxAgeMs: 0 })).state
    expect(state).toMatchObject({ expiringTokenId: 0n, providerFunds: 7_000n })
  })
})
