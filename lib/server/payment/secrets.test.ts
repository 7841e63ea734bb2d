import { describe, expect, it } from 'vitest'
import { secretEquals } from '../http/auth'
import { hashApiKey, newApiKey, openPrivateKey, sealPrivateKey } from './secrets'

describe('secretEquals', () => {
  it('accepts only the configured secret, whatever the lengths', () => {
    expect(secretEquals('admin-secret-0123456789', 'admin-secret-0123456789')).toBe(true)
    expect(secretEquals('admin-secret-0123456788', 'admin-secret-0123456789')).toBe(false)
    expect(secretEquals('admin-secret', 'admin-secret-0123456789')).toBe(false)
    expect(secretEquals('admin-secret-0123456789-and-more', 'admin-secret-0123456789')).toBe(false)
    expect(secretEquals('', 'admin-secret-0123456789')).toBe(false)
  })

  it('compares with the secret given now, not with an earlier one (the digest is kept per secret)', () => {
    expect(secretEquals('first-secret-aaaaaaaaaa', 'first-secret-aaaaaaaaaa')).toBe(true)
    expect(secretEquals('first-secret-aaaaaaaaaa', 'second-secret-bbbbbbbbb')).toBe(false)
    expect(secretEquals('second-secret-bbbbbbbbb', 'second-secret-bbbbbbbbb')).toBe(true)
    expect(secretEquals('second-secret-bbbbbbbbb', 'first-secret-aaaaaaaaaa')).toBe(false)
  })
})

describe('API keys and sealed private keys', () => {
  it('hashes a key to its SHA-256 and seals a private key to its address only', () => {
    const { apiKey } = newApiKey('billing')
    expect(hashApiKey(apiKey)).toHaveLength(32)
    expect(hashApiKey(apiKey).equals(hashApiKey(`${apiKey}x`))).toBe(false)
    const key = Buffer.alloc(32, 7)
    const privateKey = `0x${'11'.repeat(32)}` as const
    const address = '0x00000000000000000000000000000000000000aa'
    const sealed = sealPrivateKey({ key, privateKey, address })
    expect(openPrivateKey({ key, sealed, address })).toBe(privateKey)
    expect(() =>
      openPrivateKey({ key, sealed, address: '0x00000000000000000000000000000000000000bb' }),
    ).toThrow()
    expect(() => openPrivateKey({ key: Buffer.alloc(32, 8), sealed, address })).toThrow()
  })
})
