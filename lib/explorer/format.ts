import { formatUnits } from 'viem'

/**
 * Formatting for the explorer's pages. Chain quantities arrive as decimal strings (exact
 * uint256) and are only ever handled as bigint here, never as floats. Client-safe.
 */

type Quantity = string | bigint

/** The units an amount of wei can be shown in; `auto` picks by size. */
export type WeiUnit = 'ETH' | 'gwei' | 'wei' | 'auto'

const DECIMALS = { ETH: 18, gwei: 9, wei: 0 } as const

/** From 0.0001 ETH up an amount reads best in ETH; from 0.001 gwei up in gwei. */
const ETH_FROM = 10n ** 14n
const GWEI_FROM = 10n ** 6n

/** "1234567" → "1,234,567"; the digits of an integer string grouped by thousands. */
export function groupDigits(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** Groups the integer part of a decimal number written as a string ("-1234.5" → "-1,234.5"). */
function groupDecimal(text: string): string {
  const negative = text.startsWith('-')
  const [whole = '0', fraction] = (negative ? text.slice(1) : text).split('.')
  return `${negative ? '-' : ''}${groupDigits(whole)}${fraction ? `.${fraction}` : ''}`
}

/** The unit `auto` picks for an amount of wei. */
export function weiUnit(wei: Quantity): Exclude<WeiUnit, 'auto'> {
  const value = BigInt(wei)
  const size = value < 0n ? -value : value
  if (size === 0n || size >= ETH_FROM) return 'ETH'
  if (size >= GWEI_FROM) return 'gwei'
  return 'wei'
}

/**
 * An amount of wei with its unit, every digit kept (no rounding).
 * @example formatWei('1500000000000000000') // '1.5 ETH'
 * @example formatWei('10000000000') // '10 gwei'
 * @example formatWei('21000000000000', 'ETH') // '0.000021 ETH'
 */
export function formatWei(wei: Quantity, unit: WeiUnit = 'auto'): string {
  const chosen = unit === 'auto' ? weiUnit(wei) : unit
  return `${groupDecimal(formatUnits(BigInt(wei), DECIMALS[chosen]))} ${chosen}`
}

/** An amount of wei per gas in gwei, exact: '1.000000007 gwei'. */
export function formatGwei(wei: Quantity): string {
  return formatWei(wei, 'gwei')
}

/** An integer with thousands separators, exact for any size: '12,345,678'. */
export function formatNumber(value: Quantity): string {
  const text = BigInt(value).toString()
  return text.startsWith('-') ? `-${groupDigits(text.slice(1))}` : groupDigits(text)
}

/** `part` as a share of `whole` with one decimal, rounded down: '42.5%'; '—' when whole is 0. */
export function formatPercent(part: Quantity, whole: Quantity): string {
  const w = BigInt(whole)
  if (w === 0n) return '—'
  const tenths = (BigInt(part) * 1000n) / w
  return `${tenths / 10n}.${tenths % 10n}%`
}

/** '0x1234ab…cdef' from a long hex hash: the first 6 and last 4 hex digits. */
export function shortHash(hash: string): string {
  return hash.length <= 14 ? hash : `${hash.slice(0, 8)}…${hash.slice(-4)}`
}

/** '0x1234…cdef' from an address: the first and last 4 hex digits. */
export function shortAddress(address: string): string {
  return address.length <= 12 ? address : `${address.slice(0, 6)}…${address.slice(-4)}`
}

const UNITS = [
  ['d', 86_400],
  ['h', 3_600],
  ['min', 60],
  ['s', 1],
] as const

/**
 * A duration in words: its largest unit and the next one when not 0 ('3 min 20 s', '2 h 5 min',
 * '1 d', '0 s'). Fractions of a second are dropped; negative durations read as their size.
 */
export function formatDuration(seconds: number): string {
  const total = Math.floor(Math.abs(seconds))
  const first = UNITS.findIndex(([, size]) => total >= size)
  if (first === -1) return '0 s'
  const [name, size] = UNITS[first]!
  const parts = [`${Math.floor(total / size)} ${name}`]
  const next = UNITS[first + 1]
  if (next) {
    const count = Math.floor((total % size) / next[1])
    if (count > 0) parts.push(`${count} ${next[0]}`)
  }
  return parts.join(' ')
}

/** How much of a time {@link formatUtc} writes. */
export type UtcPrecision = 'day' | 'minute' | 'second'

const UTC_LENGTH: Record<UtcPrecision, number> = { day: 10, minute: 16, second: 19 }

/**
 * The product's one date format: UTC, ISO-like, to the day, minute or second. A time is an
 * ISO-8601 string or unix seconds. Days read as dates without a zone; `zone: false` leaves
 * ' UTC' off (form inputs whose label names it). No locale ever decides the order or the zone.
 * @example formatUtc('2026-12-07T09:20:53.000Z') // '2026-12-07 09:20:53 UTC'
 * @example formatUtc(1796635200, 'minute') // '2026-12-07 09:20 UTC'
 * @example formatUtc(1796635200, 'day') // '2026-12-07'
 */
export function formatUtc(
  time: string | number,
  precision: UtcPrecision = 'second',
  { zone = true }: { zone?: boolean } = {},
): string {
  const date = new Date(typeof time === 'number' ? time * 1000 : time)
  const text = date.toISOString().slice(0, UTC_LENGTH[precision]).replace('T', ' ')
  return zone && precision !== 'day' ? `${text} UTC` : text
}

/** ISO-8601 UTC from a unix time in seconds given as a decimal string. */
export function unixToIso(seconds: Quantity): string {
  return new Date(Number(BigInt(seconds)) * 1000).toISOString()
}

/** '1 transaction', '3 transactions'. */
export function plural(count: Quantity, word: string, many = `${word}s`): string {
  return `${formatNumber(count)} ${BigInt(count) === 1n ? word : many}`
}

const WEI_NAME = /amount|funds|cost|value|price|deposit|fee|balance|refund|payout/i

/**
 * A reading of a decoded integer argument from its name, or null: wei amounts with their unit
 * ('amount' → '0.01 ETH'), unix times ('redeemableAt' → UTC) and timeouts in seconds ('1 h').
 * @example argHint({ name: 'amount', type: 'uint256', value: '10000000000000000' }) // '0.01 ETH'
 */
export function argHint(arg: { name: string; type: string; value: unknown }): string | null {
  const { name, type, value } = arg
  if (typeof value !== 'string' || !/^u?int\d*$/.test(type) || !/^\d+$/.test(value)) return null
  if (WEI_NAME.test(name)) return formatWei(value)
  if (/At$/.test(name) && value !== '0' && value.length <= 12) return formatUtc(unixToIso(value))
  if (/Timeout$/.test(name) && value.length <= 12) return formatDuration(Number(value))
  return null
}
