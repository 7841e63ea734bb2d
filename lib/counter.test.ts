import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AcceptedCounts,
  acceptCount,
  acceptedTotal,
  countsFromJson,
  countsToJson,
  DEFAULT_MAX_MISSING_RANGES,
  emptyCounts,
  forgetMissingUpTo,
  isAccepted,
} from './counter'

const UINT256_MAX = (1n << 256n) - 1n

/** Accepts every count in turn (each must be accepted) and returns the final record. */
function acceptAll(counts: readonly bigint[], maxMissingRanges?: number): AcceptedCounts {
  let record = emptyCounts()
  for (const count of counts) {
    const result = acceptCount(record, count, { maxMissingRanges })
    if (!result.accepted) throw new Error(`count ${count} was refused: ${result.reason}`)
    record = result.counts
  }
  return record
}

/** The record's invariants: sorted, disjoint, non-adjacent ranges strictly inside [1, highest - 1]. */
function expectWellFormed(counts: AcceptedCounts): void {
  let previousEnd = 0n
  for (const [from, to] of counts.missing) {
    expect(from).toBeGreaterThan(previousEnd === 0n ? 0n : previousEnd + 1n)
    expect(to).toBeGreaterThanOrEqual(from)
    expect(to).toBeLessThan(counts.highest)
    previousEnd = to
  }
  expect(counts.forgotten).toBeGreaterThanOrEqual(0n)
}

