import { isDecimalUint256 } from './token'

/** A route's price in wei per request: a bigint, or a decimal string such as `'1000'`. */
export type RoutePrice = bigint | string

/**
 * A route's price as the decimal string the Payment Server takes, or undefined when none is
 * given. Throws a RangeError for a negative, non-decimal or larger than uint256 price: a
 * mistake in the provider's code, found when its middleware is set up rather than per request.
 *
 * @example
 * routePriceOf(1_000n) // '1000'
 */
export function routePriceOf(price: RoutePrice | undefined): string | undefined {
  if (price === undefined) return undefined
  const text = typeof price === 'bigint' ? price.toString() : price
  if (!isDecimalUint256(text)) {
    throw new RangeError(
      `price must be wei per request as a bigint or a decimal string from 0 to 2^256-1, got ${String(price)}`,
    )
  }
  return text
}

/** One token to verify, with the price of the route it pays for (kept through coalescing). */
export type PricedToken = { token: string; price?: string; category?: number | string }

/**
 * The body of `POST /api/payment/tokens/verify` for these tokens: `{ token, price? }` for one,
 * `{ tokens: [...] }` for several, each item its wire form, or `{ token, price }` when priced
 * (so an unpriced batch is the same as before prices existed).
 */
export function verifyBodyOf(items: readonly PricedToken[]) {
  const itemOf = ({ token, price, category }: PricedToken) =>
    price === undefined && category === undefined ? token : withOptions({ token, price, category })
  if (items.length !== 1) return { tokens: items.map(itemOf) }
  return withOptions(items[0] as PricedToken)
}

/** `{ token }` with the route's price and a version 2 channel's category when given. */
function withOptions({ token, price, category }: PricedToken) {
  return {
    token,
    ...(price === undefined ? {} : { price }),
    ...(category === undefined ? {} : { category }),
  }
}
