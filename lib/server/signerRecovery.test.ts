import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { type Address, bytesToHex, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SECP256K1_N, type Token } from '../../packages/payment-client/src/token'
import { createRecoveryPool, inlineRecovery, type SignerRecovery } from './signerRecovery'
import { recoverTokenSignerNative, signTokenNative, tokenCryptoReady } from './tokenCrypto'

const KEYS: Hex[] = [
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
]
const CHANNEL: Address = '0x5fbdb2315678afecb367f032d93f642f64180aa3'
const sign = (key: Hex, requests: bigint, chainId = 31337, channel = CHANNEL, tokenId = 1n) =>
  signTokenNative({ privateKey: key, chainId, channel, tokenId, requests })

/** Signatures the contract's redeem refuses, each a different way. */
function hostile(token: Token): Token[] {
  const sig = token.signature
  const s = BigInt(`0x${sig.slice(66, 130)}`)
  const v = Number.parseInt(sig.slice(130, 132), 16)
  const highS = `${sig.slice(0, 66)}${(SECP256K1_N - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}`
  return [
    { ...token, signature: highS as Hex }, // malleable twin
    { ...token, signature: `${sig.slice(0, 130)}1d` as Hex }, // v = 29
    { ...token, signature: `0x${'0'.repeat(64)}${sig.slice(66)}` as Hex }, // r = 0
    // r = 5 is the x of no curve point (5^3 + 7 = 132 is not a square mod p): does not recover.
    { ...token, signature: `0x${'0'.repeat(63)}5${sig.slice(66)}` as Hex },
    { ...token, signature: '0x1234' as Hex }, // too short
    { ...token, requests: token.requests + 1n }, // signed for another count: recovers someone else
  ]
}

let pool: SignerRecovery
beforeAll(async () => {
  await tokenCryptoReady
  pool = createRecoveryPool({ threads: 2 })
})
afterAll(() => pool.close())

describe('signer recovery (worker threads and inline)', () => {
  it('answers exactly what recoverTokenSignerNative answers, for random keys, chains, channels and counts', async () => {
    expect(pool.threads).toBe(2)
    const inline = inlineRecovery()
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 1n, max: SECP256K1_N - 1n }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.bigInt({ min: 1n, max: (1n << 256n) - 1n }),
        async (k, chainId, channelBytes, requests) => {
          const key = `0x${k.toString(16).padStart(64, '0')}` as Hex
          const token = sign(key, requests, chainId, bytesToHex(channelBytes) as Address)
          const expected = privateKeyToAccount(key).address.toLowerCase()
          expect(recoverTokenSignerNative({ chainId, token })).toBe(expected)
          expect(await pool.recover({ chainId, token })).toBe(expected)
          expect(await inline.recover({ chainId, token })).toBe(expected)
          // Bound to the chain: the same token read for another chain is someone else's.
          expect(await pool.recover({ chainId: chainId + 1, token })).not.toBe(expected)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('refuses (null) or mis-attributes every hostile signature exactly as the native path does', async () => {
    const inline = inlineRecovery()
    const token = sign(KEYS[0] as Hex, 42n)
    const signer = recoverTokenSignerNative({ chainId: 31337, token })
    for (const bad of hostile(token)) {
      const native = recoverTokenSignerNative({ chainId: 31337, token: bad })
      expect(native).not.toBe(signer)
      expect(await pool.recover({ chainId: 31337, token: bad })).toBe(native)
      expect(await inline.recover({ chainId: 31337, token: bad })).toBe(native)
    }
    // The first five do not recover at all; the last recovers to a stranger.
    const answers = await Promise.all(
      hostile(token).map((bad) => pool.recover({ chainId: 31337, token: bad })),
    )
    expect(answers.slice(0, 5)).toEqual([null, null, null, null, null])
    expect(answers[5]).toMatch(/^0x[0-9a-f]{40}$/)
  })

  it('keeps 2,000 concurrent recoveries apart: each answer is its own token signer, hostile ones mixed in', async () => {
    const addresses = KEYS.map((key) => privateKeyToAccount(key).address.toLowerCase())
    const cases = Array.from({ length: 2_000 }, (_, i) => {
      const token = sign(KEYS[i % 3] as Hex, BigInt(i + 1))
      if (i % 7 === 0) return { token: hostile(token)[0] as Token, expected: null }
      return { token, expected: addresses[i % 3] }
    })
    const answers = await Promise.all(cases.map(({ token }) => pool.recover({ chainId: 31337, token })))
    expect(answers).toEqual(cases.map((c) => c.expected))
  })

  it('a worker that cannot start: told once, and every recovery still answered right on the main thread', async () => {
    const closing: SignerRecovery[] = []
    const dir = await mkdtemp(path.join(os.tmpdir(), 'recovery-'))
    const broken = path.join(dir, 'broken-secp256k1.js')
    await writeFile(broken, "throw new Error('this binding does not load')\n")
    const failures: string[] = []
    let told: () => void = () => {}
    const failed = new Promise<void>((resolve) => {
      told = resolve
    })
    const failing = createRecoveryPool({
      threads: 1,
      source: { kind: 'bundled', addon: broken },
      onFailure: (error) => {
        failures.push((error as Error).message)
        told()
      },
    })
    const token = sign(KEYS[1] as Hex, 7n)
    const expected = privateKeyToAccount(KEYS[1] as Hex).address.toLowerCase()
    // Asked before and after the worker has failed.
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => failing.recover({ chainId: 31337, token })),
    )
    await failed
    answers.push(await failing.recover({ chainId: 31337, token }))
    expect(answers).toEqual(Array(21).fill(expected))
    expect(failures).toHaveLength(1)
    expect(failures[0]).toContain('this binding does not load')
    expect(failing.threads).toBe(0)
    await failing.close()
    await rm(dir, { recursive: true, force: true })

    // A binding that cannot even be found: inline from the start.
    const missing = await new Promise<unknown>((resolve) => {
      const none = createRecoveryPool({
        threads: 1,
        source: { kind: 'bundled', addon: path.join(dir, 'nowhere.js') },
        onFailure: resolve,
      })
      void none.recover({ chainId: 31337, token }).then((answer) => expect(answer).toBe(expected))
      closing.push(none)
    })
    expect(String(missing)).toContain('nowhere.js')
    const none = closing.pop() as SignerRecovery
    expect(await none.recover({ chainId: 31337, token })).toBe(expected)
    expect(none.threads).toBe(0)
    await none.close()
  })

  it('after close(), recoveries are answered on the main thread, and threads is 0', async () => {
    const closing = createRecoveryPool({ threads: 1 })
    const token = sign(KEYS[2] as Hex, 9n)
    const pending = closing.recover({ chainId: 31337, token })
    await closing.close()
    const expected = privateKeyToAccount(KEYS[2] as Hex).address.toLowerCase()
    expect(await pending).toBe(expected)
    expect(await closing.recover({ chainId: 31337, token })).toBe(expected)
    expect(closing.threads).toBe(0)
  })

  it('refuses a thread count below 1', () => {
    expect(() => createRecoveryPool({ threads: 0 })).toThrow(RangeError)
    expect(() => createRecoveryPool({ threads: 1.5 })).toThrow(RangeError)
  })
})