describe('acceptCount()', () => {
  it('acceptCount() accepts counts in order without recording missing ranges', () => {
    const record = acceptAll([1n, 2n, 3n])
    expect(record).toEqual({ highest: 3n, missing: [], forgotten: 0n })
    expect(acceptedTotal(record)).toBe(3n)
  })

  it('acceptCount() accepts counts out of order, splitting the missing range as they arrive', () => {
    let record = acceptAll([5n])
    expect(record).toEqual({ highest: 5n, missing: [[1n, 4n]], forgotten: 0n })
    record = acceptAll([5n, 3n])
    expect(record.missing).toEqual([
      [1n, 2n],
      [4n, 4n],
    ])
    record = acceptAll([5n, 3n, 1n])
    expect(record.missing).toEqual([
      [2n, 2n],
      [4n, 4n],
    ])
    record = acceptAll([5n, 3n, 1n, 4n, 2n])
    expect(record).toEqual({ highest: 5n, missing: [], forgotten: 0n })
    expect(acceptedTotal(record)).toBe(5n)
  })

  it('acceptCount() reports whether the highest count was raised', () => {
    const first = acceptCount(emptyCounts(), 4n)
    expect(first).toMatchObject({ accepted: true, raisedHighest: true })
    if (!first.accepted) throw new Error('unreachable')
    expect(acceptCount(first.counts, 2n)).toMatchObject({ accepted: true, raisedHighest: false })
    expect(acceptCount(first.counts, 5n)).toMatchObject({ accepted: true, raisedHighest: true })
  })

  it('acceptCount() refuses a count accepted before, above or below the highest', () => {
    const record = acceptAll([2n, 7n, 4n])
    expect(acceptCount(record, 7n)).toEqual({ accepted: false, reason: 'count_already_accepted' })
    expect(acceptCount(record, 4n)).toEqual({ accepted: false, reason: 'count_already_accepted' })
    expect(acceptCount(record, 2n)).toEqual({ accepted: false, reason: 'count_already_accepted' })
    expect(acceptCount(record, 3n)).toMatchObject({ accepted: true })
  })

  it('acceptCount() refuses zero and negative counts as zero_requests', () => {
    expect(acceptCount(emptyCounts(), 0n)).toEqual({ accepted: false, reason: 'zero_requests' })
    expect(acceptCount(emptyCounts(), -1n)).toEqual({ accepted: false, reason: 'zero_requests' })
    expect(acceptCount(acceptAll([3n]), 0n)).toEqual({ accepted: false, reason: 'zero_requests' })
  })

  it('acceptCount() records a jump of millions as one range and splits it in the middle', () => {
    let record = acceptAll([5n, 5_000_000n])
    expect(record.missing).toEqual([
      [1n, 4n],
      [6n, 4_999_999n],
    ])
    expect(acceptedTotal(record)).toBe(2n)
    const result = acceptCount(record, 2_500_000n)
    if (!result.accepted) throw new Error('refused')
    record = result.counts
    expect(record.missing).toEqual([
      [1n, 4n],
      [6n, 2_499_999n],
      [2_500_001n, 4_999_999n],
    ])
    expect(acceptedTotal(record)).toBe(3n)
    expect(isAccepted(record, 2_500_000n)).toBe(true)
    expect(isAccepted(record, 2_499_999n)).toBe(false)
  })

  it('acceptCount() handles counts up to 2^256 - 1 exactly', () => {
    let record = acceptAll([UINT256_MAX])
    expect(record).toEqual({ highest: UINT256_MAX, missing: [[1n, UINT256_MAX - 1n]], forgotten: 0n })
    expect(acceptedTotal(record)).toBe(1n)
    record = acceptAll([UINT256_MAX, UINT256_MAX - 1n, 1n])
    expect(record.missing).toEqual([[2n, UINT256_MAX - 2n]])
    expect(acceptedTotal(record)).toBe(3n)
    expect(acceptCount(record, UINT256_MAX)).toEqual({ accepted: false, reason: 'count_already_accepted' })
    expect(isAccepted(record, UINT256_MAX - 2n)).toBe(false)
  })

  it('acceptCount() splits ranges at their edges and drops ranges of one count', () => {
    let record = acceptAll([10n, 1n])
    expect(record.missing).toEqual([[2n, 9n]])
    record = acceptAll([10n, 1n, 2n])
    expect(record.missing).toEqual([[3n, 9n]])
    record = acceptAll([10n, 1n, 2n, 9n])
    expect(record.missing).toEqual([[3n, 8n]])
    record = acceptAll([10n, 1n, 2n, 9n, 4n])
    expect(record.missing).toEqual([
      [3n, 3n],
      [5n, 8n],
    ])
    record = acceptAll([10n, 1n, 2n, 9n, 4n, 3n])
    expect(record.missing).toEqual([[5n, 8n]])
    expect(acceptedTotal(record)).toBe(6n)
  })

  it('acceptCount() does not change the record it is given', () => {
    const before = acceptAll([3n, 8n])
    const copy = structuredClone(before)
    acceptCount(before, 5n)
    acceptCount(before, 12n)
    acceptCount(before, 1n, { maxMissingRanges: 0 })
    expect(before).toEqual(copy)
  })

  it('acceptCount() bounds the missing ranges by forgetting the lowest and then refuses those counts', () => {
    const bound = { maxMissingRanges: 2 }
    let record = acceptAll([2n, 4n, 6n], bound.maxMissingRanges)
    expect(record).toEqual({
      highest: 6n,
      missing: [
        [3n, 3n],
        [5n, 5n],
      ],
      forgotten: 1n,
    })
    record = acceptAll([2n, 4n, 6n, 10n], bound.maxMissingRanges)
    expect(record).toEqual({
      highest: 10n,
      missing: [
        [5n, 5n],
        [7n, 9n],
      ],
      forgotten: 2n,
    })
    expect(acceptCount(record, 1n, bound)).toEqual({ accepted: false, reason: 'count_already_accepted' })
    expect(acceptCount(record, 3n, bound)).toEqual({ accepted: false, reason: 'count_already_accepted' })
    expect(isAccepted(record, 1n)).toBe(true)
    expect(isAccepted(record, 3n)).toBe(true)
    expect(acceptedTotal(record)).toBe(4n)
    expect(acceptCount(record, 5n, bound)).toMatchObject({ accepted: true })
  })

  it('acceptCount() forgets the lower half when a split exceeds the bound', () => {
    const record = acceptAll([10n, 5n], 1)
    expect(record).toEqual({ highest: 10n, missing: [[6n, 9n]], forgotten: 4n })
    expect(acceptedTotal(record)).toBe(2n)
    for (const count of [1n, 2n, 3n, 4n]) {
      expect(acceptCount(record, count, { maxMissingRanges: 1 })).toEqual({
        accepted: false,
        reason: 'count_already_accepted',
      })
    }
  })

  it('acceptCount() with a bound of 0 keeps no missing ranges and forgets every jumped count', () => {
    const record = acceptAll([3n, 1_000_000n], 0)
    expect(record).toEqual({ highest: 1_000_000n, missing: [], forgotten: 999_998n })
    expect(acceptedTotal(record)).toBe(2n)
  })

  it('acceptCount() keeps 1,000 missing ranges by default', () => {
    expect(DEFAULT_MAX_MISSING_RANGES).toBe(1_000)
    const evens = Array.from({ length: 1_001 }, (_, i) => BigInt(2 * (i + 1)))
    const record = acceptAll(evens)
    expect(record.missing.length).toBe(1_000)
    expect(record.missing[0]).toEqual([3n, 3n])
    expect(record.forgotten).toBe(1n)
  })
})

