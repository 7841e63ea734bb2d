import { keccak_256 } from '@noble/hashes/sha3'
import {
  type Address,
  bytesToHex,
  type Hex,
  hexToBytes,
  isAddress,
  type LocalAccount,
  maxUint256,
  recoverTypedDataAddress,
} from 'viem'

/**
 * The payment token of PRODUCT.md: `(channel, tokenId, requests, signature)`. The consumer signs
 * EIP-712 `Token(uint256 tokenId, uint256 requests)` under the domain of one channel on one
 * chain, so a token can be neither replayed on another channel nor on another chain.
 */
export type Token = {
  channel: Address
  tokenId: bigint
  requests: bigint
  signature: Hex
}

export type TokenMessage = {
  chainId: number
  channel: Address
  tokenId: bigint
  requests: bigint
}

export const TOKEN_DOMAIN_NAME = 'Intermediary'
export const TOKEN_DOMAIN_VERSION = '1'

export const tokenTypes = {
  Token: [
    { name: 'tokenId', type: 'uint256' },
    { name: 'requests', type: 'uint256' },
  ],
} as const

/** The EIP-712 domain of a channel's tokens. */
export function tokenDomain({ chainId, channel }: { chainId: number; channel: Address }) {
  return {
    name: TOKEN_DOMAIN_NAME,
    version: TOKEN_DOMAIN_VERSION,
    chainId,
    verifyingContract: channel,
  } as const
}

