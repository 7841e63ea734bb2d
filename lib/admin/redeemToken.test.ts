import { type Address, type Hex, numberToHex, recoverTypedDataAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import {
  formatToken,
  SECP256K1_N,
  signToken,
  tokenDomain,
  tokenTypes,
} from '../../packages/payment-client/src/token'
import { ANVIL_KEYS } from '../../stack/anvil'
import { checkPastedToken, redemptionValue } from './redeemToken'

/*
 * checkPastedToken on tokens really signed (viem accounts with anvil's dev keys) and on their
 * tampered variants, and redemptionValue's exact amounts and cap.
 */

const CHAIN_ID = 31337
const CHANNEL = '0x5fbdb2315678afecb367f032d93f642f64180aa3' as Address
const OTHER_CHANNEL = '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512' as Address
const consumer = privateKeyToAccount(ANVIL_KEYS[1])
const stranger = privateKeyToAccount(ANVIL_KEYS[3])

/** The channel under redemption of token ID 2, as the page knows it. */
const state = { address: CHANNEL, consumer: consumer.address.toLowerCase() as Address, expiringTokenId: 2n }

async function wire({
  account = consumer,
  chainId = CHAIN_ID,
  channel = CHANNEL,
  tokenId = 2n,
  requests = 42n,
}: {
  account?: typeof consumer
  chainId?: number
  channel?: Address
  tokenId?: bigint
  requests?: bigint
} = {}) {
  const token = await signToken({ account, chainId, channel, tokenId, requests })
  return { token, text: formatToken({ chainId, token }) }
}

/** The same signature with s replaced by n - s and v flipped: valid for ecrecover, refused as malleable. */
function highSTwin(signature: Hex): Hex {
  const r = signature.slice(2, 66)
  const s = BigInt(`0x${signature.slice(66, 130)}`)
  const v = Number.parseInt(signature.slice(130, 132), 16)
  const twinS = numberToHex(SECP256K1_N - s, { size: 32 }).slice(2)
  const twinV = (v === 27 ? 28 : 27).toString(16)
  return `0x${r}${twinS}${twinV}` as Hex
}

describe('checkPastedToken', () => {
  it('checkPastedToken() accepts a token of the expiring ID signed by the consumer', async () => {
    const { token, text } = await wire()
    expect(await checkPastedToken({ text, chainId: CHAIN_ID, state })).toEqual({
      ok: true,
      token: { channel: CHANNEL, tokenId: 2n, requests: 42n, signature: token.signature.toLowerCase() },
    })
  })

  it('checkPastedToken() accepts the token with surrounding whitespace and a checksummed channel in the state', async () => {
    const { text } = await wire({ requests: 1n })
    const result = await checkPastedToken({
      text: `  ${text}\n`,
      chainId: CHAIN_ID,
      state: { ...state, address: '0x5FbDB2315678afecb367f032d93F642f64180aa3', consumer: consumer.address },
    })
    expect(result).toMatchObject({ ok: true, token: { channel: CHANNEL, tokenId: 2n, requests: 1n } })
  })

  it('checkPastedToken() refuses malformed text with the parser sentence', async () => {
    const { text } = await wire()
    const cases: [string, string][] = [
      ['hello', 'A token reads v1.<chainId>.<channel>.<tokenId>.<requests>.<signature>.'],
      ['', 'A token reads v1.<chainId>.<channel>.<tokenId>.<requests>.<signature>.'],
      [text.replace('v1.', 'v2.'), 'A token reads v1.<chainId>.<channel>.<tokenId>.<requests>.<signature>.'],
      [text.replace(`.${CHANNEL}.`, '.0x1234.'), 'The channel of the token is not a 20-byte hex address.'],
      [text.replace('.2.42.', '.2.-42.'), 'The request count of the token is not a decimal uint256.'],
      [text.replace('.2.42.', '.02.42.'), 'The token ID of the token is not a decimal uint256.'],
      [text.slice(0, -2), 'The signature of the token is not 65 bytes of hex.'],
      [text.replace('v1.31337.', 'v1.0.'), 'The chain id of the token is not a positive integer.'],
      ['x'.repeat(401), 'A token is a string of at most 400 characters.'],
    ]
    for (const [pasted, reason] of cases) {
      expect(await checkPastedToken({ text: pasted, chainId: CHAIN_ID, state }), pasted).toEqual({
        ok: false,
        reason,
      })
    }
  })

  it('checkPastedToken() refuses a token for another chain', async () => {
    const { text } = await wire({ chainId: 1 })
    expect(await checkPastedToken({ text, chainId: CHAIN_ID, state })).toEqual({
      ok: false,
      reason: 'The token is for chain 1, not this chain (31337).',
    })
  })

  it('checkPastedToken() refuses a token for another channel', async () => {
    const { text } = await wire({ channel: OTHER_CHANNEL })
    expect(await checkPastedToken({ text, chainId: CHAIN_ID, state })).toEqual({
      ok: false,
      reason: `The token is for channel ${OTHER_CHANNEL}, not this one.`,
    })
  })

  it('checkPastedToken() refuses any token while no redemption is pending', async () => {
    const { text } = await wire()
    expect(
      await checkPastedToken({ text, chainId: CHAIN_ID, state: { ...state, expiringTokenId: 0n } }),
    ).toEqual({
      ok: false,
      reason: 'No redemption is pending on this channel.',
    })
  })

  it('checkPastedToken() refuses a token of another token ID than the one under redemption', async () => {
    const { text } = await wire({ tokenId: 3n })
    expect(await checkPastedToken({ text, chainId: CHAIN_ID, state })).toEqual({
      ok: false,
      reason: 'The token is for token ID 3, but token ID 2 is under redemption.',
    })
  })

  it('checkPastedToken() refuses a token signed by a stranger', async () => {
    const { text } = await wire({ account: stranger })
    expect(await checkPastedToken({ text, chainId: CHAIN_ID, state })).toEqual({
      ok: false,
      reason: "The token is not signed by the channel's consumer.",
    })
  })

  it('checkPastedToken() refuses a consumer token whose count was changed after signing', async () => {
    const { text } = await wire({ requests: 42n })
    expect(
      await checkPastedToken({ text: text.replace('.2.42.', '.2.4200.'), chainId: CHAIN_ID, state }),
    ).toEqual({
      ok: false,
      reason: "The token is not signed by the channel's consumer.",
    })
  })

  it('checkPastedToken() refuses the high-s twin of a valid consumer signature', async () => {
    const { token } = await wire()
    const twin = highSTwin(token.signature)
    expect(twin).not.toBe(token.signature.toLowerCase())
    // Plain ecrecover accepts the twin as the consumer's; only the canonical-signature rule refuses it.
    const recovered = await recoverTypedDataAddress({
      domain: tokenDomain({ chainId: CHAIN_ID, channel: CHANNEL }),
      types: tokenTypes,
      primaryType: 'Token',
      message: { tokenId: 2n, requests: 42n },
      signature: twin,
    })
    expect(recovered).toBe(consumer.address)
    const text = formatToken({ chainId: CHAIN_ID, token: { ...token, signature: twin } })
    expect(await checkPastedToken({ text, chainId: CHAIN_ID, state })).toEqual({
      ok: false,
      reason: "The token is not signed by the channel's consumer.",
    })
  })
})

describe('redemptionValue', () => {
  const costPerRequest = 50_000_000_000n // 50 gwei

  it('redemptionValue() is requests times the price when the consumer funds cover it', () => {
    expect(redemptionValue({ requests: 3n, state: { costPerRequest, consumerFunds: 10n ** 18n } })).toEqual({
      wei: 150_000_000_000n,
      capped: false,
      text: '150 gwei',
    })
    expect(redemptionValue({ requests: 0n, state: { costPerRequest, consumerFunds: 10n ** 18n } })).toEqual({
      wei: 0n,
      capped: false,
      text: '0 ETH',
    })
  })

  it('redemptionValue() is not capped when the token is worth exactly the consumer funds', () => {
    expect(
      redemptionValue({ requests: 4n, state: { costPerRequest, consumerFunds: 200_000_000_000n } }),
    ).toEqual({
      wei: 200_000_000_000n,
      capped: false,
      text: '200 gwei',
    })
  })

  it('redemptionValue() is capped at the consumer funds as the contract caps it', () => {
    expect(
      redemptionValue({
        requests: 10n,
        state: { costPerRequest: 10n ** 18n, consumerFunds: 2_500_000_000_000_000_000n },
      }),
    ).toEqual({
      wei: 2_500_000_000_000_000_000n,
      capped: true,
      text: "2.5 ETH (all the consumer's funds; the token is worth 10 ETH)",
    })
    expect(
      redemptionValue({ requests: 5n, state: { costPerRequest, consumerFunds: 200_000_000_001n } }),
    ).toEqual({
      wei: 200_000_000_001n,
      capped: true,
      text: "200.000000001 gwei (all the consumer's funds; the token is worth 250 gwei)",
    })
    expect(redemptionValue({ requests: 1n, state: { costPerRequest: 7n, consumerFunds: 0n } })).toEqual({
      wei: 0n,
      capped: true,
      text: "0 ETH (all the consumer's funds; the token is worth 7 wei)",
    })
  })

  it('redemptionValue() stays exact for counts whose value exceeds a uint256', () => {
    const requests = 2n ** 255n
    expect(
      redemptionValue({ requests, state: { costPerRequest: 4n, consumerFunds: 10n ** 18n } }),
    ).toMatchObject({
      wei: 10n ** 18n,
      capped: true,
    })
  })
})
