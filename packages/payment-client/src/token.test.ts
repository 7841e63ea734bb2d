import { keccak_256 } from '@noble/hashes/sha3'
import fc from 'fast-check'
import { type Address, bytesToHex, type Hex, hashTypedData, recoverTypedDataAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryAbi } from '../../../contracts/generated'
import {
  keccak256Fast,
  recoverTokenSignerNative,
  signTokenNative,
  tokenCryptoReady,
} from '../../../lib/server/tokenCrypto'
import { type ChannelTestbed, startChannelTestbed } from '../../../test/kit/testbed'
import {
  isCanonicalSignature,
  recoverTokenSigner,
  SECP256K1_N,
  signToken,
  tokenDigest,
  tokenDigestBytes,
  tokenDomain,
  tokenTypes,
} from './token'

const uint256 = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n })
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => bytesToHex(b) as Address)
const privateKey = fc
  .bigInt({ min: 1n, max: SECP256K1_N - 1n })
  .map((k) => `0x${k.toString(16).padStart(64, '0')}` as Hex)
const chainId = fc.integer({ min: 1, max: 2 ** 31 })

/** The same signature with s' = n - s and the other v: valid for plain ecrecover, malleable. */
function malleate(signature: Hex): Hex {
  const s = BigInt(`0x${signature.slice(66, 130)}`)
  const v = Number.parseInt(signature.slice(130, 132), 16)
  const flipped = (SECP256K1_N - s).toString(16).padStart(64, '0')
  return `${signature.slice(0, 66)}${flipped}${(v === 27 ? 28 : 27).toString(16)}` as Hex
}

describe('token digest', () => {
  it('tokenDigest() equals viem hashTypedData for random channels, chains and values, with either keccak', async () => {
    await tokenCryptoReady
    fc.assert(
      fc.property(chainId, address, uint256, uint256, (id, channel, tokenId, requests) => {
        const viemDigest = hashTypedData({
          domain: tokenDomain({ chainId: id, channel }),
          types: tokenTypes,
          primaryType: 'Token',
          message: { tokenId, requests },
        })
        const message = { chainId: id, channel, tokenId, requests }
        expect(tokenDigest(message)).toBe(viemDigest)
        // The server's: keccak in WebAssembly.
        expect(bytesToHex(tokenDigestBytes(message, keccak256Fast))).toBe(viemDigest)
      }),
      { numRuns: 300 },
    )
  })

  it('tokenDigest() refuses values outside uint256', () => {
    const channel = '0x5fbdb2315678afecb367f032d93f642f64180aa3'
    expect(() => tokenDigest({ chainId: 1, channel, tokenId: -1n, requests: 1n })).toThrow(
      /tokenId must be a uint256/,
    )
    expect(() => tokenDigest({ chainId: 1, channel, tokenId: 1n, requests: 1n << 256n })).toThrow(/requests/)
  })
})

