import { keccak_256 } from '@noble/hashes/sha3'
import { createKeccak, type IHasher } from 'hash-wasm'
import type { Address, Hex } from 'viem'
import {
  isCanonicalSignature,
  type Token,
  type TokenMessage,
  tokenDigestBytes,
} from '../../packages/payment-client/src/token'
import { secp256k1 } from './secp256k1'

/**
 * Native secp256k1 (libsecp256k1, see ./secp256k1) and a WebAssembly keccak-256 (hash-wasm) for the
 * Payment Server's hot path: about 30x the throughput of the pure-JS path in lib/token. Node
 * only. Results are identical to viem's; the tests compare them.
 */

let wasmKeccak: IHasher | undefined

/**
 * Resolves once the WebAssembly keccak is compiled (a few ms, once per process). Until then
 * keccak runs in JS (@noble/hashes, about 18x slower, same results), so nothing has to wait for it.
 */
export const tokenCryptoReady: Promise<void> = createKeccak(256).then((hasher) => {
  wasmKeccak = hasher
})

/** keccak-256 of `data`: WebAssembly once ready, @noble/hashes before. */
export function keccak256Fast(data: Uint8Array): Uint8Array {
  if (!wasmKeccak) return keccak_256(data)
  // Synchronous from init to digest, so calls never interleave on the one hasher.
  wasmKeccak.init()
  wasmKeccak.update(data)
  return wasmKeccak.digest('binary')
}

/** A 0x-hex string's bytes (Node's native decoder; the input is validated by the caller). */
const bytesOf = (hex: Hex) => Buffer.from(hex.slice(2), 'hex')

/** Signs a token with a raw private key; the signature is low-s with v ∈ {27, 28}. */
export function signTokenNative({ privateKey, ...message }: TokenMessage & { privateKey: Hex }): Token {
  const { signature, recid } = secp256k1().ecdsaSign(
    tokenDigestBytes(message, keccak256Fast),
    bytesOf(privateKey),
  )
  const out = Buffer.alloc(65)
  out.set(signature, 0)
  out[64] = 27 + recid
  return {
    channel: message.channel,
    tokenId: message.tokenId,
    requests: message.requests,
    signature: `0x${out.toString('hex')}`,
  }
}

/** Bytes of one recovery input: 64 bytes r‖s, 1 byte recovery id, 32 bytes EIP-712 digest. */
export const RECOVERY_INPUT_BYTES = 97

/**
 * What libsecp256k1's recover needs for a token, packed as {@link RECOVERY_INPUT_BYTES} bytes;
 * `null` when the signature is malformed or malleable (high s), which the contract refuses.
 */
export function recoveryInput({ chainId, token }: { chainId: number; token: Token }): Uint8Array | null {
  if (!isCanonicalSignature(token.signature)) return null
  const input = new Uint8Array(RECOVERY_INPUT_BYTES)
  const signature = bytesOf(token.signature)
  input.set(signature.subarray(0, 64), 0)
  input[64] = (signature[64] as number) - 27
  input.set(
    tokenDigestBytes(
      { chainId, channel: token.channel, tokenId: token.tokenId, requests: token.requests },
      keccak256Fast,
    ),
    65,
  )
  return input
}

/** The signer of a {@link recoveryInput} at `offset`; `null` when it does not recover. */
export function recoverInput(inputs: Uint8Array, offset = 0): Address | null {
  try {
    const publicKey = secp256k1().ecdsaRecover(
      inputs.subarray(offset, offset + 64),
      inputs[offset + 64] as number,
      inputs.subarray(offset + 65, offset + RECOVERY_INPUT_BYTES),
    )
    return publicKeyToAddress(publicKey)
  } catch {
    return null
  }
}

/**
 * Recovers the signer of a token natively; `null` when the signature is malformed, malleable
 * (high s) or does not recover, the same cases the contract's `redeem` refuses.
 */
export function recoverTokenSignerNative(args: { chainId: number; token: Token }): Address | null {
  const input = recoveryInput(args)
  return input ? recoverInput(input) : null
}

/** Ethereum address of an uncompressed (65-byte) public key, lowercase. */
export function publicKeyToAddress(publicKey: Uint8Array): Address {
  return addressOfPoint(publicKey.subarray(1))
}

/** Ethereum address of a public key's 64 bytes x‖y, lowercase. */
export function addressOfPoint(xy: Uint8Array): Address {
  return `0x${Buffer.from(keccak256Fast(xy).subarray(12)).toString('hex')}`
}
