import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { add, div, type Fraction, floor, frac, isZero, mul, ONE, sub, toNumber, ZERO } from './fraction'

/*
 * Exact rationals on bigint: always reduced, denominator positive, no floating point until
 * toNumber() (display only).
 */

const gcd = (a: bigint, b: bigint): bigint => {
  let x = a < 0n ? -a : a
  let y = b < 0n ? -b : b
  while (y !== 0n) [x, y] = [y, x % y]
  return x
}

/** A fraction is in canonical form: positive denominator, numerator and denominator coprime. */
const expectCanonical = (f: Fraction) => {
  expect(f.den > 0n).toBe(true)
  expect(gcd(f.num, f.den)).toBe(1n)
}

const BIG = 10n ** 30n
const integer = fc.bigInt({ min: -BIG, max: BIG })
const nonZero = integer.filter((n) => n !== 0n)
/** Any rational, built through frac() from a possibly negative, unreduced pair. */
const fraction = fc.tuple(integer, nonZero).map(([n, d]) => frac(n, d))
const nonZeroFraction = fc.tuple(nonZero, nonZero).map(([n, d]) => frac(n, d))

describe('frac', () => {
  it('reduces to lowest terms', () => {
    expect(frac(6n, 8n)).toEqual({ num: 3n, den: 4n })
    expect(frac(100n, 10n)).toEqual({ num: 10n, den: 1n })
    expect(frac(7n, 13n)).toEqual({ num: 7n, den: 13n })
    expect(frac(2n ** 70n, 2n ** 72n)).toEqual({ num: 1n, den: 4n })
    expect(frac(3n * 10n ** 40n, 7n * 10n ** 40n)).toEqual({ num: 3n, den: 7n })
  })

  it('defaults the denominator to 1', () => {
    expect(frac(5n)).toEqual({ num: 5n, den: 1n })
    expect(frac(-5n)).toEqual({ num: -5n, den: 1n })
  })

  it('writes zero as 0/1 whatever the denominator', () => {
    expect(frac(0n, 7n)).toEqual({ num: 0n, den: 1n })
    expect(frac(0n, -7n)).toEqual({ num: 0n, den: 1n })
    expect(ZERO).toEqual({ num: 0n, den: 1n })
    expect(ONE).toEqual({ num: 1n, den: 1n })
  })

  it('moves the sign of a negative denominator to the numerator', () => {
    expect(frac(6n, -8n)).toEqual({ num: -3n, den: 4n })
    expect(frac(-6n, 8n)).toEqual({ num: -3n, den: 4n })
    expect(frac(-6n, -8n)).toEqual({ num: 3n, den: 4n })
    expect(frac(1n, -1n)).toEqual({ num: -1n, den: 1n })
  })

  it('throws a RangeError on denominator 0', () => {
    expect(() => frac(1n, 0n)).toThrow(RangeError)
    expect(() => frac(0n, 0n)).toThrow(RangeError)
    expect(() => frac(-5n, 0n)).toThrow(RangeError)
  })

  it('isZero() is true only for zero', () => {
    expect(isZero(ZERO)).toBe(true)
    expect(isZero(frac(0n, 99n))).toBe(true)
    expect(isZero(frac(1n, 10n ** 30n))).toBe(false)
    expect(isZero(frac(-1n, 3n))).toBe(false)
  })
})

describe('arithmetic', () => {
  it('add() with equal and different denominators, reduced', () => {
    expect(add(frac(1n, 4n), frac(1n, 4n))).toEqual({ num: 1n, den: 2n })
    expect(add(frac(1n, 6n), frac(1n, 10n))).toEqual({ num: 4n, den: 15n })
    expect(add(frac(1n, 3n), frac(2n, 3n))).toEqual({ num: 1n, den: 1n })
    expect(add(frac(1n, 2n), frac(-1n, 2n))).toEqual({ num: 0n, den: 1n })
    expect(add(ZERO, frac(5n, 7n))).toEqual({ num: 5n, den: 7n })
  })

  it('sub() can go negative and stays reduced', () => {
    expect(sub(frac(1n, 3n), frac(1n, 2n))).toEqual({ num: -1n, den: 6n })
    expect(sub(frac(3n, 4n), frac(1n, 4n))).toEqual({ num: 1n, den: 2n })
    expect(sub(frac(5n, 7n), frac(5n, 7n))).toEqual({ num: 0n, den: 1n })
    expect(sub(ZERO, frac(2n, 3n))).toEqual({ num: -2n, den: 3n })
  })

  it('mul() multiplies and reduces', () => {
    expect(mul(frac(2n, 3n), frac(9n, 4n))).toEqual({ num: 3n, den: 2n })
    expect(mul(frac(3n, 4n), frac(1n, 2n))).toEqual({ num: 3n, den: 8n })
    expect(mul(frac(-2n, 3n), frac(3n, 2n))).toEqual({ num: -1n, den: 1n })
    expect(mul(frac(5n, 7n), ZERO)).toEqual({ num: 0n, den: 1n })
    // wei times a share stays exact far above 2^53
    expect(mul(frac(10n ** 24n + 1n), frac(3n, 4n))).toEqual({ num: 3n * 10n ** 24n + 3n, den: 4n })
  })

  it('div() divides, keeps the denominator positive, and refuses 0', () => {
    expect(div(frac(2n, 3n), frac(4n, 9n))).toEqual({ num: 3n, den: 2n })
    expect(div(frac(1n, 2n), frac(-1n, 3n))).toEqual({ num: -3n, den: 2n })
    expect(div(frac(-1n, 2n), frac(-1n, 3n))).toEqual({ num: 3n, den: 2n })
    expect(div(ZERO, frac(7n, 3n))).toEqual({ num: 0n, den: 1n })
    expect(() => div(frac(1n, 2n), ZERO)).toThrow(RangeError)
    expect(() => div(ZERO, ZERO)).toThrow(RangeError)
  })

  it('floor() rounds toward minus infinity, also for negatives', () => {
    expect(floor(frac(7n, 2n))).toBe(3n)
    expect(floor(frac(-7n, 2n))).toBe(-4n)
    expect(floor(frac(-4n, 2n))).toBe(-2n)
    expect(floor(frac(-1n, 3n))).toBe(-1n)
    expect(floor(frac(1n, 3n))).toBe(0n)
    expect(floor(frac(2n, 3n))).toBe(0n)
    expect(floor(frac(6n, 3n))).toBe(2n)
    expect(floor(ZERO)).toBe(0n)
    expect(floor(frac(-(10n ** 30n) - 1n, 10n ** 30n))).toBe(-2n)
    expect(floor(frac(1500n * 10n ** 9n + 1n, 4n))).toBe(375n * 10n ** 9n)
  })
})

