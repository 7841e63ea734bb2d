import type { DecodedArg } from './api'
import { argHint } from './format'

/** One element of an array argument, ready to read. */
export type ArgItem = { label: string; value: string; hint: string | null }

/**
 * The elements of an array argument (a v2 channel's `prices` or `requests` per category) as
 * readable entries: a label (the category's name when `names` are given, else the 0-based
 * position), the exact value, and a reading from the argument's name ('0.01 ETH' for prices).
 * Null when the argument is not an array of plain values.
 *
 * @example arrayArgItems({ name: 'prices', type: 'uint256[]', value: ['1000'] }, ['small']) // [{ label: 'small', value: '1000', hint: '1,000 wei' }]
 */
export function arrayArgItems(arg: DecodedArg, names?: readonly string[]): ArgItem[] | null {
  if (!Array.isArray(arg.value) || !arg.type.endsWith(']')) return null
  const type = arg.type.replace(/\[\d*\]$/, '')
  return arg.value.map((item, i) => {
    const value = typeof item === 'string' ? item : JSON.stringify(item)
    return { label: names?.[i] ?? `[${i}]`, value, hint: argHint({ name: arg.name, type, value }) }
  })
}
