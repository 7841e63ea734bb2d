import { type Hex, recoverTypedDataAddress, type TypedDataDefinition } from 'viem'
import { BadRequestError, type ForbiddenError } from '../../errors'

/**
 * A wallet-signed request's expiry must be in the future and at most `maxTtlSeconds` ahead,
 * so a leaked signature is of no lasting use (400 `request_expired` / `invalid_expiry`).
 */
function requireFreshExpiry(expiresAt: bigint, nowSeconds: bigint, maxTtlSeconds: number): void {
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

/**
 * The one check of a wallet-signed request (EIP-712): fresh (see {@link requireFreshExpiry}),
 * then `prepare` reads what the check needs (it may refuse with its own error) and gives the
 * typed data, whose domain binds the signature to a chain and a contract; the signer must be
 * one `allowed` accepts, else `refusal` (403). Returns what `prepare` read and the signer,
 * lowercased.
 *
 * @example
 * const { signer, provider } = await verifySignedRequest({ expiresAt, nowSeconds, maxTtlSeconds: 600,
 *   signature, prepare: async () => ({ provider, typedData }), allowed: (a, { provider }) => a === provider,
 *   refusal: () => new ForbiddenError({ code: 'not_provider', message: '...' }) })
 */
export async function verifySignedRequest<T extends { typedData: TypedDataDefinition }>({
  expiresAt,
  nowSeconds,
  maxTtlSeconds,
  signature,
  prepare,
  allowed,
  refusal,
}: {
  expiresAt: bigint
  nowSeconds: bigint
  maxTtlSeconds: number
  signature: string
  prepare: () => Promise<T>
  allowed: (signer: string, prepared: T) => boolean
  refusal: () => ForbiddenError
}): Promise<T & { signer: string }> {
  requireFreshExpiry(expiresAt, nowSeconds, maxTtlSeconds)
  const prepared = await prepare()
  const signer = await recoverTypedDataAddress({ ...prepared.typedData, signature: signature as Hex }).catch(
    () => null,
  )
  if (!signer || !allowed(signer.toLowerCase(), prepared)) throw refusal()
  return { ...prepared, signer: signer.toLowerCase() }
}
