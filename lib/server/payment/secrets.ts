import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import type { Hex } from 'viem'

/**
 * Secrets of the Payment Server. API keys are 32 random bytes: their SHA-256 is all that is
 * stored (a slow password hash would add nothing against 256 bits of entropy and cost every
 * request). Private keys generated here are stored encrypted with AES-256-GCM under
 * PAYMENT_KEYSTORE_SECRET, bound to the service's address as associated data so a ciphertext
 * cannot be moved to another row.
 */

const API_KEY_PREFIX = 'psk_'

/** A new API key for `service` (`psk_<service>_<43 chars>`) and the hash to store. */
export function newApiKey(service: string): { apiKey: string; hash: Buffer; prefix: string } {
  const apiKey = `${API_KEY_PREFIX}${service}_${randomBytes(32).toString('base64url')}`
  return {
    apiKey,
    hash: hashApiKey(apiKey),
    prefix: apiKey.slice(0, API_KEY_PREFIX.length + service.length + 5),
  }
}

export function hashApiKey(apiKey: string): Buffer {
  return createHash('sha256').update(apiKey, 'utf8').digest()
}

export function keystoreKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^0x/, ''), 'hex')
}

/** Encrypts a private key: `iv (12) ‖ tag (16) ‖ ciphertext (32)`. */
export function sealPrivateKey({
  key,
  privateKey,
  address,
}: {
  key: Buffer
  privateKey: Hex
  address: string
}): Buffer {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(address.toLowerCase()))
  const body = Buffer.concat([cipher.update(Buffer.from(privateKey.slice(2), 'hex')), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), body])
}

/** Decrypts {@link sealPrivateKey}'s output; throws when the key or the address does not match. */
export function openPrivateKey({
  key,
  sealed,
  address,
}: {
  key: Buffer
  sealed: Uint8Array
  address: string
}): Hex {
  const data = Buffer.from(sealed)
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12))
  decipher.setAAD(Buffer.from(address.toLowerCase()))
  decipher.setAuthTag(data.subarray(12, 28))
  const plain = Buffer.concat([decipher.update(data.subarray(28)), decipher.final()])
  return `0x${plain.toString('hex')}`
}