describe('toNumber', () => {
  it('converts small fractions', () => {
    expect(toNumber(frac(3n, 4n))).toBe(0.75)
    expect(toNumber(frac(1n, 3n))).toBe(0.333333333333)
    expect(toNumber(frac(-1n, 4n))).toBe(-0.25)
    expect(toNumber(ONE)).toBe(1)
    expect(toNumber(ZERO)).toBe(0)
  })

  it('stays finite and accurate when numerator and denominator are above 2^53', () => {
    // Coprime: 2^100 + 1 is odd and ≡ 2 (mod 3).
    expect(toNumber(frac(2n ** 100n + 1n, 3n * 2n ** 98n))).toBe(1.333333333333)
    expect(toNumber(frac(2n ** 80n + 1n, 2n ** 80n))).toBe(1)
    expect(toNumber(frac(3n * 10n ** 24n + 3n, 4n * 10n ** 24n))).toBe(0.75)
    // Both beyond Number.MAX_VALUE: Number(num) / Number(den) would be Infinity / Infinity = NaN.
    const huge = frac(10n ** 400n + 1n, 3n * 10n ** 399n)
    expect(Number(huge.num) / Number(huge.den)).toBeNaN()
    expect(toNumber(huge)).toBe(3.333333333333)
  })

  it('gives a large integer to within double precision', () => {
    for (const n of [2n ** 53n + 1n, 2n ** 60n + 1n, 10n ** 24n + 7n]) {
      const x = toNumber(frac(n))
      expect(Math.abs(x - Number(n)) / Number(n)).toBeLessThan(1e-12)
    }
  })
})

describe('algebraic properties', () => {
  it('every result of frac, add, sub, mul and div is canonical', () => {
    fc.assert(
      fc.property(fraction, nonZeroFraction, (a, b) => {
        for (const f of [a, b, add(a, b), sub(a, b), mul(a, b), div(a, b)]) expectCanonical(f)
      }),
    )
  })

  it('frac(n·k, d·k) = frac(n, d) for k ≠ 0', () => {
    fc.assert(
      fc.property(integer, nonZero, nonZero, (n, d, k) => {
        expect(frac(n * k, d * k)).toEqual(frac(n, d))
      }),
    )
  })

  it('(a + b) − b = a and a + b = b + a', () => {
    fc.assert(
      fc.property(fraction, fraction, (a, b) => {
        expect(sub(add(a, b), b)).toEqual(a)
        expect(add(a, b)).toEqual(add(b, a))
      }),
    )
  })

  it('a · b / b = a for b ≠ 0, and a / a = 1 for a ≠ 0', () => {
    fc.assert(
      fc.property(fraction, nonZeroFraction, (a, b) => {
        expect(div(mul(a, b), b)).toEqual(a)
        expect(div(b, b)).toEqual(ONE)
      }),
    )
  })

  it('multiplication is associative and distributes over addition', () => {
    fc.assert(
      fc.property(fraction, fraction, fraction, (a, b, c) => {
        expect(mul(mul(a, b), c)).toEqual(mul(a, mul(b, c)))
        expect(mul(a, add(b, c))).toEqual(add(mul(a, b), mul(a, c)))
      }),
    )
  })

  it('floor(frac(n·d + r, d)) = n for 0 ≤ r < d', () => {
    fc.assert(
      fc.property(
        integer,
        fc
          .bigInt({ min: 1n, max: BIG })
          .chain((d) => fc.tuple(fc.constant(d), fc.bigInt({ min: 0n, max: d - 1n }))),
        (n, [d, r]) => {
          expect(floor(frac(n * d + r, d))).toBe(n)
        },
      ),
    )
  })

  it('floor(a) ≤ a < floor(a) + 1', () => {
    fc.assert(
      fc.property(fraction, (a) => {
        const f = frac(floor(a))
        expect(sub(a, f).num >= 0n).toBe(true)
        expect(sub(add(f, ONE), a).num > 0n).toBe(true)
      }),
    )
  })
})
