import { maxUint256 } from 'viem'

/** Units an amount can be typed in, with their decimals. */
export const amountUnits = { ETH: 18, gwei: 9, wei: 0 } as const
export type AmountUnit = keyof typeof amountUnits

/** Units a duration can be typed in, with their length in seconds. */
export const durationUnits = { seconds: 1n, minutes: 60n, hours: 3_600n, days: 86_400n } as const
export type DurationUnit = keyof typeof durationUnits

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string }

const DECIMAL = /^(\d+)(?:\.(\d*))?$|^\.(\d+)$/

/** Splits '12.50' into whole and fraction digits, or null when it is not a plain decimal. */
function decimalParts(text: string): { whole: string; fraction: string } | null {
  const match = DECIMAL.exec(text.replace(/[_\s]/g, ''))
  if (!match) return null
  return { whole: match[1] ?? '0', fraction: (match[2] ?? match[3] ?? '').replace(/0+$/, '') }
}

/**
 * An amount typed by a person, converted to wei exactly (no floating point, no rounding): a
 * fraction finer than 1 wei is refused rather than cut off.
 * @example parseAmount('0.000000001', 'ETH') // { ok: true, value: 1_000_000_000n }
 */
export function parseAmount(text: string, unit: AmountUnit): Parsed<bigint> {
  const trimmed = text.trim()
  if (trimmed === '') return { ok: false, reason: 'Enter an amount.' }
  if (trimmed.startsWith('-')) return { ok: false, reason: 'An amount cannot be negative.' }
  const parts = decimalParts(trimmed)
  if (!parts) return { ok: false, reason: `"${trimmed}" is not a number: use digits and one decimal point.` }
  const decimals = amountUnits[unit]
  if (parts.fraction.length > decimals) {
    return {
      ok: false,
      reason:
        decimals === 0
          ? 'wei are whole: there is nothing smaller than 1 wei.'
          : `${unit} has at most ${decimals} decimals; anything finer is less than 1 wei.`,
    }
  }
  const value = BigInt(parts.whole + parts.fraction.padEnd(decimals, '0'))
  if (value > maxUint256) return { ok: false, reason: 'The amount is larger than a uint256 can hold.' }
  return { ok: true, value }
}

/**
 * A duration typed as a number of `unit`, in whole seconds ('1.5' hours is 5,400 s; a fraction
 * of a second is refused, since the contract counts whole seconds).
 * @example parseDuration('2', 'minutes') // { ok: true, value: 120n }
 */
export function parseDuration(text: string, unit: DurationUnit): Parsed<bigint> {
  const trimmed = text.trim()
  if (trimmed === '') return { ok: false, reason: 'Enter a duration.' }
  if (trimmed.startsWith('-')) return { ok: false, reason: 'A duration cannot be negative.' }
  const parts = decimalParts(trimmed)
  if (!parts) return { ok: false, reason: `"${trimmed}" is not a number: use digits and one decimal point.` }
  const scale = 10n ** BigInt(parts.fraction.length)
  const scaled = BigInt(parts.whole + parts.fraction) * durationUnits[unit]
  if (scaled % scale !== 0n) return { ok: false, reason: 'The duration must come to whole seconds.' }
  return { ok: true, value: scaled / scale }
}
