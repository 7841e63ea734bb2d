import { type Fraction, frac } from './costs/fraction'
import { formatNumber, groupDigits, weiUnit } from './explorer/format'

/**
 * Display units for amounts of wei: ETH, gwei, wei, or a fiat currency at a rate the operator
 * configures (DISPLAY_CURRENCY, DISPLAY_RATE). One unit per view, every figure rounded for
 * reading (4 significant digits, thousands separators) while the exact wei stay in a title.
 * Exact throughout: wei are bigint and a rate is a rational, so no float ever touches the
 * amount before the digits are written. Client-safe.
 */

/** The chain's own units; `DisplayUnit` adds the configured fiat currency's code. */
export const CHAIN_UNITS = ['ETH', 'gwei', 'wei'] as const
export type ChainUnit = (typeof CHAIN_UNITS)[number]
/** 'ETH', 'gwei', 'wei', or a fiat currency's ISO 4217 code ('USD'). */
export type DisplayUnit = ChainUnit | (string & {})

/** The cookie that remembers a user's pick for the views without `?unit=`. */
export const UNIT_COOKIE = 'unit'

/** A fiat currency and its price of one ETH, as the operator wrote it ('3125.40'). */
export type FiatRate = { currency: string; rate: string }

const DECIMALS: Record<ChainUnit, bigint> = { ETH: 10n ** 18n, gwei: 10n ** 9n, wei: 1n }
/** Significant digits a figure is rounded to for reading. */
const SIGNIFICANT = 4
/**
 * Below a billionth of ETH, gwei or a currency a figure reads as "<0.000000001": a view's
 * largest amount picks its unit, and a 1-wei figure beside 2 ETH must not write 18 decimals.
 */
const MAX_DECIMALS: Record<ChainUnit, number> = { ETH: 9, gwei: 9, wei: 0 }
const FIAT_MAX_DECIMALS = 9

/** A positive decimal written as text ('3125.40') as an exact fraction, or null if it is not one. */
export function parseRate(text: string): Fraction | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim())
  if (!match) return null
  const decimals = match[2] ?? ''
  const value = frac(BigInt(`${match[1]}${decimals}`), 10n ** BigInt(decimals.length))
  return value.num > 0n ? value : null
}

/** The units a view can be shown in: the chain's, and the fiat currency when one is configured. */
export function unitChoices(fiat: FiatRate | null): DisplayUnit[] {
  return fiat ? [...CHAIN_UNITS, fiat.currency] : [...CHAIN_UNITS]
}

/**
 * A unit as a URL or cookie writes it ('gwei', 'eth', 'usd'), or null when it is none of the
 * choices (a fiat code without a configured currency included).
 * @example parseUnit('eth', null) // 'ETH'
 */
export function parseUnit(text: string | null | undefined, fiat: FiatRate | null): DisplayUnit | null {
  if (!text) return null
  const wanted = text.trim().toLowerCase()
  return unitChoices(fiat).find((u) => u.toLowerCase() === wanted) ?? null
}

const size = (wei: bigint) => (wei < 0n ? -wei : wei)

/**
 * The chain unit that reads best for a view whose largest amount (by size) is among `amounts`:
 * ETH from 0.0001 ETH, gwei from 0.001 gwei, else wei; ETH when all are 0 or missing.
 * @example chooseUnit(['300000000000', '2000000000000000']) // 'ETH'
 */
export function chooseUnit(amounts: Iterable<string | bigint | null | undefined>): ChainUnit {
  let largest = 0n
  for (const a of amounts) {
    if (a === null || a === undefined || (typeof a === 'string' && !/^-?\d+$/.test(a))) continue
    const s = size(BigInt(a))
    if (s > largest) largest = s
  }
  return weiUnit(largest)
}

/** An amount of wei in `unit`, exactly (a fiat amount at the configured rate). */
export function inUnit(wei: string | bigint, unit: DisplayUnit, fiat: FiatRate | null): Fraction {
  const value = BigInt(wei)
  if (unit in DECIMALS) return frac(value, DECIMALS[unit as ChainUnit])
  const rate = fiat && fiat.currency === unit ? parseRate(fiat.rate) : null
  if (!rate) throw new RangeError(`unknown display unit ${unit}`)
  return frac(value * rate.num, rate.den * DECIMALS.ETH)
}

const digitCount = (n: bigint) => (n === 0n ? 0 : n.toString().length)
/** `num / den` rounded half away from zero (num ≥ 0, den > 0). */
const roundDiv = (num: bigint, den: bigint) => (2n * num + den) / (2n * den)

/**
 * A value rounded for reading: 4 significant digits, whole numbers from 1,000 up (never
 * rounded to zeros left of the point), trailing zeros dropped, at most `maxDecimals` decimals
 * ('<0.000000001' below that). Money in a currency keeps at most 2 decimals from 1 up.
 * @example roundForReading({ value: frac(12345678n, 1000n), maxDecimals: 9 }) // '12,346'
 */
export function roundForReading(p: {
  value: Fraction
  maxDecimals: number
  fiat?: boolean
  grouped?: boolean
}): string {
  const { num, den } = p.value
  const sign = num < 0n ? '-' : ''
  const magnitude = size(num)
  if (magnitude === 0n) return '0'
  const whole = magnitude / den
  let decimals: number
  if (whole > 0n) decimals = Math.max(0, SIGNIFICANT - digitCount(whole))
  else {
    // The first significant digit's place after the point.
    let place = 1
    while (magnitude * 10n ** BigInt(place) < den) place++
    decimals = place + SIGNIFICANT - 1
  }
  if (p.fiat && whole > 0n) decimals = Math.min(decimals, 2)
  decimals = Math.min(decimals, p.maxDecimals)
  const scaled = roundDiv(magnitude * 10n ** BigInt(decimals), den)
  if (scaled === 0n) {
    const least = decimals === 0 ? '1' : `0.${'0'.repeat(decimals - 1)}1`
    return sign ? `>-${least}` : `<${least}`
  }
  const text = scaled.toString().padStart(decimals + 1, '0')
  const intPart = text.slice(0, text.length - decimals)
  const fraction = text.slice(text.length - decimals).replace(/0+$/, '')
  return `${sign}${p.grouped === false ? intPart : groupDigits(intPart)}${fraction ? `.${fraction}` : ''}`
}

/**
 * An amount of wei in `unit` for reading, with the unit unless `withUnit` is false.
 * @example formatAmount({ wei: '1234567890123456789', unit: 'ETH' }) // '1.235 ETH'
 * @example formatAmount({ wei: '10000000000', unit: 'USD', fiat: { currency: 'USD', rate: '3125.40' } }) // '0.00003125 USD'
 */
export function formatAmount(p: {
  wei: string | bigint
  unit: DisplayUnit
  fiat?: FiatRate | null
  withUnit?: boolean
  grouped?: boolean
}): string {
  const chain = p.unit in DECIMALS
  const digits = roundForReading({
    value: inUnit(p.wei, p.unit, p.fiat ?? null),
    maxDecimals: chain ? MAX_DECIMALS[p.unit as ChainUnit] : FIAT_MAX_DECIMALS,
    fiat: !chain,
    grouped: p.grouped,
  })
  return p.withUnit === false ? digits : `${digits} ${p.unit}`
}

/** The exact wei of an amount for a title: '1,234,567,890 wei'. */
export function exactWei(wei: string | bigint): string {
  return `${formatNumber(wei)} wei`
}
