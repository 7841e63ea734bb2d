import { BadRequestError } from '../../errors'

/**
 * A wallet-signed request's expiry must be in the future and at most `maxTtlSeconds` ahead,
 * so a leaked signature is of no lasting use (400 `request_expired` / `invalid_expiry`).
 */
export function requireFreshExpiry(expiresAt: bigint, nowSeconds: bigint, maxTtlSeconds: number): void {
  if (expiresAt <= nowSeconds) {
    throw new BadRequestError({
      code: 'request_expired',
      message: 'The signed request has expired; sign a new one.',
    })
  }
  if (expiresAt > nowSeconds + BigInt(maxTtlSeconds)) {
    throw new BadRequestError({
      code: 'invalid_expiry',
      message: `The signed request may stay valid for at most ${maxTtlSeconds / 60} minutes.`,
    })
  }
}
