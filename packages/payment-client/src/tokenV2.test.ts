import { hashTypedData, maxUint256 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { TokenFormatError } from './token'
import {
  formatTokenV2,
  isTokenV2Wire,
  MAX_TOKEN_V2_LENGTH,
  parseTokenV2,
  recoverTokenV2Signer,
  signTokenV2,
  tokenV2Digest,
  tokenV2Domain,
  tokenV2Types,
  tokenV2Value,
} from './tokenV2'

const account = privateKeyToAccount(`0x${'11'.repeat(32)}`)
const message = {
  chainId: 31337,
  channel: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  tokenId: 3n,
  prices: [1_000n, 5_000n],
  requests: [7n, 2n],
} as const

describe('v2 tokens', () => {
  it("tokenV2Digest() equals viem's EIP-712 hash of Token(tokenId, prices[], requests[])", () => {
    expect(tokenV2Digest(message)).toBe(
      hashTypedData({
        domain: tokenV2Domain(message),
        types: tokenV2Types,
        primaryType: 'Token',
        message: { tokenId: message.tokenId, prices: message.prices, requests: message.requests },
      }),
    )
  })

  it('signTokenV2() signs what recoverTokenV2Signer() recovers, and the wire form round-trips', async () => {
    const token = await signTokenV2({ account, ...message })
    expect(await recoverTokenV2Signer({ chainId: 31337, token })).toBe(account.address)
    expect(
      await recoverTokenV2Signer({ chainId: 31337, token: { ...token, prices: [1_000n, 1n] } }),
    ).not.toBe(account.address)
    const wire = formatTokenV2({ chainId: 31337, token })
    expect(wire.startsWith('v2.31337.0x5fbdb2315678afecb367f032d93f642f64180aa3.3.1000,5000.7,2.0x')).toBe(
      true,
    )
    expect(isTokenV2Wire(wire)).toBe(true)
    expect(parseTokenV2(wire)).toEqual({ chainId: 31337, token })
  })

  it('parseTokenV2() refuses counts that do not match the prices, and more than 8 categories', () => {
    const wire = (prices: string, requests: string) =>
      `v2.1.0x5fbdb2315678afecb367f032d93f642f64180aa3.1.${prices}.${requests}.0x${'ab'.repeat(65)}`
    expect(() => parseTokenV2(wire('1,2', '1'))).toThrow(TokenFormatError)
    expect(() => parseTokenV2(wire('1,1,1,1,1,1,1,1,1', '1,1,1,1,1,1,1,1,1'))).toThrow(/1 to 8/)
    expect(() => parseTokenV2(wire('1,01', '1,1'))).toThrow(TokenFormatError)
  })

  it('parseTokenV2() reads the largest token a signer can produce (8 categories of uint256, the longest chain id)', () => {
    const max = Array(8).fill(maxUint256)
    const token = {
      ...message,
      tokenId: maxUint256,
      prices: max,
      requests: max,
      signature: `0x${'ab'.repeat(65)}` as const,
    }
    const wire = formatTokenV2({ chainId: 9_007_199_254_740_991, token })
    expect(wire.length).toBe(MAX_TOKEN_V2_LENGTH)
    expect(parseTokenV2(wire).token.requests).toEqual(max)
    expect(() => parseTokenV2(`${wire} `)).toThrow(/at most 1538 characters/)
  })

  it('tokenV2Value() is the dot product of counts and prices', () => {
    expect(tokenV2Value([7n, 2n], [1_000n, 5_000n])).toBe(17_000n)
  })
})
