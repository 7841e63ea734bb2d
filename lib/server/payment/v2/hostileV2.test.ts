import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChannelRecord } from '../channels'
import { paymentKitV2 } from './testing'

/*
 * Hostile tokens on version 2 channels, through the HTTP verify call: each is refused with its
 * code and a sentence, and changes nothing of what was accepted.
 */

const { kit, parties, t } = paymentKitV2()
beforeAll(() => kit.start())
afterAll(() => kit.stop())

/** Verifies one item as the channel's provider; expects `code` (and `status`) and no change of the accepted row. */
async function expectRefused(
  opened: { channel: ChannelRecord; providerApi: string },
  item: { token: string; category?: number | string; price?: string },
  code: string,
  status = 402,
) {
  const before = await kit.acceptedRow(opened.channel.address)
  const { status: got, body } = await kit.verify(opened.providerApi, item)
  expect({ status: got, code: body.error?.code }).toEqual({ status, code })
  expect(body.error.message).toMatch(/\.$/)
  expect(await kit.acceptedRow(opened.channel.address)).toEqual(before)
}

describe('verify() against hostile v2 tokens', () => {
  it("refuses a token claiming another category's count: the same step twice under different vectors", async () => {
    const opened = await kit.open()
    const channel = opened.channel.address
    const first = kit.wire({ channel, requests: [1n, 0n] })
    expect((await kit.verify(opened.providerApi, { token: first, category: 'small' })).status).toBe(200)
    // (1, 1) charged as small claims step small-1 again: the large count rides along for free.
    await expectRefused(
      opened,
      { token: kit.wire({ channel, requests: [1n, 1n] }), category: 'small' },
      'count_already_accepted',
    )
    // Charged as the category it did raise, it is a new step.
    const ok = await kit.verify(opened.providerApi, {
      token: kit.wire({ channel, requests: [1n, 1n] }),
      category: 'large',
    })
    expect(ok.body).toMatchObject({ accepted: true, requests: '1', value: '5000' })
  })

  it('refuses the second of two incomparable tokens as token_incomparable, the first stays the maximum', async () => {
    const opened = await kit.open()
    const channel = opened.channel.address
    await kit.verify(opened.providerApi, { token: kit.wire({ channel, requests: [2n, 0n] }), category: 0 })
    await expectRefused(
      opened,
      { token: kit.wire({ channel, requests: [1n, 1n] }), category: 1 },
      'token_incomparable',
    )
    expect((await kit.acceptedRow(channel))?.requests).toEqual([2n, 0n])
  })

  it('refuses a forged price table, and a token with another ID table, as wrong_prices', async () => {
    const opened = await kit.open()
    const channel = opened.channel.address
    await expectRefused(
      opened,
      { token: kit.wire({ channel, prices: [1n, 1n], requests: [0n, 9n] }), category: 1 },
      'wrong_prices',
    )
    await expectRefused(
      opened,
      { token: kit.wire({ channel, prices: [1_000n], requests: [1n] }) },
      'categories_mismatch',
      400,
    )
  })

  it('refuses a category out of range (400) and a token counting 0 of its category', async () => {
    const opened = await kit.open()
    const channel = opened.channel.address
    const token = kit.wire({ channel, requests: [1n, 0n] })
    await expectRefused(opened, { token, category: 2 }, 'category_unknown', 400)
    await expectRefused(opened, { token, category: 'huge' }, 'category_unknown', 400)
    await expectRefused(opened, { token, category: 'large' }, 'zero_requests')
  })

  it('refuses a route priced above the channel price of its category as terms_rejected', async () => {
    const opened = await kit.open()
    const token = kit.wire({ channel: opened.channel.address, requests: [0n, 1n] })
    await expectRefused(opened, { token, category: 'large', price: '5001' }, 'terms_rejected')
    expect((await kit.verify(opened.providerApi, { token, category: 'large', price: '5000' })).status).toBe(
      200,
    )
  })

  it("refuses a category priced below the provider service's own lowest price as terms_rejected", async () => {
    const opened = await kit.open({ providerPrice: 2_000n })
    const small = kit.wire({ channel: opened.channel.address, requests: [1n, 0n] })
    await expectRefused(opened, { token: small, category: 'small' }, 'terms_rejected')
    const large = kit.wire({ channel: opened.channel.address, requests: [1n, 1n] })
    expect((await kit.verify(opened.providerApi, { token: large, category: 'large' })).status).toBe(200)
  })

  it('refuses a token whose maximum the funds do not cover at the ID prices', async () => {
    const opened = await kit.open({ deposit: 12_000n })
    const token = kit.wire({ channel: opened.channel.address, requests: [0n, 3n] })
    await expectRefused(opened, { token, category: 'large' }, 'insufficient_funds')
  })

  it('refuses a v1 token on a v2 channel and a v2 token on a v1 channel as token_version_mismatch', async () => {
    const opened = await kit.open()
    const v1Token = kit.wireV1({ channel: opened.channel.address, requests: 1n })
    await expectRefused(opened, { token: v1Token }, 'token_version_mismatch', 400)

    const provider = await t().service('v1-provider', { price: 1_000n })
    const v1 = await t().channel(parties.alice, provider.service)
    expect(v1.contractVersion).toBe(1)
    const v2Token = kit.wire({ channel: v1.address, requests: [1n, 0n] })
    const { status, body } = await kit.verify(provider.apiKey, { token: v2Token })
    expect({ status, code: body.error.code }).toEqual({ status: 400, code: 'token_version_mismatch' })
  })
})

describe('the native v2 token path', () => {
  it('signTokenV2Native() equals signTokenV2() and recoverTokenV2SignerNative() recovers it', async () => {
    const { signTokenV2 } = await import('../../../../packages/payment-client/src/tokenV2')
    const { privateKeyToAccount } = await import('viem/accounts')
    const { signTokenV2Native, recoverTokenV2SignerNative } = await import('./tokenCryptoV2')
    const message = {
      chainId: 31337,
      channel: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
      tokenId: 2n,
      prices: [3n, 4n, 5n],
      requests: [0n, 1n, 9n],
    } as const
    const native = signTokenV2Native({ privateKey: parties.aliceKey, ...message })
    expect(native).toEqual(await signTokenV2({ account: privateKeyToAccount(parties.aliceKey), ...message }))
    expect(recoverTokenV2SignerNative({ chainId: 31337, token: native })).toBe(parties.alice.address)
  })
})