/** secp256k1 group order n and n/2: signatures with s > n/2 are malleable twins and refused. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
export const SECP256K1_HALF_N = SECP256K1_N / 2n

const keccakUtf8 = (s: string) => keccak_256(new TextEncoder().encode(s))

/** Writes a uint256 big-endian into `out` at `offset` (32 bytes). */
function writeWord(out: Uint8Array, offset: number, value: bigint): void {
  let v = value
  for (let i = offset + 31; i >= offset && v > 0n; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
}

const DOMAIN_TYPEHASH = keccakUtf8(
  'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)',
)
const TOKEN_TYPEHASH = keccakUtf8('Token(uint256 tokenId,uint256 requests)')
const NAME_HASH = keccakUtf8(TOKEN_DOMAIN_NAME)
const VERSION_HASH = keccakUtf8(TOKEN_DOMAIN_VERSION)
const PREFIX = new Uint8Array([0x19, 0x01])

const separators = new Map<string, Uint8Array>()
const MAX_CACHED_SEPARATORS = 10_000

/** The EIP-712 domain separator of a channel, cached: it never changes for a (chain, channel). */
export function tokenDomainSeparator({
  chainId,
  channel,
}: {
  chainId: number
  channel: Address
}): Uint8Array {
  const key = `${chainId}:${channel.toLowerCase()}`
  let separator = separators.get(key)
  if (!separator) {
    const domain = new Uint8Array(160)
    domain.set(DOMAIN_TYPEHASH, 0)
    domain.set(NAME_HASH, 32)
    domain.set(VERSION_HASH, 64)
    writeWord(domain, 96, BigInt(chainId))
    domain.set(hexToBytes(channel), 140)
    separator = keccak_256(domain)
    if (separators.size >= MAX_CACHED_SEPARATORS) separators.clear()
    separators.set(key, separator)
  }
  return separator
}

/** A keccak-256 implementation: bytes in, 32 bytes out. */
export type Keccak256 = (data: Uint8Array) => Uint8Array

/**
 * The 32-byte EIP-712 digest a token's signature covers; equals viem's `hashTypedData` and the
 * contract's `tokenDigest`, computed without viem's generic encoder (hot path of the server).
 * `keccak` defaults to @noble/hashes (pure JS, any runtime); the server passes a faster one.
 */
export function tokenDigestBytes(
  { chainId, channel, tokenId, requests }: TokenMessage,
  keccak: Keccak256 = keccak_256,
): Uint8Array {
  assertUint256(tokenId, 'tokenId')
  assertUint256(requests, 'requests')
  // Encoded in place (no hex round trips): this runs once per token issued or verified.
  const struct = new Uint8Array(96)
  struct.set(TOKEN_TYPEHASH, 0)
  writeWord(struct, 32, tokenId)
  writeWord(struct, 64, requests)
  const message = new Uint8Array(66)
  message.set(PREFIX, 0)
  message.set(tokenDomainSeparator({ chainId, channel }), 2)
  message.set(keccak(struct), 34)
  return keccak(message)
}

/** {@link tokenDigestBytes} as hex. */
export function tokenDigest(message: TokenMessage): Hex {
  return bytesToHex(tokenDigestBytes(message))
}

/** Signs a token with a viem account (pure JS; see lib/server/tokenCrypto for the native path). */
export async function signToken({
  account,
  chainId,
  channel,
  tokenId,
  requests,
}: TokenMessage & { account: LocalAccount }): Promise<Token> {
  const signature = await account.signTypedData({
    domain: tokenDomain({ chainId, channel }),
    types: tokenTypes,
    primaryType: 'Token',
    message: { tokenId, requests },
  })
  return { channel, tokenId, requests, signature }
}

/**
 * Recovers a token's signer with viem (pure JS, works in the browser); `null` when the
 * signature is malformed or malleable (high s), exactly the cases the contract refuses.
 */
export async function recoverTokenSigner({
  chainId,
  token,
}: {
  chainId: number
  token: Token
}): Promise<Address | null> {
  if (!isCanonicalSignature(token.signature)) return null
  try {
    return await recoverTypedDataAddress({
      domain: tokenDomain({ chainId, channel: token.channel }),
      types: tokenTypes,
      primaryType: 'Token',
      message: { tokenId: token.tokenId, requests: token.requests },
      signature: token.signature,
    })
  } catch {
    return null
  }
}

/** True for a 65-byte `r‖s‖v` signature with s ≤ n/2 and v ∈ {27, 28} (what the contract accepts). */
export function isCanonicalSignature(signature: Hex): boolean {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return false
  const r = BigInt(`0x${signature.slice(2, 66)}`)
  const s = BigInt(`0x${signature.slice(66, 130)}`)
  const v = Number.parseInt(signature.slice(130, 132), 16)
  return r > 0n && r < SECP256K1_N && s > 0n && s <= SECP256K1_HALF_N && (v === 27 || v === 28)
}

function assertUint256(value: bigint, name: string): void {
  if (typeof value !== 'bigint' || value < 0n || value > maxUint256) {
    throw new RangeError(`${name} must be a uint256, got ${String(value)}`)
  }
}

/** HTTP header that carries a token from a consumer service to a provider service. */
export const TOKEN_HEADER = 'payment-token'

const WIRE_VERSION = 'v1'
const DECIMAL_UINT = /^(0|[1-9][0-9]{0,77})$/

/** Whether `text` is a uint256 in decimal, without leading zeros (how amounts and counts travel). */
export function isDecimalUint256(text: unknown): text is string {
  return typeof text === 'string' && DECIMAL_UINT.test(text) && BigInt(text) <= maxUint256
}

/**
 * A token as one header-safe string:
 * `v1.<chainId>.<channel>.<tokenId>.<requests>.<signature>` (decimal numbers, lowercase hex),
 * e.g. `v1.31337.0x5fbd…0aa3.1.42.0x8c1f…1b`. The chain id travels along so that a token for
 * another chain is refused with a clear reason instead of a bad signature.
 */
export function formatToken({ chainId, token }: { chainId: number; token: Token }): string {
  return [
    WIRE_VERSION,
    chainId,
    token.channel.toLowerCase(),
    token.tokenId.toString(),
    token.requests.toString(),
    token.signature.toLowerCase(),
  ].join('.')
}

export type ParsedToken = { chainId: number; token: Token }

/** Thrown by {@link parseToken} with a sentence saying which part is wrong. */
export class TokenFormatError extends Error {
  override name = 'TokenFormatError'
}

/** Parses {@link formatToken}'s string strictly; throws TokenFormatError naming the bad part. */
export function parseToken(value: string): ParsedToken {
  if (typeof value !== 'string' || value.length > 400) {
    throw new TokenFormatError('A token is a string of at most 400 characters.')
  }
  const parts = value.trim().split('.')
  if (parts.length !== 6 || parts[0] !== WIRE_VERSION) {
    throw new TokenFormatError('A token reads v1.<chainId>.<channel>.<tokenId>.<requests>.<signature>.')
  }
  const [, chain, channel, tokenId, requests, signature] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  if (!/^[1-9][0-9]{0,15}$/.test(chain) || !Number.isSafeInteger(Number(chain))) {
    throw new TokenFormatError('The chain id of the token is not a positive integer.')
  }
  if (!isAddress(channel, { strict: false })) {
    throw new TokenFormatError('The channel of the token is not a 20-byte hex address.')
  }
  for (const [name, text] of [
    ['token ID', tokenId],
    ['request count', requests],
  ] as const) {
    if (!isDecimalUint256(text)) {
      throw new TokenFormatError(`The ${name} of the token is not a decimal uint256.`)
    }
  }
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) {
    throw new TokenFormatError('The signature of the token is not 65 bytes of hex.')
  }
  return {
    chainId: Number(chain),
    token: {
      channel: channel.toLowerCase() as Address,
      tokenId: BigInt(tokenId),
      requests: BigInt(requests),
      signature: signature.toLowerCase() as Hex,
    },
  }
}
