import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { bytesToHex, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { beforeAll, describe, expect, it } from 'vitest'
import { SECP256K1_N, type Token } from '../../packages/payment-client/src/token'
import { loadSecp256k1, type Secp256k1 } from './secp256k1'
import { createRecoveryPool } from './signerRecovery'
import { publicKeyToAddress, signTokenNative, tokenCryptoReady } from './tokenCrypto'

const bundled = loadSecp256k1('bundled')
/** The system libsecp256k1 when this machine has one (CI installs Debian's `libsecp256k1-1`). */
const system = (() => {
  const loaded = loadSecp256k1(undefined)
  return loaded.source.kind === 'system' ? loaded : undefined
})()
const implementations: Array<[string, Secp256k1]> = [
  ['bundled', bundled.secp256k1],
  ...(system ? [['system', system.secp256k1] as [string, Secp256k1]] : []),
]

const bytes32 = (n: bigint) => Uint8Array.from(Buffer.from(n.toString(16).padStart(64, '0'), 'hex'))

beforeAll(() => tokenCryptoReady)

describe('libsecp256k1 implementations', () => {
  it('the bundled addon is always there, and SECP256K1_LIBRARY=bundled picks it', () => {
    expect(bundled.secp256k1.name).toBe('bundled (secp256k1 npm addon)')
    expect(bundled.source.kind).toBe('bundled')
  })

  it.skipIf(!system)(
    'the system library signs exactly like the addon and recovers the same keys (random keys and digests)',
    () => {
      const s = system?.secp256k1 as Secp256k1
      expect(s.name).toMatch(/^system \(libsecp256k1/)
      fc.assert(
        fc.property(
          fc.bigInt({ min: 1n, max: SECP256K1_N - 1n }),
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          (k, digest) => {
            const key = bytes32(k)
            const mine = s.ecdsaSign(digest, key)
            const theirs = bundled.secp256k1.ecdsaSign(digest, key)
            expect(bytesToHex(mine.signature)).toBe(bytesToHex(theirs.signature))
            expect(mine.recid).toBe(theirs.recid)
            const recovered = s.ecdsaRecover(mine.signature, mine.recid, digest)
            expect(bytesToHex(recovered)).toBe(
              bytesToHex(bundled.secp256k1.ecdsaRecover(mine.signature, mine.recid, digest)),
            )
            expect(publicKeyToAddress(recovered)).toBe(
              privateKeyToAccount(bytesToHex(key) as Hex).address.toLowerCase(),
            )
            // The other recovery id gives another key (or none), never the signer's.
            let other: string | null = null
            try {
              other = bytesToHex(s.ecdsaRecover(mine.signature, 1 - mine.recid, digest))
            } catch {}
            expect(other).not.toBe(bytesToHex(recovered))
          },
        ),
        { numRuns: 200 },
      )
    },
  )

  it.each(implementations)('%s: bad input throws (it never reaches the C library unchecked)', (_, s) => {
    const digest = randomBytes(32)
    const { signature, recid } = s.ecdsaSign(digest, bytes32(7n))
    // Private keys outside 1..n-1.
    expect(() => s.ecdsaSign(digest, bytes32(0n))).toThrow()
    expect(() => s.ecdsaSign(digest, bytes32(SECP256K1_N))).toThrow()
    // r = 0, and s = n (out of range): no signature.
    const zeroR = Uint8Array.from(signature)
    zeroR.fill(0, 0, 32)
    expect(() => s.ecdsaRecover(zeroR, recid, digest)).toThrow()
    const bigS = Uint8Array.from(signature)
    bigS.set(bytes32(SECP256K1_N), 32)
    expect(() => s.ecdsaRecover(bigS, recid, digest)).toThrow()
    // Wrong sizes and recovery ids: refused before the call.
    expect(() => s.ecdsaRecover(signature.subarray(0, 63), recid, digest)).toThrow()
    expect(() => s.ecdsaRecover(signature, 4, digest)).toThrow()
    expect(() => s.ecdsaRecover(signature, recid, digest.subarray(0, 31))).toThrow()
    expect(() => s.ecdsaSign(digest.subarray(0, 31), bytes32(7n))).toThrow()
    // And the good signature still recovers afterwards.
    expect(publicKeyToAddress(s.ecdsaRecover(signature, recid, digest))).toBe(
      privateKeyToAccount(bytesToHex(bytes32(7n)) as Hex).address.toLowerCase(),
    )
  })

  it('unset, on a machine without a system libsecp256k1: the addon, silently', () => {
    const loaded = loadSecp256k1(undefined, { systemLibraries: ['libsecp256k1-absent.so.9'] })
    expect(loaded.secp256k1.name).toBe('bundled (secp256k1 npm addon)')
    expect(loaded.source.kind).toBe('bundled')
    const digest = randomBytes(32)
    const { signature, recid } = loaded.secp256k1.ecdsaSign(digest, bytes32(9n))
    expect(publicKeyToAddress(loaded.secp256k1.ecdsaRecover(signature, recid, digest))).toBe(
      privateKeyToAccount(bytesToHex(bytes32(9n)) as Hex).address.toLowerCase(),
    )
  })

  it('a SECP256K1_LIBRARY that does not load is an error naming it, not a silent fallback', () => {
    expect(() => loadSecp256k1('/nowhere/libsecp256k1.so')).toThrow(
      /SECP256K1_LIBRARY=\/nowhere\/libsecp256k1\.so could not be loaded/,
    )
    // A shared library that is not libsecp256k1.
    expect(() => loadSecp256k1('libc.so.6')).toThrow(/SECP256K1_LIBRARY=libc\.so\.6/)
  })

  it.skipIf(!system)('recovery workers answer the same on either implementation', async () => {
    const keys = Array.from({ length: 8 }, (_, i) => bytesToHex(bytes32(BigInt(i + 11))) as Hex)
    const tokens: Token[] = keys.map((privateKey, i) =>
      signTokenNative({
        privateKey,
        chainId: 31337,
        channel: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
        tokenId: 1n,
        requests: BigInt(i + 1),
      }),
    )
    const expected = keys.map((key) => privateKeyToAccount(key).address.toLowerCase())
    for (const source of [bundled.source, system?.source]) {
      const failures: unknown[] = []
      const pool = createRecoveryPool({ threads: 1, source, onFailure: (error) => failures.push(error) })
      const answers = await Promise.all(tokens.map((token) => pool.recover({ chainId: 31337, token })))
      // Answered by the worker, not by the main thread after a failed start.
      expect(failures).toEqual([])
      expect(pool.threads).toBe(1)
      await pool.close()
      expect(answers).toEqual(expected)
    }
  })
})
