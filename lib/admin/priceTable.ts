import { contractErrorSentence } from '../contractErrors'
import { type AmountUnit, parseAmount } from './amounts'

/**
 * Most categories a version 2 channel can have: IntermediaryFactoryV2's MAX_CATEGORIES
 * (`priceTable.anvil.test.ts` checks it against the deployed factory).
 */
export const MAX_CATEGORIES = 8

/**
 * A category's name, the one rule for the Payment Server's open (lib/server/payment/schemas.ts
 * `prices[].name`), the wallet's open form and the names a party records: 1-40 letters, digits,
 * dots, dashes or underscores, starting with a letter or digit. Names are off chain: the
 * contract knows only the categories' order.
 */
export const CATEGORY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/

/** One row of a price table as typed: a name and a price with its unit. */
export type CategoryRowInput = { name: string; price: { text: string; unit: AmountUnit } }

/** What is wrong with one row, by field; a key is absent when that field is fine. */
export type CategoryRowErrors = { name?: string; price?: string }

export type PriceTableCheck =
  | { ok: true; value: { names: string[]; prices: bigint[] } }
  | { ok: false; table: string | null; rows: CategoryRowErrors[] }

/**
 * Checks a price table typed in the open form: 1 to 8 rows, each a valid and distinct name and
 * a price above 0 wei in exact units; the prices in order are `IntermediaryFactoryV2.open`'s
 * `prices`. Every refusal is a sentence next to its field (the table's own next to the table).
 * @example checkPriceTable([{ name: 'small', price: { text: '1', unit: 'gwei' } }]) // ok, prices [1000000000n]
 */
export function checkPriceTable(rows: readonly CategoryRowInput[]): PriceTableCheck {
  const errors: CategoryRowErrors[] = rows.map(() => ({}))
  let table: string | null = null
  if (rows.length === 0 || rows.length > MAX_CATEGORIES) {
    table = `A price table has 1 to ${MAX_CATEGORIES} categories; this one has ${rows.length}.`
  }
  const seen = new Map<string, number>()
  const prices: bigint[] = []
  rows.forEach((row, i) => {
    const name = row.name.trim()
    const e = errors[i] as CategoryRowErrors
    if (name === '') e.name = 'Name the category (e.g. small, large).'
    else if (!CATEGORY_NAME.test(name)) {
      e.name = 'A name is 1-40 letters, digits, dots, dashes or underscores, starting with a letter or digit.'
    } else if (seen.has(name)) {
      e.name = `Category ${(seen.get(name) as number) + 1} has this name already: names must differ.`
    } else seen.set(name, i)
    const price = parseAmount(row.price.text, row.price.unit)
    if (!price.ok) e.price = price.reason
    else if (price.value === 0n) e.price = 'The price per request must be more than 0 wei.'
    else prices.push(price.value)
  })
  if (table !== null || errors.some((e) => e.name || e.price)) return { ok: false, table, rows: errors }
  return { ok: true, value: { names: rows.map((r) => r.name.trim()), prices } }
}

/**
 * Checks a new price table for `startRedemptionWithPrices` as the contract does: one price per
 * category of the channel (`categories`), none of them 0. Null when the contract accepts it.
 * @example newPricesProblem([1n, 0n], 2n) // 'The price of category 2 must be more than 0 wei.'
 */
export function newPricesProblem(prices: readonly bigint[], categories: bigint): string | null {
  if (BigInt(prices.length) !== categories) {
    return contractErrorSentence('CategoryCountMismatch', [categories, BigInt(prices.length)])
  }
  const zero = prices.indexOf(0n)
  return zero === -1 ? null : contractErrorSentence('ZeroPrice', [BigInt(zero)])
}
