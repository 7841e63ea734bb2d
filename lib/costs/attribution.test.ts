import { describe, expect, it } from 'vitest'
import { type Attribution, attributeCost, type CostEdge } from './attribution'
import { add } from './fraction'
import { edge, F } from './testing'

/*
 * Fully loaded cost (attribution.ts): own spend plus, for every service reached, the share of its
 * spend that the costed service's requests caused. Every expectation is an exact bigint or an
 * exact fraction, worked out by hand in the comments (graphs with cycles:
 * attribution.cycles.test.ts; properties against an independent reference:
 * attribution.properties.test.ts).
 */

const GWEI = 10n ** 9n

/** The thesis example (section 3.4). */
const thesis: CostEdge[] = [
  edge('alice', 'charlie', 30n, 300n * GWEI),
  edge('bob', 'charlie', 10n, 100n * GWEI),
  edge('charlie', 'dave', 20n, 100n * GWEI),
]

describe('attributeCost: the thesis example', () => {
  it('alice carries 3/4 of charlie: 300 + 3/4 · 100 = 375 gwei', () => {
    expect(attributeCost(thesis, 'alice')).toEqual({
      service: 'alice',
      own: 300n * GWEI,
      loadedExact: F(375n * GWEI),
      loaded: 375n * GWEI,
      direct: [{ provider: 'charlie', amount: 300n * GWEI, requests: 30n, shareOfIncoming: F(3n, 4n) }],
      parts: [
        {
          service: 'charlie',
          ownSpend: 100n * GWEI,
          share: F(3n, 4n),
          attributed: F(75n * GWEI),
          traced: F(0n),
          basis: 'estimate',
        },
      ],
    } satisfies Attribution)
  })

  it('bob carries 1/4 of charlie: 100 + 1/4 · 100 = 125 gwei', () => {
    expect(attributeCost(thesis, 'bob')).toEqual({
      service: 'bob',
      own: 100n * GWEI,
      loadedExact: F(125n * GWEI),
      loaded: 125n * GWEI,
      direct: [{ provider: 'charlie', amount: 100n * GWEI, requests: 10n, shareOfIncoming: F(1n, 4n) }],
      parts: [
        {
          service: 'charlie',
          ownSpend: 100n * GWEI,
          share: F(1n, 4n),
          attributed: F(25n * GWEI),
          traced: F(0n),
          basis: 'estimate',
        },
      ],
    } satisfies Attribution)
  })

  it('charlie carries all of dave, who spends nothing: 100 gwei, no parts; callers are not charged', () => {
    expect(attributeCost(thesis, 'charlie')).toEqual({
      service: 'charlie',
      own: 100n * GWEI,
      loadedExact: F(100n * GWEI),
      loaded: 100n * GWEI,
      direct: [{ provider: 'dave', amount: 100n * GWEI, requests: 20n, shareOfIncoming: F(1n, 1n) }],
      parts: [],
    } satisfies Attribution)
  })

  it('dave calls nobody: 0', () => {
    expect(attributeCost(thesis, 'dave')).toEqual({
      service: 'dave',
      own: 0n,
      loadedExact: F(0n),
      loaded: 0n,
      direct: [],
      parts: [],
    } satisfies Attribution)
  })

  it('the callers of charlie together carry all of its spend', () => {
    const alice = attributeCost(thesis, 'alice').loadedExact
    const bob = attributeCost(thesis, 'bob').loadedExact
    expect(add(alice, bob)).toEqual(F(500n * GWEI))
  })
})

