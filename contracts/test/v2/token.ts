import { type Address, concat, type Hex, hashTypedData, type LocalAccount, numberToHex } from 'viem'
import { SECP256K1_N } from '../../../packages/payment-client/src/token'

/*
 * The token of IntermediaryV2 for its tests and the gas bench: EIP-712
 * `Token(uint256 tokenId,uint256[] prices,uint256[] requests)` under the domain ("Intermediary",
 * "2", chain, channel). The prices are the table the consumer agreed to for the token ID, so a
 * token is worth nothing at any other table (a price announcement reorganised away and replaced). The Payment Server's and client library's own v2 token (with the fast native path
 * of v1's) belong to the session that wires v2 into the product; this is the reference they
 * are checked against, itself checked against the contract's tokenDigest.
 */

export const tokenV2Types = {
  Token: [
    { name: 'tokenId', type: 'uint256' },
    { name: 'prices', type: 'uint256[]' },
    { name: 'requests', type: 'uint256[]' },
  ],
} as const

/** The EIP-712 domain of a v2 channel's tokens. */
export function tokenV2Domain({ chainId, channel }: { chainId: number; channel: Address }) {
  return { name: 'Intermediary', version: '2', chainId, verifyingContract: channel } as const
}

export type TokenV2Message = {
  chainId: number
  channel: Address
  tokenId: bigint
  /** The price table of the token ID, as the consumer saw it announced. */
  prices: readonly bigint[]
  /** One request count per category of the channel. */
  requests: readonly bigint[]
}

/** The digest a v2 token's signature covers (viem's generic EIP-712 encoder). */
export function tokenV2Digest({ chainId, channel, tokenId, prices, requests }: TokenV2Message): Hex {
  return hashTypedData({
    domain: tokenV2Domain({ chainId, channel }),
    types: tokenV2Types,
    primaryType: 'Token',
    message: { tokenId, prices, requests },
  })
}

/** Signs a v2 token with a viem account; returns the 65-byte low-s signature. */
export function signTokenV2({
  account,
  chainId,
  channel,
  tokenId,
  prices,
  requests,
}: TokenV2Message & { account: LocalAccount }): Promise<Hex> {
  return account.signTypedData({
    domain: tokenV2Domain({ chainId, channel }),
    types: tokenV2Types,
    primaryType: 'Token',
    message: { tokenId, prices, requests },
  })
}

/** The high-s twin of a low-s signature (s' = n - s, v flipped): plain ecrecover accepts it. */
export function highS(signature: Hex): Hex {
  const s = BigInt(`0x${signature.slice(66, 130)}`)
  const v = Number.parseInt(signature.slice(130, 132), 16)
  return concat([
    `0x${signature.slice(2, 66)}`,
    numberToHex(SECP256K1_N - s, { size: 32 }),
    numberToHex(v === 27 ? 28 : 27, { size: 1 }),
  ])
}

/** What a token is worth at `prices`, capped at `funds` (the contract's rule). */
export function tokenValue(requests: readonly bigint[], prices: readonly bigint[], funds: bigint): bigint {
  const worth = requests.reduce((sum, count, i) => sum + count * prices[i]!, 0n)
  return worth > funds ? funds : worth
}
