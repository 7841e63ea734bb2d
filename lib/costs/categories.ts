/**
 * How one version 2 redemption's amount splits over its request categories: the rule the
 * database's category rollups follow (migration 0013_channel_v2, `redeemed_category_shares`),
 * here as a pure function for reads and tests. Client-safe.
 */

/** One category's part of a redemption: its 0-based index, its share of the amount, its count. */
export type CategoryShare = { category: number; amount: bigint; requests: bigint }

/**
 * Each category's share of a v2 Redeemed's `amount`, for the categories with a non-zero count.
 * A category's value is `requests[i] * prices[i]`. When the amount is the values' sum (the
 * usual case) each share is its value exactly; when the payment was capped at the consumer's
 * funds, `floor(amount * value / sum)`, and what the floors leave goes to the highest category
 * with a non-zero value, so the shares always sum to `amount` to the wei.
 *
 * @example
 * categoryShares([3n, 1n], [1_000n, 5_000n], 8_000n) // [{ category: 0, amount: 3000n, requests: 3n }, { category: 1, amount: 5000n, requests: 1n }]
 * categoryShares([3n, 1n], [1_000n, 5_000n], 4_000n) // amounts 1500n and 2500n
 */
export function categoryShares(
  requests: readonly bigint[],
  prices: readonly bigint[],
  amount: bigint,
): CategoryShare[] {
  const values = requests.map((count, i) => count * (prices[i] ?? 0n))
  const total = values.reduce((sum, v) => sum + v, 0n)
  let last = -1
  for (const [i, v] of values.entries()) if (v > 0n) last = i
  const shares: CategoryShare[] = []
  let given = 0n
  for (const [i, count] of requests.entries()) {
    if (count <= 0n) continue
    const value = values[i]!
    const share = total === amount ? value : (amount * value) / total
    given += share
    shares.push({ category: i, amount: share, requests: count })
  }
  const rest = amount - given
  const top = shares.find((s) => s.category === last)
  if (top) top.amount += rest
  return shares
}

/**
 * What people call a category without a given name: "category N", 1-based.
 *
 * @example defaultCategoryName(0) // 'category 1'
 */
export const defaultCategoryName = (index: number): string => `category ${index + 1}`
