import fc from 'fast-check'
import { type Address, bytesToHex, type Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { formatToken, parseToken, type Token, TokenFormatError } from './token'

const UINT256_MAX = (1n << 256n) - 1n
const CHANNEL = '0x5fbdb2315678afecb367f032d93f642f64180aa3' as Address
const SIGNATURE = `0x${'ab'.repeat(64)}1b` as Hex
const token: Token = { channel: CHANNEL, tokenId: 1n, requests: 42n, signature: SIGNATURE }
const WIRE = `v1.31337.${CHANNEL}.1.42.${SIGNATURE}`

/** The wire form with one dot-separated part replaced. */
function withPart(index: number, value: string): string {
  const parts = WIRE.split('.')
  parts[index] = value
  return parts.join('.')
}

/** The TokenFormatError parseToken throws for `value` (fails the test when it parses). */
function refusal(value: unknown): TokenFormatError {
  try {
    parseToken(value as string)
  } catch (error) {
    expect(error).toBeInstanceOf(TokenFormatError)
    return error as TokenFormatError
  }
  throw new Error(`parseToken accepted ${String(value)}`)
}

const SHAPE = 'A token reads v1.<chainId>.<channel>.<tokenId>.<requests>.<signature>.'
const LENGTH = 'A token is a string of at most 400 characters.'
const CHAIN = 'The chain id of the token is not a positive integer.'
const ADDRESS = 'The channel of the token is not a 20-byte hex address.'
const TOKEN_ID = 'The token ID of the token is not a decimal uint256.'
const REQUESTS = 'The request count of the token is not a decimal uint256.'
const SIGNATURE_PART = 'The signature of the token is not 65 bytes of hex.'

describe('formatToken()', () => {
  it('formatToken() writes v1, the chain id, the lowercase channel, decimal numbers and the signature', () => {
    const upper = { ...token, channel: CHANNEL.toUpperCase().replace('0X', '0x') as Address }
    expect(formatToken({ chainId: 31337, token: upper })).toBe(WIRE)
    expect(formatToken({ chainId: 1, token: { ...token, tokenId: UINT256_MAX } }).split('.')[3]).toBe(
      UINT256_MAX.toString(),
    )
  })
})

describe('parseToken()', () => {
  it('parseToken() reads back what formatToken() wrote, chain id included', () => {
    expect(parseToken(WIRE)).toEqual({ chainId: 31337, token })
  })

  it('parseToken() inverts formatToken() for random chains, channels, numbers and signatures', () => {
    const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => bytesToHex(b))
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        bytes(20),
        fc.bigInt({ min: 0n, max: UINT256_MAX }),
        fc.bigInt({ min: 0n, max: UINT256_MAX }),
        bytes(65),
        (chainId, channel, tokenId, requests, signature) => {
          const original: Token = {
            channel: channel as Address,
            tokenId,
            requests,
            signature: signature as Hex,
          }
          const wire = formatToken({ chainId, token: original })
          expect(wire.length).toBeLessThanOrEqual(400)
          expect(parseToken(wire)).toEqual({ chainId, token: original })
        },
      ),
      { numRuns: 300 },
    )
  })

  it('parseToken() lowercases a checksummed channel and an uppercase signature', () => {
    const wire = `v1.31337.0x5FbDB2315678afecb367f032d93F642f64180aa3.1.42.0x${SIGNATURE.slice(2).toUpperCase()}`
    expect(parseToken(wire)).toEqual({ chainId: 31337, token })
  })

  it('parseToken() ignores surrounding whitespace within the 400 characters', () => {
    const padded = ` ${WIRE}${' '.repeat(399 - WIRE.length)}`
    expect(padded).toHaveLength(400)
    expect(parseToken(padded)).toEqual({ chainId: 31337, token })
  })

  it('parseToken() accepts the largest token (78-digit numbers, 16-digit chain id)', () => {
    const wire = formatToken({
      chainId: Number.MAX_SAFE_INTEGER,
      token: { ...token, tokenId: UINT256_MAX, requests: UINT256_MAX },
    })
    expect(wire.length).toBe(353)
    expect(parseToken(wire)).toEqual({
      chainId: Number.MAX_SAFE_INTEGER,
      token: { ...token, tokenId: UINT256_MAX, requests: UINT256_MAX },
    })
  })

  it('parseToken() refuses a non-string with a sentence about the form', () => {
    for (const value of [42, null, undefined, {}, ['v1'], 1n]) {
      expect(refusal(value).message).toBe(LENGTH)
    }
  })

  it('parseToken() refuses more than 400 characters', () => {
    expect(refusal(`${WIRE}${' '.repeat(401 - WIRE.length)}`).message).toBe(LENGTH)
    expect(refusal('v'.repeat(10_000)).message).toBe(LENGTH)
  })

  it('parseToken() refuses a wrong version', () => {
    for (const version of ['v2', 'V1', 'v0', '', '1', 'v1 ']) {
      expect(refusal(withPart(0, version)).message).toBe(SHAPE)
    }
  })

  it('parseToken() refuses 5 or 7 parts (a token without chain id, or with an extra part)', () => {
    expect(refusal(`v1.${CHANNEL}.1.42.${SIGNATURE}`).message).toBe(SHAPE)
    expect(refusal(`${WIRE}.7`).message).toBe(SHAPE)
    expect(refusal(withPart(4, '1.5')).message).toBe(SHAPE)
    expect(refusal('').message).toBe(SHAPE)
  })

  it('parseToken() refuses a chain id that is not a positive safe integer', () => {
    for (const chain of [
      '0',
      '01',
      '-1',
      '+1',
      'abc',
      '0x1',
      '',
      ' 1',
      '1e3',
      '9007199254740992',
      '12345678901234567',
    ]) {
      expect(refusal(withPart(1, chain)).message).toBe(CHAIN)
    }
    expect(parseToken(withPart(1, '9007199254740991')).chainId).toBe(Number.MAX_SAFE_INTEGER)
    expect(parseToken(withPart(1, '1')).chainId).toBe(1)
  })

  it('parseToken() refuses a channel that is not a 20-byte hex address', () => {
    for (const channel of [
      CHANNEL.slice(0, -1),
      `${CHANNEL}0`,
      CHANNEL.slice(2),
      `0x${'g'.repeat(40)}`,
      `0X${CHANNEL.slice(2)}`,
      '',
      'alice-eth',
    ]) {
      expect(refusal(withPart(2, channel)).message).toBe(ADDRESS)
    }
  })

  it('parseToken() refuses a token ID that is not decimal, has a leading zero or exceeds 2^256 - 1', () => {
    const tooBig = (UINT256_MAX + 1n).toString()
    expect(tooBig).toHaveLength(78)
    for (const tokenId of [
      '01',
      '00',
      '0x1',
      '-1',
      '+1',
      '1e3',
      '',
      ' 1',
      '1 ',
      'one',
      tooBig,
      '9'.repeat(78),
      '1'.repeat(79),
    ]) {
      expect(refusal(withPart(3, tokenId)).message).toBe(TOKEN_ID)
    }
    expect(parseToken(withPart(3, UINT256_MAX.toString())).token.tokenId).toBe(UINT256_MAX)
    expect(parseToken(withPart(3, '0')).token.tokenId).toBe(0n)
  })

  it('parseToken() refuses a request count that is not decimal, has a leading zero or exceeds 2^256 - 1', () => {
    const tooBig = (UINT256_MAX + 1n).toString()
    for (const requests of ['042', '0x2a', '-42', '4_2', '', '42n', tooBig, '1'.repeat(79)]) {
      expect(refusal(withPart(4, requests)).message).toBe(REQUESTS)
    }
    expect(parseToken(withPart(4, UINT256_MAX.toString())).token.requests).toBe(UINT256_MAX)
  })

  it('parseToken() refuses a signature that is not 65 bytes of hex', () => {
    for (const signature of [
      SIGNATURE.slice(0, -2),
      `${SIGNATURE}00`,
      SIGNATURE.slice(0, -1),
      SIGNATURE.slice(2),
      `0x${'zz'.repeat(65)}`,
      '0x',
      '',
    ]) {
      expect(refusal(withPart(5, signature)).message).toBe(SIGNATURE_PART)
    }
  })

  it('parseToken() names the first bad part when several are wrong', () => {
    expect(refusal(`v1.0.nope.x.y.z`).message).toBe(CHAIN)
    expect(refusal(`v1.1.nope.x.y.z`).message).toBe(ADDRESS)
    expect(refusal(`v1.1.${CHANNEL}.x.y.z`).message).toBe(TOKEN_ID)
    expect(refusal(`v1.1.${CHANNEL}.1.y.z`).message).toBe(REQUESTS)
    expect(refusal(`v1.1.${CHANNEL}.1.1.z`).message).toBe(SIGNATURE_PART)
  })

  it('TokenFormatError is an Error named TokenFormatError', () => {
    const error = refusal('v1')
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('TokenFormatError')
  })
})
