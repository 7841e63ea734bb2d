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
import {
  isCanonicalSignature,
  isDecimalUint256,
  type Keccak256,
  TOKEN_DOMAIN_NAME,
  TokenFormatError,
} from './token'

/**
 * The token of a version 2 channel (IntermediaryV2, request categories and price tables): one
 * request count per category, and the price table of its token ID, which the consumer signs
 * too (EIP-712 `Token(uint256 tokenId,uint256[] prices,uint256[] requests)`, domain
 * "Intermediary" / "2"), so it is worth nothing at any other table. Its value is
 * dot(prices, requests).
 */
export type TokenV2 = {
  channel: Address
  tokenId: bigint
  /** The token ID's price table (wei per request of each category), as the consumer agreed to it. */
  prices: readonly bigint[]
  /** Cumulative request counts, one per category. */
  requests: readonly bigint[]
  signature: Hex
}

export type TokenV2Message = Omit<TokenV2, 'signature'> & { chainId: number }

/** Most categories a channel has (the factory's MAX_CATEGORIES). */
export const MAX_CATEGORIES = 8
export const TOKEN_V2_DOMAIN_VERSION = '2'

export const tokenV2Types = {
  Token: [
    { name: 'tokenId', type: 'uint256' },
    { name: 'prices', type: 'uint256[]' },
    { name: 'requests', type: 'uint256[]' },
  ],
} as const

/** The EIP-712 domain of a v2 channel's tokens. */
export function tokenV2Domain({ chainId, channel }: { chainId: number; channel: Address }) {
  return {
    name: TOKEN_DOMAIN_NAME,
    version: TOKEN_V2_DOMAIN_VERSION,
    chainId,
    verifyingContract: channel,
  } as const
}

/** dot(prices, requests): what a token is worth (before the contract's cap at the consumer's funds). */
export function tokenV2Value(requests: readonly bigint[], prices: readonly bigint[]): bigint {
  let sum = 0n
  for (let i = 0; i < requests.length; i++) sum += (requests[i] as bigint) * (prices[i] ?? 0n)
  return sum
}

const utf8 = (s: string) => new TextEncoder().encode(s)
const DOMAIN_TYPEHASH = keccak_256(
  utf8('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'),
)
const TOKEN_TYPEHASH = keccak_256(utf8('Token(uint256 tokenId,uint256[] prices,uint256[] requests)'))

