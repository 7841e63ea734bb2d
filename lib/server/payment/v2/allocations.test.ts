import { describe, expect, it } from 'vitest'
import { allocationsOf, claimTokens, heldCount } from './allocations'

describe('allocations of counts taken ahead', () => {
  it('allocationsOf() holds the top counts of each category taken ahead, with the new frontier as base', () => {
    expect(allocationsOf([10n, 4n], [3, 0])).toEqual([{ base: [10n, 4n], from: 8n, to: 10n }, undefined])
  })

  it('claimTokens() hands out the lowest counts first, across allocations, each its base with the count in place', () => {
    const held = [
      { base: [5n, 2n], from: 4n, to: 5n },
      { base: [9n, 3n], from: 8n, to: 9n },
    ]
    expect(heldCount(held)).toBe(4)
    const { tokens, rest } = claimTokens(held, 0, 3)
    expect(tokens).toEqual([
      [4n, 2n],
      [5n, 2n],
      [8n, 3n],
    ])
    expect(rest).toEqual([{ base: [9n, 3n], from: 9n, to: 9n }])
    expect(held[0]).toEqual({ base: [5n, 2n], from: 4n, to: 5n }) // pure
  })
})
