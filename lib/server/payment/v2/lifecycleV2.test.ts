import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryV2Abi } from '../../../../contracts/generated'
import { countsOf, paymentKitV2 } from './testing'

/*
 * The life cycle of a version 2 channel on anvil, run by the Payment Server's runner: tokens per
 * category accepted, the maximum token redeemed at its ID's prices, chain balances to the wei.
 */

const { kit, parties, t } = paymentKitV2()
beforeAll(() => kit.start())
afterAll(() => kit.stop())

/** The channel's state as the chain has it now. */
const chain = async (address: Address) => (await t().server.channelStates.get(address, { maxAgeMs: 0 })).state

/** Issues `count` tokens of `category` and has the provider accept them all (in reverse order). */
async function pay(opened: Awaited<ReturnType<typeof kit.open>>, category: string, count: number) {
  const { channel, provider } = opened
  const issued = await t().server.issuerV2.issue({ channel, consumer: parties.alice, count, category })
  const outcomes = await t().server.verifier.verifyMany(
    provider,
    issued.tokens.reverse().map((token) => ({ token, category })),
  )
  expect(outcomes.every((o) => o.accepted)).toBe(true)
  return issued
}

/** The channel's Redeemed events: token ID, counts, prices and amount. */
async function redeemedEvents(address: Address) {
  const logs = await t().testbed.publicClient.getContractEvents({
    address,
    abi: intermediaryV2Abi,
    eventName: 'Redeemed',
    fromBlock: 0n,
  })
  return logs.map(({ args }) => ({
    tokenId: args.tokenId,
    requests: args.requests,
    prices: args.prices,
    amount: args.amount,
  }))
}

describe('v2 channel life cycle (runner on anvil)', () => {
  it('redeems the maximum token of each token ID at its prices, one cycle in one transaction when both are due', async () => {
    const opened = await kit.open({ deposit: 1_000_000n })
    const address = opened.channel.address
    await pay(opened, 'small', 3)
    const last = await pay(opened, 'large', 2)
    expect(last.tokens.map(countsOf)).toEqual([
      [3n, 2n],
      [3n, 1n],
    ])

    // By value: the runner starts a redemption of token ID 1 (v2 assigns the next ID).
    const settings = t().server.settings
    settings.redeemValue = 1n
    await t().server.runner.runOnce()
    expect(await chain(address)).toMatchObject({ expiringTokenId: 1n, activeTokenId: 2n })

    // Token ID 2 is paid for while 1 expires; both are due after the timeout: one transaction.
    expect((await pay(opened, 'small', 1)).tokenId).toBe(2n)
    await t().testbed.advanceTime(61)
    await t().server.runner.runOnce()
    await t().server.runner.runOnce() // the watcher books the receipt's amount
    expect(await chain(address)).toMatchObject({
      expiringTokenId: 2n,
      activeTokenId: 3n,
      providerFunds: 13_000n,
      consumerFunds: 987_000n,
    })
    const sent = await t().database.db.paymentSentTx.findMany({
      where: { channel: address },
      orderBy: { id: 'asc' },
    })
    expect(sent.map((tx) => tx.action)).toEqual(['open', 'startRedemption', 'redeemAndStartRedemption'])
    expect(await kit.acceptedRow(address, 1n)).toMatchObject({ requests: [3n, 2n], redeemedAmount: 13_000n })

    // Token ID 3 has nothing accepted: ID 2 is redeemed alone.
    settings.redeemValue = 10n ** 18n
    await t().testbed.advanceTime(61)
    await t().server.runner.runOnce()
    await t().server.runner.runOnce()
    expect(await chain(address)).toMatchObject({
      expiringTokenId: 0n,
      activeTokenId: 3n,
      providerFunds: 14_000n,
      consumerFunds: 986_000n,
    })
    expect(await redeemedEvents(address)).toEqual([
      { tokenId: 1n, requests: [3n, 2n], prices: [1_000n, 5_000n], amount: 13_000n },
      { tokenId: 2n, requests: [1n, 0n], prices: [1_000n, 5_000n], amount: 1_000n },
    ])
    expect(await kit.acceptedRow(address, 2n)).toMatchObject({ redeemedAmount: 1_000n })
  })

  it('auto-funds a v2 channel by what was issued at its token ID prices', async () => {
    const opened = await kit.open({ deposit: 20_000n })
    const address = opened.channel.address
    await t().server.channels.setAutoFund(opened.channel, { threshold: 10_000n, amount: 50_000n })
    await t().server.runner.runOnce()
    expect((await chain(address)).consumerFunds).toBe(20_000n) // nothing issued: 20,000 left
    // 3 large requests issued: 15,000 wei owed, 5,000 left, under the threshold.
    await t().server.issuerV2.issue({
      channel: opened.channel,
      consumer: parties.alice,
      count: 3,
      category: 'large',
    })
    await t().server.runner.runOnce()
    expect((await chain(address)).consumerFunds).toBe(70_000n)
  })
})
