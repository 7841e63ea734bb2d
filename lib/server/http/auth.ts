import { createHash, timingSafeEqual } from 'node:crypto'

/** The headers of a call: a web Request's, or Node's on the Payment Server's fast path. */
export type HeaderSource = { get(name: string): string | null }

/** The key of an `Authorization: Bearer <key>` header (16 to 200 characters), or null. */
export function bearerKey(request: { headers: HeaderSource }): string | null {
  return /^Bearer\s+(\S{16,200})$/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? null
}

/** The configured secret's digest, kept: every call of the Payment Server compares with it. */
let expectedDigest: { secret: string; digest: Buffer } | undefined

/** Constant-time comparison of a presented secret with the configured one. */
export function secretEquals(presented: string, expected: string): boolean {
  if (expectedDigest?.secret !== expected) {
    expectedDigest = { secret: expected, digest: createHash('sha256').update(expected).digest() }
  }
  return timingSafeEqual(createHash('sha256').update(presented).digest(), expectedDigest.digest)
}

/** True when the call carries `expected` (the team admin key) as its bearer key. */
export function hasBearerSecret(request: { headers: HeaderSource }, expected: string | undefined): boolean {
  const key = bearerKey(request)
  return !!key && !!expected && secretEquals(key, expected)
}
