import { describe, expect, it } from 'vitest'
import { claimRanges, countOf, countsIn, mergeRanges, type Range, splitRange } from './heldRanges'

describe('held ranges', () => {
  it('countOf() counts every count of every range', () => {
    expect(countOf([])).toBe(0)
    expect(
      countOf([
        [1n, 3n],
        [7n, 7n],
      ]),
    ).toBe(4)
  })

  it('mergeRanges() merges adjacent ranges only, leaving its input unchanged', () => {
    const ranges: Range[] = [
      [1n, 3n],
      [4n, 6n],
      [9n, 9n],
      [10n, 12n],
    ]
    expect(mergeRanges(ranges)).toEqual([
      [1n, 6n],
      [9n, 12n],
    ])
    expect(ranges).toEqual([
      [1n, 3n],
      [4n, 6n],
      [9n, 9n],
      [10n, 12n],
    ])
    expect(
      mergeRanges([
        [1n, 2n],
        [5n, 6n],
      ]),
    ).toEqual([
      [1n, 2n],
      [5n, 6n],
    ])
  })

  it('claimRanges() takes the lowest counts, across ranges and within one', () => {
    const ranges: Range[] = [
      [1n, 3n],
      [7n, 9n],
    ]
    expect(claimRanges(ranges, 4)).toEqual({
      claimed: [
        [1n, 3n],
        [7n, 7n],
      ],
      rest: [[8n, 9n]],
    })
    expect(claimRanges(ranges, 3)).toEqual({ claimed: [[1n, 3n]], rest: [[7n, 9n]] })
    expect(claimRanges(ranges, 1)).toEqual({
      claimed: [[1n, 1n]],
      rest: [
        [2n, 3n],
        [7n, 9n],
      ],
    })
    expect(claimRanges(ranges, 6)).toEqual({
      claimed: [
        [1n, 3n],
        [7n, 9n],
      ],
      rest: [],
    })
    expect(claimRanges(ranges, 0)).toEqual({
      claimed: [],
      rest: [
        [1n, 3n],
        [7n, 9n],
      ],
    })
    expect(ranges).toEqual([
      [1n, 3n],
      [7n, 9n],
    ])
  })

  it('splitRange() gives a batch its first counts and holds the rest', () => {
    expect(splitRange([11n, 20n], 3)).toEqual([
      [11n, 13n],
      [14n, 20n],
    ])
    expect(splitRange([11n, 20n], 10)).toEqual([[11n, 20n], null])
    expect(splitRange([11n, 20n], 0)).toEqual([null, [11n, 20n]])
  })

  it('countsIn() lists the counts in order', () => {
    expect([
      ...countsIn([
        [1n, 2n],
        [5n, 5n],
        [8n, 9n],
      ]),
    ]).toEqual([1n, 2n, 5n, 8n, 9n])
    expect([...countsIn([])]).toEqual([])
  })
})
