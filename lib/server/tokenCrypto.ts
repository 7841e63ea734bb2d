import { keccak_256 } from '@noble/hashes/sha3'
import secp256k1 from 'secp256k1'
import { type Address, bytesToHex, type Hex, hexToBytes } from 'viem'
import { isCanonicalSignature, type Token, type TokenMessage, tokenDigestBytes } from '../token'

/**
 * Native secp256k1 (libsecp256k1 bindings) for the Payment Server's hot path: about 30x the
 * throughput of the pure-JS path in lib/token. Node only. Results are identical to viem's; the
 * tests compare them.
 */

/** Signs a token with a raw private key; the signature is low-s with v ∈ {27, 28}. */
export function signTokenNative({ privateKey, ...message }: TokenMessage & { privateKey: Hex }): Token {
  const { signature, recid } = secp256k1.ecdsaSign(tokenDigestBytes(message), hexToBytes(privateKey))
  const out = new Uint8Array(65)
  out.set(signature, 0)
  out[64] = 27 + recid
  return {
    channel: message.channel,
    tokenId: message.tokenId,
    requests: message.requests,
    signature: bytesToHex(out),
  }
}

/**
 * Recovers the signer of a token natively; `null` when the signature is malformed, malleable
 * (high s) or does not recover, the same cases the contract's `redeem` refuses.
 */
export function recoverTokenSignerNative({
  chainId,
  token,
}: {
  chainId: number
  token: Token
}): Address | null {
  if (!isCanonicalSignature(token.signature)) return null
  const bytes = hexToBytes(token.signature)
  const digest = tokenDigestBytes({
    chainId,
    channel: token.channel,
    tokenId: token.tokenId,
    requests: token.requests,
  })
  try {
    const publicKey = secp256k1.ecdsaRecover(bytes.subarray(0, 64), (bytes[64] as number) - 27, digest, false)
    return publicKeyToAddress(publicKey)
  } catch {
    return null
  }
}

/** Ethereum address of an uncompressed (65-byte) public key, lowercase. */
export function publicKeyToAddress(publicKey: Uint8Array): Address {
  return bytesToHex(keccak_256(publicKey.subarray(1)).subarray(12))
}
