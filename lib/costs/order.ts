/**
 * Compare function for sorting by a bigint key, largest first; equal keys fall back to `tie`
 * (default: keep their order).
 * @example edges.sort(byBigIntDesc((e) => e.amount, (a, b) => a.name.localeCompare(b.name)))
 */
export const byBigIntDesc =
  <T>(key: (t: T) => bigint, tie: (a: T, b: T) => number = () => 0) =>
  (a: T, b: T): number => {
    const d = key(b) - key(a)
    return d > 0n ? 1 : d < 0n ? -1 : tie(a, b)
  }
