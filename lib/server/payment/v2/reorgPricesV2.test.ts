import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryV2Abi } from '../../../../contracts/generated'
import { chainControls } from '../runner/testing'
import { paymentKitV2 } from './testing'

/*
 * A price announcement lost in a reorg (security review of issue 29 point 2): the mined
 * startRedemptionWithPrices had cleared the provider's pending table and its new ID's table was
 * cached; once a reorg took it out, the runner started the ID again without prices while the
 * instances still signed and accepted at the lost table, and the chain refused every token of
 * that ID (WrongPrices). Now the tables past the chain's last ID are forgotten and the pending
 * table comes back, so the runner announces it again and what is signed is what the chain has.
 */

const { kit, parties, t } = paymentKitV2()
beforeAll(() => kit.start())
afterAll(() => kit.stop())

describe('v2 price announcement lost in a reorg', () => {
  it('a reorg removing startRedemptionWithPrices: the pending table is back, re-announced, and ID 2 is signed and redeemed at the prices the chain has', async () => {
    const chain = chainControls(t().testbed)
    const opened = await kit.open({ deposit: 1_000_000n })
    const { channel, provider } = opened
    const pay = async (category: string) => {
      const issued = await t().server.issuerV2.issue({ channel, consumer: parties.alice, count: 1, category })
      const outcomes = await t().server.verifier.verifyMany(provider, [
        { token: issued.tokens[0] as string, category },
      ])
      expect(outcomes).toMatchObject([{ accepted: true }])
      return issued
    }
    const pendingRow = async () =>
      (
        await t().database.db.paymentChannel.findFirst({ where: { address: channel.address } })
      )?.pendingPrices.map(String)
    await pay('small')
    await t().server.channels.setPendingPrices(channel, [1_000n, 6_000n])
    t().server.settings.redeemValue = 1n
    await t().server.runner.runOnce()
    await t().server.runner.runOnce()
    expect(await pendingRow()).toEqual([])
    expect((await pay('large')).prices).toEqual([1_000n, 6_000n]) // ID 2's table, now cached

    const start = await t().database.db.paymentSentTx.findFirst({
      where: { channel: channel.address, action: 'startRedemptionWithPrices' },
    })
    const hash = start?.hash as Hex
    await chain.reorg(Number((await chain.head()) - (await chain.blockOf(hash)) + 1n))
    await t().server.runner.runOnce()
    expect(await pendingRow()).toEqual(['1000', '6000'])

    // The runner starts ID 2 again, with the table; the issuer signs ID 2 at what the chain announced.
    for (
      let i = 0;
      i < 3 &&
      (await t().server.channelStates.get(channel.address, { maxAgeMs: 0 })).state.activeTokenId < 2n;
      i++
    ) {
      await chain.mine(1)
      await t().server.runner.runOnce()
    }
    const announced = await t().testbed.publicClient.getContractEvents({
      address: channel.address,
      abi: intermediaryV2Abi,
      eventName: 'PricesAnnounced',
      fromBlock: 0n,
    })
    const onChain = announced.filter(({ args }) => args.fromTokenId === 2n).map(({ args }) => args.prices)
    const issued = await pay('large')
    expect(issued.tokenId).toBe(2n)
    expect(onChain).toEqual([issued.prices])

    // ID 2 redeems: the chain takes its tokens (before, WrongPrices left them unredeemable): two
    // large requests, the one signed before the reorg at the table announced again included.
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
    expect(redeemed.find(({ args }) => args.tokenId === 2n)?.args.amount).toBe(12_000n)
  })
})