function writeWord(out: Uint8Array, offset: number, value: bigint, name: string): void {
  if (typeof value !== 'bigint' || value < 0n || value > maxUint256) {
    throw new RangeError(`${name} must be a uint256, got ${String(value)}`)
  }
  let v = value
  for (let i = offset + 31; i >= offset && v > 0n; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
}

/** EIP-712's encoding of a uint256[]: the keccak of its words. */
function arrayHash(values: readonly bigint[], name: string, keccak: Keccak256): Uint8Array {
  const words = new Uint8Array(32 * values.length)
  values.forEach((v, i) => {
    writeWord(words, 32 * i, v, `${name}[${i}]`)
  })
  return keccak(words)
}

/**
 * The 32-byte EIP-712 digest a v2 token's signature covers: equals viem's `hashTypedData` and
 * the contract's `tokenDigest` (contracts/test/v2/token.ts is the reference it is tested
 * against), encoded in place for the server's hot path; `keccak` as in tokenDigestBytes.
 */
export function tokenV2DigestBytes(
  { chainId, channel, tokenId, prices, requests }: TokenV2Message,
  keccak: Keccak256 = keccak_256,
): Uint8Array {
  const domain = new Uint8Array(160)
  domain.set(DOMAIN_TYPEHASH, 0)
  domain.set(keccak(utf8(TOKEN_DOMAIN_NAME)), 32)
  domain.set(keccak(utf8(TOKEN_V2_DOMAIN_VERSION)), 64)
  writeWord(domain, 96, BigInt(chainId), 'chainId')
  domain.set(hexToBytes(channel), 140)
  const struct = new Uint8Array(128)
  struct.set(TOKEN_TYPEHASH, 0)
  writeWord(struct, 32, tokenId, 'tokenId')
  struct.set(arrayHash(prices, 'prices', keccak), 64)
  struct.set(arrayHash(requests, 'requests', keccak), 96)
  const message = new Uint8Array(66)
  message.set([0x19, 0x01], 0)
  message.set(keccak(domain), 2)
  message.set(keccak(struct), 34)
  return keccak(message)
}

/** {@link tokenV2DigestBytes} as hex. */
export const tokenV2Digest = (message: TokenV2Message): Hex => bytesToHex(tokenV2DigestBytes(message))

/** Signs a v2 token with a viem account (pure JS). */
export async function signTokenV2({
  account,
  chainId,
  ...token
}: TokenV2Message & { account: LocalAccount }): Promise<TokenV2> {
  const signature = await account.signTypedData({
    domain: tokenV2Domain({ chainId, channel: token.channel }),
    types: tokenV2Types,
    primaryType: 'Token',
    message: { tokenId: token.tokenId, prices: token.prices, requests: token.requests },
  })
  return { ...token, signature }
}

/** Recovers a v2 token's signer with viem; null when the signature is malformed or high-s. */
export async function recoverTokenV2Signer({
  chainId,
  token,
}: {
  chainId: number
  token: TokenV2
}): Promise<Address | null> {
  if (!isCanonicalSignature(token.signature)) return null
  try {
    return await recoverTypedDataAddress({
      domain: tokenV2Domain({ chainId, channel: token.channel }),
      types: tokenV2Types,
      primaryType: 'Token',
      message: { tokenId: token.tokenId, prices: token.prices, requests: token.requests },
      signature: token.signature,
    })
  } catch {
    return null
  }
}

/** The prefix of a v2 token's wire form (a v1 token's is `v1.`). */
export const WIRE_V2 = 'v2'

/**
 * The header beside a version 2 token that names the index of the category the request is
 * charged to. A provider route that serves any category (middleware `category: '*'`, e.g. a
 * service called for several origins: thesis 3.4) reads it; the consumer library sets it.
 */
export const CATEGORY_HEADER = 'payment-category'
/** Decimal digits of the largest uint256. */
const UINT256_DIGITS = 78
/** Longest comma-separated list of a v2 token: MAX_CATEGORIES uint256 values. */
const MAX_LIST = MAX_CATEGORIES * UINT256_DIGITS + MAX_CATEGORIES - 1
/**
 * Longest wire form of a v2 token: `v2`, a 16-digit chain id, a 42-character address, a uint256
 * token ID, 8 categories of uint256 prices and of counts, a 65-byte hex signature, 6 dots
 * (1,538 characters). Anything a signer can produce parses.
 */
export const MAX_TOKEN_V2_LENGTH = 2 + 16 + 42 + UINT256_DIGITS + 2 * MAX_LIST + 132 + 6

/**
 * A v2 token as one header-safe string:
 * `v2.<chainId>.<channel>.<tokenId>.<prices>.<requests>.<signature>`, the lists decimal and
 * comma-separated, e.g. `v2.31337.0x5fbd…0aa3.1.1000,5000.3,1.0x8c1f…1b`.
 */
export function formatTokenV2({ chainId, token }: { chainId: number; token: TokenV2 }): string {
  return [
    WIRE_V2,
    chainId,
    token.channel.toLowerCase(),
    token.tokenId.toString(),
    token.prices.join(','),
    token.requests.join(','),
    token.signature.toLowerCase(),
  ].join('.')
}

/** Whether a wire token is a v2 one (else it is read as v1). */
export const isTokenV2Wire = (value: unknown): value is string =>
  typeof value === 'string' && value.trimStart().startsWith(`${WIRE_V2}.`)

/** Parses {@link formatTokenV2}'s string strictly; throws TokenFormatError naming the bad part. */
export function parseTokenV2(value: string): { chainId: number; token: TokenV2 } {
  if (typeof value !== 'string' || value.length > MAX_TOKEN_V2_LENGTH) {
    throw new TokenFormatError(`A v2 token is a string of at most ${MAX_TOKEN_V2_LENGTH} characters.`)
  }
  const parts = value.trim().split('.')
  if (parts.length !== 7 || parts[0] !== WIRE_V2) {
    throw new TokenFormatError(
      'A v2 token reads v2.<chainId>.<channel>.<tokenId>.<prices>.<requests>.<signature>.',
    )
  }
  const [, chain, channel, tokenId, prices, requests, signature] = parts as [
    string,
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
  if (!isDecimalUint256(tokenId))
    throw new TokenFormatError('The token ID of the token is not a decimal uint256.')
  const list = (text: string, name: string): bigint[] => {
    const items = text.split(',')
    if (items.length < 1 || items.length > MAX_CATEGORIES || !items.every(isDecimalUint256)) {
      throw new TokenFormatError(
        `The ${name} of the token are not 1 to ${MAX_CATEGORIES} comma-separated decimal uint256.`,
      )
    }
    return items.map(BigInt)
  }
  const priceList = list(prices, 'prices')
  const requestList = list(requests, 'request counts')
  if (priceList.length !== requestList.length) {
    throw new TokenFormatError('The token has not as many request counts as prices (one per category).')
  }
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) {
    throw new TokenFormatError('The signature of the token is not 65 bytes of hex.')
  }
  return {
    chainId: Number(chain),
    token: {
      channel: channel.toLowerCase() as Address,
      tokenId: BigInt(tokenId),
      prices: priceList,
      requests: requestList,
      signature: signature.toLowerCase() as Hex,
    },
  }
}
