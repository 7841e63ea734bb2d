/**
 * Exact non-negative rationals on bigint, for cost attribution: shares of requests multiply
 * along call paths, and a wei amount times a share must stay exact until it is shown.
 */
export type Fraction = { readonly num: bigint; readonly den: bigint }

const gcd = (a: bigint, b: bigint): bigint => {
  let x = a < 0n ? -a : a
  let y = b < 0n ? -b : b
  while (y !== 0n) [x, y] = [y, x % y]
  return x
}

/** `num / den`, reduced; `den` must not be 0. */
export function frac(num: bigint, den = 1n): Fraction {
  if (den === 0n) throw new RangeError('fraction with denominator 0')
  if (den < 0n) return frac(-num, -den)
  const g = gcd(num, den)
  return g <= 1n ? { num, den } : { num: num / g, den: den / g }
}

export const ZERO = frac(0n)
export const ONE = frac(1n)

export const add = (a: Fraction, b: Fraction): Fraction =>
  a.den === b.den ? frac(a.num + b.num, a.den) : frac(a.num * b.den + b.num * a.den, a.den * b.den)
export const sub = (a: Fraction, b: Fraction): Fraction => add(a, { num: -b.num, den: b.den })
export const mul = (a: Fraction, b: Fraction): Fraction => frac(a.num * b.num, a.den * b.den)
export const div = (a: Fraction, b: Fraction): Fraction => frac(a.num * b.den, a.den * b.num)
export const isZero = (a: Fraction): boolean => a.num === 0n

/** Rounded down to an integer (wei). */
export const floor = (a: Fraction): bigint => {
  const q = a.num / a.den
  return a.num < 0n && q * a.den !== a.num ? q - 1n : q
}

/** For display only: a share as a number (0.75). */
export const toNumber = (a: Fraction): number => {
  // Exact to 12 decimal places, even when num and den exceed 2^53 (shares are at most 1).
  const scale = 10n ** 12n
  return Number((a.num * scale) / a.den) / 1e12
}