describe('attributeCost: graphs without cycles', () => {
  it('shares multiply along a chain: 3/4 of b, then 1/2 of that for c and d (3/8)', () => {
    const edges = [
      edge('s', 'b', 3n, 30n),
      edge('y', 'b', 1n, 10n), // s sends 3 of b's 4 requests
      edge('b', 'c', 1n, 40n),
      edge('z', 'c', 1n, 5n), // b sends 1 of c's 2 requests
      edge('c', 'd', 1n, 80n), // c is d's only caller: d's share is c's, 3/8
      edge('d', 'e', 1n, 17n),
    ]
    // 30 + 3/4·40 + 3/8·80 + 3/8·17 = 30 + 30 + 30 + 51/8 = 771/8
    const r = attributeCost(edges, 's')
    expect(r.own).toBe(30n)
    expect(r.loadedExact).toEqual(F(771n, 8n))
    expect(r.loaded).toBe(96n)
    expect(r.direct).toEqual([{ provider: 'b', amount: 30n, requests: 3n, shareOfIncoming: F(3n, 4n) }])
    // Largest first; b and c tie at 30 and are ordered by name.
    expect(r.parts).toEqual([
      { service: 'b', ownSpend: 40n, share: F(3n, 4n), attributed: F(30n), traced: F(0n), basis: 'estimate' },
      { service: 'c', ownSpend: 80n, share: F(3n, 8n), attributed: F(30n), traced: F(0n), basis: 'estimate' },
      {
        service: 'd',
        ownSpend: 17n,
        share: F(3n, 8n),
        attributed: F(51n, 8n),
        traced: F(0n),
        basis: 'estimate',
      },
    ])
  })

  it('a diamond: the shares of the two paths to d add up', () => {
    const edges = [
      edge('s', 'a', 1n, 10n), // s is a's only caller: share 1
      edge('s', 'b', 1n, 10n),
      edge('x', 'b', 1n, 0n), // s sends half of b's requests
      edge('a', 'd', 2n, 100n),
      edge('b', 'd', 2n, 100n),
      edge('y', 'd', 4n, 1n), // d gets 8 requests: 2 from a, 2 from b
      edge('d', 't', 1n, 800n),
    ]
    // h(d) = 2/8 · 1 + 2/8 · 1/2 = 3/8
    // loaded = 20 + 1·100 + 1/2·100 + 3/8·800 = 20 + 100 + 50 + 300 = 470
    const r = attributeCost(edges, 's')
    expect(r.loadedExact).toEqual(F(470n))
    expect(r.loaded).toBe(470n)
    expect(r.parts).toEqual([
      {
        service: 'd',
        ownSpend: 800n,
        share: F(3n, 8n),
        attributed: F(300n),
        traced: F(0n),
        basis: 'estimate',
      },
      { service: 'a', ownSpend: 100n, share: F(1n), attributed: F(100n), traced: F(0n), basis: 'estimate' },
      {
        service: 'b',
        ownSpend: 100n,
        share: F(1n, 2n),
        attributed: F(50n),
        traced: F(0n),
        basis: 'estimate',
      },
    ])
    // Same as own + Σ share(s, P) · loaded(P): loaded(a) = loaded(b) = 100 + 1/4 · 800 = 300.
    expect(attributeCost(edges, 'a').loadedExact).toEqual(F(300n))
    expect(attributeCost(edges, 'b').loadedExact).toEqual(F(300n))
  })

  it('parallel edges for the same pair are summed', () => {
    const split = [
      edge('s', 'x', 2n, 10n),
      edge('y', 'x', 5n, 7n),
      edge('s', 'x', 3n, 15n),
      edge('x', 'z', 4n, 60n),
      edge('x', 'z', 0n, 40n),
    ]
    const merged = [edge('s', 'x', 5n, 25n), edge('y', 'x', 5n, 7n), edge('x', 'z', 4n, 100n)]
    const r = attributeCost(split, 's')
    // 25 + 5/10 · 100 = 75
    expect(r).toEqual({
      service: 's',
      own: 25n,
      loadedExact: F(75n),
      loaded: 75n,
      direct: [{ provider: 'x', amount: 25n, requests: 5n, shareOfIncoming: F(1n, 2n) }],
      parts: [
        {
          service: 'x',
          ownSpend: 100n,
          share: F(1n, 2n),
          attributed: F(50n),
          traced: F(0n),
          basis: 'estimate',
        },
      ],
    } satisfies Attribution)
    expect(attributeCost(merged, 's')).toEqual(r)
    expect(attributeCost(split, 'x')).toEqual(attributeCost(merged, 'x'))
  })

  it('orders direct costs and parts largest first, ties by name whatever the edge order', () => {
    const edges = [
      edge('s', 'z', 1n, 5n),
      edge('s', 'a', 1n, 5n),
      edge('s', 'm', 1n, 9n),
      edge('z', 'q', 1n, 10n),
      edge('a', 'q', 1n, 10n),
      edge('m', 'q', 1n, 3n),
    ]
    const r = attributeCost(edges, 's')
    expect(r.direct.map((d) => [d.provider, d.amount])).toEqual([
      ['m', 9n],
      ['a', 5n],
      ['z', 5n],
    ])
    expect(r.parts.map((p) => [p.service, p.attributed])).toEqual([
      ['a', F(10n)],
      ['z', F(10n)],
      ['m', F(3n)],
    ])
    expect(r.loadedExact).toEqual(F(19n + 23n))
  })

  it('an unknown service, or one that appears in no edge, costs nothing', () => {
    const nothing = { service: 'ghost', own: 0n, loadedExact: F(0n), loaded: 0n, direct: [], parts: [] }
    expect(attributeCost(thesis, 'ghost')).toEqual(nothing)
    expect(attributeCost([], 'ghost')).toEqual(nothing)
  })

  it('edges with 0 requests are paid for but make no caller', () => {
    const edges = [
      edge('s', 'x', 0n, 50n), // s pays x, but sent no requests: x's spend is not s's
      edge('x', 'z', 10n, 1000n),
      edge('s', 'w', 4n, 20n),
      edge('q', 'w', 0n, 9n), // q sent no requests: does not dilute s's share of w
      edge('w', 'v', 1n, 60n),
    ]
    // own(s) = 50 + 20 = 70; loaded = 70 + 1 · 60 = 130
    expect(attributeCost(edges, 's')).toEqual({
      service: 's',
      own: 70n,
      loadedExact: F(130n),
      loaded: 130n,
      direct: [
        { provider: 'x', amount: 50n, requests: 0n, shareOfIncoming: F(0n) },
        { provider: 'w', amount: 20n, requests: 4n, shareOfIncoming: F(1n) },
      ],
      parts: [
        { service: 'w', ownSpend: 60n, share: F(1n), attributed: F(60n), traced: F(0n), basis: 'estimate' },
      ],
    } satisfies Attribution)
    // q reaches nobody either.
    expect(attributeCost(edges, 'q').loadedExact).toEqual(F(9n))
    expect(attributeCost(edges, 'q').parts).toEqual([])
  })
})

describe('attributeCost: invalid input', () => {
  it('throws a RangeError on negative requests or amounts, on any edge', () => {
    expect(() => attributeCost([edge('s', 'x', -1n, 10n)], 's')).toThrow(RangeError)
    expect(() => attributeCost([edge('s', 'x', 1n, -10n)], 's')).toThrow(RangeError)
    // An edge that has nothing to do with the service costed is checked too.
    expect(() => attributeCost([...thesis, edge('p', 'q', 1n, -1n)], 'alice')).toThrow(RangeError)
    expect(() => attributeCost([...thesis, edge('p', 'q', -5n, 0n)], 'alice')).toThrow(RangeError)
  })
})
