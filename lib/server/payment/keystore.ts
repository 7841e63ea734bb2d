import { AppError } from '../../errors'
import type { Db } from '../db/client'
import { keystoreKey, openPrivateKey } from './secrets'

/** What an instance whose keystore secret is not the one the stored keys were sealed with says. */
export const KEYSTORE_MISMATCH =
  'PAYMENT_KEYSTORE_SECRET cannot open the service keys stored in the database (they were sealed with another secret): give every instance the same PAYMENT_KEYSTORE_SECRET'

/**
 * The keystore secret does not open the keys the database holds. A 503, never a 500: nothing
 * is wrong with the call, this instance is misconfigured (its start refuses it; a key sealed
 * afterwards by an instance with another secret still lands here).
 */
export class KeystoreMismatchError extends AppError {
  override name = 'KeystoreMismatchError'
  constructor(cause?: unknown) {
    super({ code: 'keystore_secret_mismatch', message: `${KEYSTORE_MISMATCH}.`, status: 503, cause })
  }
}

/** Opens a sealed service key, or throws {@link KeystoreMismatchError} when `secret` is not its secret. */
export function openServiceKey({
  secret,
  sealed,
  address,
}: {
  secret: string
  sealed: Uint8Array
  address: string
}): `0x${string}` {
  try {
    return openPrivateKey({ key: keystoreKey(secret), sealed, address })
  } catch (error) {
    // AES-GCM's tag check is the only way a right-length ciphertext fails to open.
    throw new KeystoreMismatchError(error)
  }
}

/**
 * Fails with {@link KeystoreMismatchError} when `keystoreSecret` cannot open a service key stored
 * in the database (the oldest sealed one: one suffices, as every instance seals with its own
 * secret). Nothing stored, or no secret given, passes: the first instance then seals with its
 * own, and an instance without one answers `keystore_unconfigured` where it needs a key.
 * @example await checkKeystoreSecret({ db, keystoreSecret: env.PAYMENT_KEYSTORE_SECRET })
 */
export async function checkKeystoreSecret({
  db,
  keystoreSecret,
}: {
  db: Db
  keystoreSecret: string | undefined
}): Promise<void> {
  if (!keystoreSecret) return
  const sealed = await db.paymentService.findFirst({
    where: { keyCiphertext: { not: null } },
    orderBy: { id: 'asc' },
    select: { keyCiphertext: true, address: true },
  })
  if (!sealed?.keyCiphertext) return
  openServiceKey({ secret: keystoreSecret, sealed: sealed.keyCiphertext, address: sealed.address })
}
