/**
 * Counts of one category of a v2 token ID that an issuer instance took ahead and has not
 * handed out yet: counts `from..to` of the category, each token the `base` vector (the token
 * ID's frontier right after the take) with that category's count in place. Every token of a
 * later take, of any category and by any instance, dominates every token of this one: its
 * base is a later frontier (componentwise at least this one), and its own category's counts
 * lie above this frontier's. So the tokens of one token ID still form a chain, however the
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
 * the batch used, its top counts of the new `frontier`, with the frontier as base.
 *
 * @example allocationsOf([10n, 4n], [3, 0]) // [{ base: [10n, 4n], from: 8n, to: 10n }, undefined]
 */
export function allocationsOf(
  frontier: readonly bigint[],
  ahead: readonly number[],
): Array<Allocation | undefined> {
  return ahead.map((n, c) =>
    n > 0
      ? { base: frontier, from: (frontier[c] as bigint) - BigInt(n) + 1n, to: frontier[c] as bigint }
      : undefined,
  )
}
