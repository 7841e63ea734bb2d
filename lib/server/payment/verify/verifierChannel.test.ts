import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseToken } from '../../../../packages/payment-client/src/token'
import type { TestPayment } from '../../../../test/kit/payment'
import type { Service } from '../services'
import { paymentKit } from '../testing'

let t: TestPayment
let alice: Service
let bob: Service
const kit = paymentKit()
const { open, wire, acceptedRow, expectRefused, chainState, startRedemption } = kit

beforeAll(async () => {
  ;({ t, alice, bob } = await kit.start())
})
afterAll(() => kit.stop())

describe('verify() and the channel funds', () => {
  it('verify() accepts counts up to deposit / cost and refuses one more as insufficient_funds', async () => {
    const channel = await open({ deposit: 10_000n, costPerRequest: 1_000n })
    const at = (requests: bigint) => wire({ channel: channel.address, requests })
    await expectRefused(bob, at(11n), 'insufficient_funds')
    expect(await t.server.verifier.verify(bob, at(10n))).toMatchObject({ accepted: true, value: 10_000n })
    await expectRefused(bob, at(11n), 'insufficient_funds')
    // Counts below the highest add nothing to what is owed.
    expect(await t.server.verifier.verify(bob, at(3n))).toMatchObject({ accepted: true, value: 3_000n })
    // A refusal for funds spends nothing: after a deposit of one request's cost, 11 fits.
    await t.server.channels.act(channel, alice, 'deposit', [], 1_000n)
    expect(await t.server.verifier.verify(bob, at(11n))).toMatchObject({ accepted: true, value: 11_000n })
    await expectRefused(bob, at(12n), 'insufficient_funds')
    expect(await acceptedRow(channel.address)).toMatchObject({ highest: 11n, accepted: 3n })
  })

  it("verify() counts the expiring token's highest count against the funds of the active one", async () => {
    const channel = await open({ deposit: 10_000n, costPerRequest: 1_000n })
    const at = (tokenId: bigint, requests: bigint) => wire({ channel: channel.address, tokenId, requests })
    expect(await t.server.verifier.verify(bob, at(1n, 4n))).toMatchObject({ accepted: true })
    const active = await startRedemption(channel)
    expect(active).toBe(2n)
    expect(await chainState(channel)).toMatchObject({ activeTokenId: 2n, expiringTokenId: 1n })

    // 4 owed on the expiring ID leaves room for exactly 6 on the active one.
    await expectRefused(bob, at(2n, 7n), 'insufficient_funds')
    expect(await t.server.verifier.verify(bob, at(2n, 6n))).toMatchObject({ accepted: true, value: 6_000n })
    // Raising the expiring ID's highest would now overdraw; a lower missing count does not.
    await expectRefused(bob, at(1n, 5n), 'insufficient_funds')
    expect(await t.server.verifier.verify(bob, at(1n, 2n))).toMatchObject({ accepted: true, requests: 2n })
    await expectRefused(bob, at(2n, 7n), 'insufficient_funds')

    expect(await acceptedRow(channel.address, 1n)).toMatchObject({ highest: 4n, accepted: 2n })
    expect(await acceptedRow(channel.address, 2n)).toMatchObject({ highest: 6n, accepted: 1n })
  })
})

describe('verify() around a redemption', () => {
  it('verify() accepts the expiring token ID inside the tolerance window and refuses it as token_expired after', async () => {
    expect(t.server.settings.toleranceSeconds).toBe(30)
    const channel = await open()
    const at = (tokenId: bigint, requests: bigint) => wire({ channel: channel.address, tokenId, requests })
    expect(await t.server.verifier.verify(bob, at(1n, 1n))).toMatchObject({ accepted: true })
    const active = await startRedemption(channel)

    expect(await t.server.verifier.verify(bob, at(1n, 2n))).toMatchObject({ accepted: true, tokenId: 1n })
    expect(await t.server.verifier.verify(bob, at(active, 1n))).toMatchObject({ accepted: true, tokenId: 2n })

    await t.testbed.advanceTime(t.server.settings.toleranceSeconds + 1)
    const refused = await expectRefused(bob, at(1n, 3n), 'token_expired')
    expect(refused.message).toBe('Token ID 1 is being redeemed and its tolerance window has closed.')
    expect(await t.server.verifier.verify(bob, at(active, 2n))).toMatchObject({
      accepted: true,
      tokenId: 2n,
      requests: 2n,
    })
    expect(await acceptedRow(channel.address, 1n)).toMatchObject({ highest: 2n, accepted: 2n })
    expect(await acceptedRow(channel.address, 2n)).toMatchObject({ highest: 2n, accepted: 2n })
  })

  it('verify() refuses a token of a redeemed ID as token_expired', async () => {
    const channel = await open({ deposit: 1_000_000n })
    const first = wire({ channel: channel.address, requests: 1n })
    expect(await t.server.verifier.verify(bob, first)).toMatchObject({ accepted: true })
    await startRedemption(channel)
    await t.testbed.advanceTime(61)
    const { signature } = parseToken(first).token
    await t.server.channels.act(channel, bob, 'redeem', [1n, signature])
    expect(await chainState(channel)).toMatchObject({ activeTokenId: 2n, expiringTokenId: 0n })
    await expectRefused(bob, wire({ channel: channel.address, requests: 2n }), 'token_expired')
  })
})

describe('verify() on a channel that is ending', () => {
  it('verify() refuses tokens once the consumer started termination as channel_terminating', async () => {
    const channel = await open()
    const token = wire({ channel: channel.address, requests: 1n })
    await t.server.channels.act(channel, alice, 'startTermination')
    expect((await chainState(channel)).terminatesAt).toBeGreaterThan(0n)
    await expectRefused(bob, token, 'channel_terminating')
  })

  it('verify() refuses tokens of a terminated channel as channel_terminated', async () => {
    const channel = await open()
    expect(
      await t.server.verifier.verify(bob, wire({ channel: channel.address, requests: 1n })),
    ).toMatchObject({
      accepted: true,
    })
    await t.server.channels.act(channel, bob, 'terminate')
    expect((await chainState(channel)).terminated).toBe(true)
    await expectRefused(bob, wire({ channel: channel.address, requests: 2n }), 'channel_terminated')
  })
})