describe('forgetMissingUpTo()', () => {
  it('forgetMissingUpTo() forgets whole ranges at or below the floor and cuts the one across it', () => {
    // Missing: 2..4, 6, 8..11; highest 12.
    const record = acceptAll([1n, 5n, 7n, 12n])
    expect(record.missing).toEqual([
      [2n, 4n],
      [6n, 6n],
      [8n, 11n],
    ])
    const forgot = forgetMissingUpTo(record, 9n)
    expect(forgot).toEqual({ highest: 12n, missing: [[10n, 11n]], forgotten: 6n })
    expectWellFormed(forgot)
    expect(acceptedTotal(forgot)).toBe(acceptedTotal(record))
    // Forgotten counts are refused from then on; those above the floor are still accepted once.
    expect(acceptCount(forgot, 8n)).toEqual({ accepted: false, reason: 'count_already_accepted' })
    expect(acceptCount(forgot, 3n)).toEqual({ accepted: false, reason: 'count_already_accepted' })
    expect(acceptCount(forgot, 10n)).toMatchObject({ accepted: true })
  })

  it('forgetMissingUpTo() returns the same record when nothing is at or below the floor', () => {
    const record = acceptAll([1n, 5n])
    expect(forgetMissingUpTo(record, 1n)).toBe(record)
    expect(forgetMissingUpTo(emptyCounts(), 100n)).toEqual(emptyCounts())
    expect(forgetMissingUpTo(record, UINT256_MAX)).toEqual({ highest: 5n, missing: [], forgotten: 3n })
  })
})

describe('isAccepted()', () => {
  it('isAccepted() is false for 0, counts above the highest and missing counts', () => {
    const record = acceptAll([2n, 5n])
    expect([0n, 1n, 2n, 3n, 4n, 5n, 6n].map((c) => isAccepted(record, c))).toEqual([
      false,
      false,
      true,
      false,
      false,
      true,
      false,
    ])
    expect(isAccepted(emptyCounts(), 1n)).toBe(false)
  })
})

describe('acceptedTotal()', () => {
  it('acceptedTotal() is 0 for an empty record and counts only accepted counts', () => {
    expect(acceptedTotal(emptyCounts())).toBe(0n)
    expect(acceptedTotal(acceptAll([1_000_000n, 1n, 999_999n]))).toBe(3n)
  })
})

describe('countsToJson() / countsFromJson()', () => {
  it('countsToJson() writes decimal strings and countsFromJson() reads them back exactly', () => {
    const record = acceptAll([UINT256_MAX, 7n, 2n], 2)
    const json = countsToJson(record)
    expect(json).toEqual({
      highest: UINT256_MAX.toString(),
      missing: [
        ['3', '6'],
        ['8', (UINT256_MAX - 1n).toString()],
      ],
      forgotten: '1',
    })
    expect(countsFromJson(JSON.parse(JSON.stringify(json)))).toEqual(record)
  })

  it('countsFromJson() restores the empty record', () => {
    expect(countsToJson(emptyCounts())).toEqual({ highest: '0', missing: [], forgotten: '0' })
    expect(countsFromJson({ highest: '0', missing: [], forgotten: '0' })).toEqual(emptyCounts())
  })
})

describe('acceptCount() against a Set model', () => {
  // Small counts make repeats likely; an occasional big one exercises long ranges.
  const count = fc.oneof(
    { weight: 10, arbitrary: fc.bigInt({ min: 0n, max: 60n }) },
    { weight: 1, arbitrary: fc.bigInt({ min: 61n, max: UINT256_MAX }) },
  )

  it('acceptCount() accepts a count iff it is > 0 and was never accepted (unbounded ranges)', () => {
    fc.assert(
      fc.property(fc.array(count, { maxLength: 120 }), (counts) => {
        const seen = new Set<bigint>()
        let record = emptyCounts()
        for (const c of counts) {
          const result = acceptCount(record, c, { maxMissingRanges: 1_000_000 })
          const expected = c > 0n && !seen.has(c)
          expect(result.accepted).toBe(expected)
          if (result.accepted) {
            seen.add(c)
            record = result.counts
          } else {
            expect(result.reason).toBe(c > 0n ? 'count_already_accepted' : 'zero_requests')
          }
          expectWellFormed(record)
        }
        expect(record.forgotten).toBe(0n)
        expect(acceptedTotal(record)).toBe(BigInt(seen.size))
        for (let c = 0n; c <= 62n; c++) expect(isAccepted(record, c)).toBe(seen.has(c))
        for (const c of seen) expect(isAccepted(record, c)).toBe(true)
        expect(countsFromJson(countsToJson(record))).toEqual(record)
      }),
      { numRuns: 300 },
    )
  })

  it('acceptCount() never accepts a count twice when the ranges are bounded', () => {
    fc.assert(
      fc.property(
        fc.array(count, { maxLength: 120 }),
        fc.integer({ min: 0, max: 3 }),
        (counts, maxMissingRanges) => {
          const seen = new Set<bigint>()
          let record = emptyCounts()
          for (const c of counts) {
            const result = acceptCount(record, c, { maxMissingRanges })
            if (result.accepted) {
              expect(c).toBeGreaterThan(0n)
              expect(seen.has(c)).toBe(false)
              seen.add(c)
              record = result.counts
            }
            expect(record.missing.length).toBeLessThanOrEqual(maxMissingRanges)
            expectWellFormed(record)
          }
          // Forgotten counts are refused but were never accepted: the total is still exact.
          expect(acceptedTotal(record)).toBe(BigInt(seen.size))
          for (const c of seen) expect(isAccepted(record, c)).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })
})
