import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bigintOf } from '../../../columns/kinds'
import { paymentKitV2 } from './testing'

/*
 * A version 2 channel on a dev chain reset under the Payment Server (anvil_reset): retired like
 * a v1 one, with what was issued and accepted on it, its price tables and the value accepted and
 * never redeemed (at each token ID's prices) kept in payment_retired_channel for audit.
 */

const { kit, parties, t } = paymentKitV2()
beforeAll(() => kit.start())
afterAll(() => kit.stop())

describe('v2 channel on a reset dev chain', () => {
  it('is retired with its issued and accepted counts per category, its price tables and its unredeemed value', async () => {
    // The chain's reference (its genesis: no v1 deployment is recorded in this kit).
    expect(await t().server.chainEpoch.check()).toBeNull()
    const opened = await kit.open()
    const { channel, provider } = opened
    const issued = await t().server.issuerV2.issue({
      channel,
      consumer: parties.alice,
      count: 2,
      category: 'small',
    })
    const large = await t().server.issuerV2.issue({
      channel,
      consumer: parties.alice,
      count: 1,
      category: 'large',
    })
    const outcomes = await t().server.verifier.verifyMany(provider, [
      ...issued.tokens.map((token) => ({ token, category: 'small' })),
      ...large.tokens.map((token) => ({ token, category: 'large' })),
    ])
    expect(outcomes.map((o) => o.accepted)).toEqual([true, true, true])

    const bed = t().testbed
    await bed.testClient.request({ method: 'anvil_reset', params: [] } as never)
    await bed.testClient.mine({ blocks: 2 })
    const retirement = await t().server.chainEpoch.check()
    // 2 small at 1,000 wei and 1 large at 5,000 wei, accepted and never redeemed.
    expect(retirement).toMatchObject({ epoch: 1, channels: 1, issued: 1, accepted: 1, unredeemed: 7_000n })

    const [retired] = await t().database.db.paymentRetiredChannel.findMany({
      where: { address: channel.address.toLowerCase() },
    })
    expect(bigintOf(retired!.unredeemedValue)).toBe(7_000n)
    expect(retired!.issued).toMatchObject([{ token_id: 1, requests: [2, 1] }])
    expect(retired!.accepted).toMatchObject([{ token_id: 1, requests: [2, 1], prices: [1_000, 5_000] }])
    expect((retired!.channel as { price_tables: unknown }).price_tables).toMatchObject([
      { from_token_id: 1, prices: [1_000, 5_000] },
    ])
    // Gone from the live tables (the cascade), kept only in the retired row.
    const where = { channel: channel.address.toLowerCase() }
    expect(
      await Promise.all([
        t().database.db.paymentIssuedV2.count({ where }),
        t().database.db.paymentAcceptedV2.count({ where }),
        t().database.db.paymentPriceTable.count({ where }),
      ]),
    ).toEqual([0, 0, 0])
  })
})
