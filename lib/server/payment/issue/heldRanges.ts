/**
 * Request counts as inclusive `[from, to]` ranges: what an issuer took from the database and
 * has not handed out yet. A list of ranges is ascending and disjoint. Pure: nothing here
 * changes the ranges it is given.
 */
export type Range = [bigint, bigint]

/** How many counts `ranges` hold. */
export function countOf(ranges: readonly Range[]): number {
  return ranges.reduce((n, [from, to]) => n + Number(to - from + 1n), 0)
}

/**
 * `ranges` (ascending) with adjacent ones merged.
 *
 * @example mergeRanges([[1n, 3n], [4n, 6n], [9n, 9n]]) // [[1n, 6n], [9n, 9n]]
 */
export function mergeRanges(ranges: readonly Range[]): Range[] {
  const merged: Range[] = []
  for (const [from, to] of ranges) {
    const last = merged.at(-1)
    if (last && last[1] + 1n === from) last[1] = to
    else merged.push([from, to])
  }
  return merged
}

/**
 * The lowest `n` counts of `ranges` (n at most {@link countOf} them), and the ranges left.
 *
 * @example claimRanges([[1n, 3n], [7n, 9n]], 4) // { claimed: [[1n, 3n], [7n, 7n]], rest: [[8n, 9n]] }
 */
export function claimRanges(ranges: readonly Range[], n: number): { claimed: Range[]; rest: Range[] } {
  const claimed: Range[] = []
  let rest = BigInt(n)
  let i = 0
  let partial: Range | null = null
  while (rest > 0n) {
    const range = ranges[i] as Range
    const size = range[1] - range[0] + 1n
    if (size <= rest) {
      claimed.push(range)
      i += 1
      rest -= size
    } else {
      claimed.push([range[0], range[0] + rest - 1n])
      partial = [range[0] + rest, range[1]]
      i += 1
      rest = 0n
    }
  }
  return { claimed, rest: partial ? [partial, ...ranges.slice(i)] : ranges.slice(i) }
}

/**
 * A range just taken split into its first `n` counts (null when n is 0) and the rest (null
 * when nothing is left).
 *
 * @example splitRange([11n, 20n], 3) // [[11n, 13n], [14n, 20n]]
 */
export function splitRange([from, to]: Range, n: number): [Range | null, Range | null] {
  const split = from + BigInt(n)
  return [n > 0 ? [from, split - 1n] : null, split <= to ? [split, to] : null]
}

/**
 * The counts of `ranges`, in order.
 *
 * @example [...countsIn([[1n, 2n], [5n, 5n]])] // [1n, 2n, 5n]
 */
export function* countsIn(ranges: readonly Range[]): Generator<bigint> {
  for (const [from, to] of ranges) for (let count = from; count <= to; count++) yield count
}
