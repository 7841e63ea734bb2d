/**
 * Counts of one category of a v2 token ID that an issuer instance took ahead and has not
 * handed out yet: counts `from..to` of the category, each token the `base` vector with that
 * category's count in place; the bases of one take nest up to the frontier right after it
 * ({@link allocationsOf}). Every token of a later take, of any category and by any instance,
 * dominates every token of this one: it lies at or above the frontier before that later take,
 * which is at least this take's frontier. So the tokens of one token ID still form a chain, however the
 * instances' takes interleave (issue 29's design: "a base vector per allocation").
 */
export type Allocation = { base: readonly bigint[]; from: bigint; to: bigint }

/** How many counts `allocations` hold. */
export const heldCount = (allocations: readonly Allocation[]): number =>
  allocations.reduce((n, a) => n + Number(a.to - a.from + 1n), 0)

/**
 * The first `n` tokens (count vectors) of `allocations` (n at most {@link heldCount}), lowest
 * first, for `category`, and the allocations left. Pure.
 *
 * @example claimTokens([{ base: [5n, 2n], from: 4n, to: 5n }], 0, 1) // { tokens: [[4n, 2n]], rest: [{ base: [5n, 2n], from: 5n, to: 5n }] }
 */
export function claimTokens(
  allocations: readonly Allocation[],
  category: number,
  n: number,
): { tokens: bigint[][]; rest: Allocation[] } {
  const tokens: bigint[][] = []
  const rest = [...allocations]
  while (tokens.length < n) {
    const first = rest[0] as Allocation
    const token = [...first.base]
    token[category] = first.from
    tokens.push(token)
    if (first.from === first.to) rest.shift()
    else rest[0] = { ...first, from: first.from + 1n }
  }
  return { tokens, rest }
}

/**
 * The allocations a take made: for each category with `ahead[c]` > 0 counts taken beyond what
 * the batch used, its top counts of the new `frontier`. The bases nest, so that every token of
 * the take forms one chain: the first category's tokens sit on the frontier less every
 * category's extras, each next category's on the previous one's top, the last one's on the
 * frontier. (One base for all, the frontier, made two categories' tokens incomparable: with
 * [10, 10] and 3 each, [8, 10] and [10, 8].) The batch's own tokens lie below the lowest base.
 *
 * @example allocationsOf([10n, 10n], [3, 3]) // [{ base: [10n, 7n], from: 8n, to: 10n }, { base: [10n, 10n], from: 8n, to: 10n }]
 */
export function allocationsOf(
  frontier: readonly bigint[],
  ahead: readonly number[],
): Array<Allocation | undefined> {
  let base: readonly bigint[] = frontier.map((count, c) => count - BigInt(ahead[c] ?? 0))
  return ahead.map((n, c) => {
    if (n <= 0) return undefined
    const from = (base[c] as bigint) + 1n
    base = base.map((count, d) => (d === c ? count + BigInt(n) : count))
    return { base, from, to: base[c] as bigint }
  })
}
