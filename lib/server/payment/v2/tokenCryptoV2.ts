import type { Address, Hex } from 'viem'
import { isCanonicalSignature } from '../../../../packages/payment-client/src/token'
import {
  type TokenV2,
  type TokenV2Message,
  tokenV2DigestBytes,
} from '../../../../packages/payment-client/src/tokenV2'
import { secp256k1 } from '../../secp256k1'
import { keccak256Fast, RECOVERY_INPUT_BYTES, recoverInput } from '../../tokenCrypto'

/*
 * v2 tokens on the Payment Server's native path: the digest with the WebAssembly keccak and
 * libsecp256k1's sign and recover, as lib/server/tokenCrypto does for v1 tokens (same
 * results as viem's; tokenV2.test.ts compares them).
 */

const bytesOf = (hex: Hex) => Buffer.from(hex.slice(2), 'hex')

/** Signs a v2 token with a raw private key; the signature is low-s with v ∈ {27, 28}. */
export function signTokenV2Native({ privateKey, ...message }: TokenV2Message & { privateKey: Hex }): TokenV2 {
  const { signature, recid } = secp256k1().ecdsaSign(
    tokenV2DigestBytes(message, keccak256Fast),
    bytesOf(privateKey),
  )
  const out = Buffer.alloc(65)
  out.set(signature, 0)
  out[64] = 27 + recid
  const { chainId: _, ...token } = message
  return { ...token, signature: `0x${out.toString('hex')}` }
}

/**
 * What libsecp256k1's recover needs for a v2 token (as lib/server/tokenCrypto's recoveryInput
 * for v1, so the recovery workers take either); null when the signature is malformed or high-s.
 */
export function recoveryInputV2({ chainId, token }: { chainId: number; token: TokenV2 }): Uint8Array | null {
  if (!isCanonicalSignature(token.signature)) return null
  const input = new Uint8Array(RECOVERY_INPUT_BYTES)
  const signature = bytesOf(token.signature)
  input.set(signature.subarray(0, 64), 0)
  input[64] = (signature[64] as number) - 27
  input.set(tokenV2DigestBytes({ chainId, ...token }, keccak256Fast), 65)
  return input
}

/** The signer of a v2 token; null when the signature is malformed, high-s or does not recover. */
export function recoverTokenV2SignerNative(args: { chainId: number; token: TokenV2 }): Address | null {
  const input = recoveryInputV2(args)
  return input ? recoverInput(input) : null
}
