/**
 * The provider's record of which request counts of one token ID it has accepted (PRODUCT.md,
 * "Payment Server"; thesis 3.2.3). Counts may arrive out of order, so besides the highest
 * accepted count it keeps the counts below it that have not arrived yet, as inclusive ranges:
 * a jump from 5 to 5,000,000 adds one range, not five million entries. The ranges are bounded;
 * past the bound the lowest ones are forgotten, so those counts are refused from then on (the
 * provider loses at most what it chose not to remember, never accepts a count twice).
 */
export type AcceptedCounts = {
  /** Highest accepted count, 0n when none. */
  highest: bigint
  /** Counts below `highest` not accepted yet, as sorted, disjoint, non-adjacent `[from, to]` ranges. */
  missing: Array<readonly [bigint, bigint]>
  /** Counts forgotten because the ranges hit their bound (for metrics; they are refused). */
  forgotten: bigint
}

export const emptyCounts = (): AcceptedCounts => ({ highest: 0n, missing: [], forgotten: 0n })

export type CountRefusal = 'zero_requests' | 'count_already_accepted'

export type AcceptResult =
  | { accepted: true; counts: AcceptedCounts; raisedHighest: boolean }
  | { accepted: false; reason: CountRefusal }

/** Default bound on the missing ranges of one token ID. */
export const DEFAULT_MAX_MISSING_RANGES = 1_000

/**
 * Accepts `count` if it was never accepted: a new highest (the counts jumped over become a
 * missing range) or one of the missing counts (its range is split). Returns a new record; the
 * input is not changed.
 */
export function acceptCount(
  counts: AcceptedCounts,
  count: bigint,
  { maxMissingRanges = DEFAULT_MAX_MISSING_RANGES }: { maxMissingRanges?: number } = {},
): AcceptResult {
  if (count <= 0n) return { accepted: false, reason: 'zero_requests' }
  if (count > counts.highest) {
    const missing = counts.missing.slice()
    if (count > counts.highest + 1n) missing.push([counts.highest + 1n, count - 1n])
    return {
      accepted: true,
      raisedHighest: true,
      counts: bound({ ...counts, highest: count, missing }, maxMissingRanges),
    }
  }
  const at = findRange(counts.missing, count)
  if (at < 0) return { accepted: false, reason: 'count_already_accepted' }
  const [from, to] = counts.missing[at] as readonly [bigint, bigint]
  const pieces: Array<readonly [bigint, bigint]> = []
  if (from < count) pieces.push([from, count - 1n])
  if (count < to) pieces.push([count + 1n, to])
  const missing = [...counts.missing.slice(0, at), ...pieces, ...counts.missing.slice(at + 1)]
  return { accepted: true, raisedHighest: false, counts: bound({ ...counts, missing }, maxMissingRanges) }
}

/**
 * Forgets the missing counts at or below `floor`: they move to `forgotten` and are refused from
 * then on, like counts past the bound. The verifier uses it for counts missing for too long
 * (a token that never came: a consumer dropped it, or stopped with it). Returns `counts` itself
 * when nothing is at or below `floor`.
 */
export function forgetMissingUpTo(counts: AcceptedCounts, floor: bigint): AcceptedCounts {
  const first = counts.missing[0]
  if (!first || first[0] > floor) return counts
  let forgotten = counts.forgotten
  const missing: Array<readonly [bigint, bigint]> = []
  for (const range of counts.missing) {
    const [from, to] = range
    if (to <= floor) forgotten += to - from + 1n
    else if (from <= floor) {
      forgotten += floor - from + 1n
      missing.push([floor + 1n, to])
    } else missing.push(range)
  }
  return { ...counts, missing, forgotten }
}

/** True when `count` was accepted (or forgotten, which is refused the same way). */
export function isAccepted(counts: AcceptedCounts, count: bigint): boolean {
  return count >= 1n && count <= counts.highest && findRange(counts.missing, count) < 0
}

/** Number of counts accepted so far (highest minus the missing and forgotten ones). */
export function acceptedTotal(counts: AcceptedCounts): bigint {
  let missing = 0n
  for (const [from, to] of counts.missing) missing += to - from + 1n
  return counts.highest - missing - counts.forgotten
}

/** Index of the range holding `count`, or -1 (binary search over sorted ranges). */
function findRange(missing: AcceptedCounts['missing'], count: bigint): number {
  let lo = 0
  let hi = missing.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const [from, to] = missing[mid] as readonly [bigint, bigint]
    if (count < from) hi = mid - 1
    else if (count > to) lo = mid + 1
    else return mid
  }
  return -1
}

function bound(counts: AcceptedCounts, max: number): AcceptedCounts {
  if (counts.missing.length <= max) return counts
  const drop = counts.missing.length - max
  let forgotten = counts.forgotten
  for (const [from, to] of counts.missing.slice(0, drop)) forgotten += to - from + 1n
  return { ...counts, missing: counts.missing.slice(drop), forgotten }
}

/** JSON form for storage: decimal strings (uint256 never through a float). */
export type StoredCounts = { highest: string; missing: Array<[string, string]>; forgotten: string }

export function countsToJson(counts: AcceptedCounts): StoredCounts {
  return {
    highest: counts.highest.toString(),
    missing: counts.missing.map(([from, to]) => [from.toString(), to.toString()]),
    forgotten: counts.forgotten.toString(),
  }
}

export function countsFromJson(json: StoredCounts): AcceptedCounts {
  return {
    highest: BigInt(json.highest),
    missing: json.missing.map(([from, to]) => [BigInt(from), BigInt(to)] as const),
    forgotten: BigInt(json.forgotten),
  }
}
