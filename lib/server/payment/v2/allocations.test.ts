import { describe, expect, it } from 'vitest'
import { allocationsOf, claimTokens, heldCount } from './allocations'

describe('allocations of counts taken ahead', () => {
  it('allocationsOf() holds the top counts of each category taken ahead, with the new frontier as base', () => {
    expect(allocationsOf([10n, 4n], [3, 0])).toEqual([{ base: [10n, 4n], from: 8n, to: 10n }, undefined])
  })

  it('allocationsOf() of several categories in one take nests the bases: every token of the take compares with every other', () => {
    const made = allocationsOf([10n, 10n, 5n], [3, 0, 2])
    expect(made).toEqual([
      { base: [10n, 10n, 3n], from: 8n, to: 10n },
      undefined,
      { base: [10n, 10n, 5n], from: 4n, to: 5n },
    ])
    const tokens = made.flatMap((a, c) => (a ? claimTokens([a], c, heldCount([a])).tokens : []))
    // The batch's own tokens end at the frontier less the extras: [7, 10, 3].
    tokens.push([7n, 10n, 3n])
    const below = (a: bigint[], b: bigint[]) => a.every((x, i) => x <= (b[i] as bigint))
    for (const x of tokens) for (const y of tokens) expect(below(x, y) || below(y, x)).toBe(true)
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