describe('native secp256k1 path', () => {
  // The server waits for this before its first token (createPaymentServer); so do these tests.
  beforeAll(() => tokenCryptoReady)

  it('keccak256Fast() (WebAssembly) equals @noble/hashes on empty, short, block-sized and long inputs', () => {
    for (const length of [0, 1, 31, 32, 64, 66, 96, 135, 136, 137, 272, 1000])
      expect(bytesToHex(keccak256Fast(new Uint8Array(length).map((_, i) => (i * 7 + length) & 0xff)))).toBe(
        bytesToHex(keccak_256(new Uint8Array(length).map((_, i) => (i * 7 + length) & 0xff))),
      )
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        expect(bytesToHex(keccak256Fast(data))).toBe(bytesToHex(keccak_256(data)))
      }),
      { numRuns: 300 },
    )
    // Known answer: keccak-256 of the empty string.
    expect(bytesToHex(keccak256Fast(new Uint8Array()))).toBe(
      '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    )
  })

  it('signTokenNative() produces exactly viem signTypedData signature (RFC 6979)', async () => {
    await fc.assert(
      fc.asyncProperty(
        privateKey,
        chainId,
        address,
        uint256,
        uint256,
        async (key, id, channel, tokenId, requests) => {
          const account = privateKeyToAccount(key)
          const viaViem = await signToken({ account, chainId: id, channel, tokenId, requests })
          const native = signTokenNative({ privateKey: key, chainId: id, channel, tokenId, requests })
          expect(native.signature).toBe(viaViem.signature)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('recoverTokenSignerNative() agrees with viem on valid, foreign and tampered tokens', async () => {
    await fc.assert(
      fc.asyncProperty(
        privateKey,
        chainId,
        address,
        uint256,
        uint256,
        async (key, id, channel, tokenId, requests) => {
          const signer = privateKeyToAccount(key).address.toLowerCase()
          const token = signTokenNative({ privateKey: key, chainId: id, channel, tokenId, requests })
          expect(recoverTokenSignerNative({ chainId: id, token })).toBe(signer)
          expect((await recoverTokenSigner({ chainId: id, token }))?.toLowerCase()).toBe(signer)
          // Another chain id or another count recovers someone else, in both implementations alike.
          const otherChain = recoverTokenSignerNative({ chainId: id + 1, token })
          expect(otherChain).not.toBe(signer)
          expect((await recoverTokenSigner({ chainId: id + 1, token }))?.toLowerCase()).toBe(
            otherChain ?? undefined,
          )
          const bumped = { ...token, requests: (requests + 1n) % (1n << 256n) }
          expect(recoverTokenSignerNative({ chainId: id, token: bumped })).not.toBe(signer)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('both recover paths refuse a malleable (high-s) twin that plain ecrecover accepts', async () => {
    const key = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
    const channel = '0x5fbdb2315678afecb367f032d93f642f64180aa3'
    const token = signTokenNative({ privateKey: key, chainId: 31337, channel, tokenId: 7n, requests: 42n })
    const twin = { ...token, signature: malleate(token.signature) }
    // viem's plain recovery accepts the twin: this is exactly the malleability being closed.
    const plain = await recoverTypedDataAddress({
      domain: tokenDomain({ chainId: 31337, channel }),
      types: tokenTypes,
      primaryType: 'Token',
      message: { tokenId: 7n, requests: 42n },
      signature: twin.signature,
    })
    expect(plain.toLowerCase()).toBe(privateKeyToAccount(key).address.toLowerCase())
    expect(isCanonicalSignature(twin.signature)).toBe(false)
    expect(recoverTokenSignerNative({ chainId: 31337, token: twin })).toBeNull()
    expect(await recoverTokenSigner({ chainId: 31337, token: twin })).toBeNull()
  })

  it('recoverTokenSignerNative() returns null for malformed signatures', () => {
    const channel = '0x5fbdb2315678afecb367f032d93f642f64180aa3'
    const base = { channel, tokenId: 1n, requests: 1n } as const
    for (const signature of [
      '0x',
      '0x1234',
      `0x${'00'.repeat(65)}`,
      `0x${'ff'.repeat(65)}`,
      `0x${'11'.repeat(64)}1b00`,
    ]) {
      expect(
        recoverTokenSignerNative({ chainId: 1, token: { ...base, signature: signature as Hex } }),
      ).toBeNull()
    }
  })
})

describe('token digest on chain', () => {
  let t: ChannelTestbed
  beforeAll(async () => {
    t = await startChannelTestbed({ chainId: 4242 })
  })
  afterAll(() => t?.stop())

  it("tokenDigest() equals the contract's own tokenDigest() for its chain id and address", async () => {
    const channel = await t.open()
    for (const [tokenId, requests] of [
      [1n, 0n],
      [1n, 1n],
      [2n ** 255n, (1n << 256n) - 1n],
    ] as const) {
      const onChain = await t.publicClient.readContract({
        address: channel,
        abi: intermediaryAbi,
        functionName: 'tokenDigest',
        args: [tokenId, requests],
      })
      expect(tokenDigest({ chainId: 4242, channel, tokenId, requests })).toBe(onChain)
    }
  })
})
