import { describe, expect, it } from 'vitest'
import { type Attribution, attributeCost } from './attribution'
import { add } from './fraction'
import { edge, F } from './testing'

/*
 * Fully loaded cost on graphs with cycles (attribution.ts): every expectation an exact fraction,
 * the linear equations of the shares solved by hand in the comments.
 */

describe('attributeCost: cycles', () => {
  it('a two-cycle a ⇄ b entered from s: all of a and b is s’s, counted once', () => {
    const edges = [edge('s', 'a', 5n, 100n), edge('a', 'b', 7n, 40n), edge('b', 'a', 3n, 60n)]
    // h(a) = 5/8 · 1 + 3/8 · h(b), h(b) = h(a)  ⇒  h(a) = h(b) = 1
    expect(attributeCost(edges, 's')).toEqual({
      service: 's',
      own: 100n,
      loadedExact: F(200n),
      loaded: 200n,
      direct: [{ provider: 'a', amount: 100n, requests: 5n, shareOfIncoming: F(5n, 8n) }],
      parts: [
        { service: 'b', ownSpend: 60n, share: F(1n), attributed: F(60n), traced: F(0n), basis: 'estimate' },
        { service: 'a', ownSpend: 40n, share: F(1n), attributed: F(40n), traced: F(0n), basis: 'estimate' },
      ],
    } satisfies Attribution)
    // From inside the cycle: a is b's only caller (b carries 1·60); b sends 3/8 of a's requests.
    expect(attributeCost(edges, 'a').loadedExact).toEqual(F(100n))
    expect(attributeCost(edges, 'b').loadedExact).toEqual(F(75n)) // 60 + 3/8 · 40
  })

  it('a cycle back to the service stops at the service: s → x → s counts x once', () => {
    const edges = [edge('s', 'x', 2n, 100n), edge('x', 's', 6n, 30n), edge('y', 's', 2n, 5n)]
    const s = attributeCost(edges, 's')
    // x is called only by s: share 1, and s's own spend is not counted again through x.
    expect(s.loadedExact).toEqual(F(130n))
    expect(s.loaded).toBe(130n)
    expect(s.parts).toEqual([
      { service: 'x', ownSpend: 30n, share: F(1n), attributed: F(30n), traced: F(0n), basis: 'estimate' },
    ])
    // x sends 6 of s's 8 requests: 30 + 3/4 · 100 = 105.
    const x = attributeCost(edges, 'x')
    expect(x.loadedExact).toEqual(F(105n))
    expect(x.parts).toEqual([
      {
        service: 's',
        ownSpend: 100n,
        share: F(3n, 4n),
        attributed: F(75n),
        traced: F(0n),
        basis: 'estimate',
      },
    ])
  })

  it('a self-loop on an intermediate service', () => {
    const edges = [
      edge('s', 'x', 10n, 100n),
      edge('x', 'x', 30n, 20n), // x calls itself: 30 of its 40 incoming requests
      edge('x', 'z', 5n, 50n),
      edge('y', 'z', 5n, 1n),
      edge('z', 'w', 1n, 8n),
    ]
    // h(x) = 10/40 · 1 + 30/40 · h(x)  ⇒  h(x) = 1;  h(z) = 5/10 · h(x) = 1/2
    // loaded = 100 + 1 · (20 + 50) + 1/2 · 8 = 174
    expect(attributeCost(edges, 's')).toEqual({
      service: 's',
      own: 100n,
      loadedExact: F(174n),
      loaded: 174n,
      direct: [{ provider: 'x', amount: 100n, requests: 10n, shareOfIncoming: F(1n, 4n) }],
      parts: [
        { service: 'x', ownSpend: 70n, share: F(1n), attributed: F(70n), traced: F(0n), basis: 'estimate' },
        { service: 'z', ownSpend: 8n, share: F(1n, 2n), attributed: F(4n), traced: F(0n), basis: 'estimate' },
      ],
    } satisfies Attribution)
  })

  it('a self-loop on the service itself', () => {
    const edges = [edge('s', 's', 5n, 10n), edge('s', 'x', 5n, 20n), edge('x', 'y', 1n, 30n)]
    expect(attributeCost(edges, 's')).toEqual({
      service: 's',
      own: 30n,
      loadedExact: F(60n),
      loaded: 60n,
      direct: [
        { provider: 'x', amount: 20n, requests: 5n, shareOfIncoming: F(1n) },
        { provider: 's', amount: 10n, requests: 5n, shareOfIncoming: F(1n) },
      ],
      parts: [
        { service: 'x', ownSpend: 30n, share: F(1n), attributed: F(30n), traced: F(0n), basis: 'estimate' },
      ],
    } satisfies Attribution)
  })

  it('a cycle that also gets requests from outside the service', () => {
    const edges = [
      edge('s', 'x', 10n, 100n),
      edge('y', 'x', 10n, 7n),
      edge('x', 'w', 20n, 40n),
      edge('w', 'x', 20n, 25n),
    ]
    // incoming(x) = 10 (s) + 10 (y) + 20 (w) = 40; incoming(w) = 20, all from x.
    //   h(x) = 10/40 · 1 + 10/40 · 0 + 20/40 · h(w),  h(w) = 20/20 · h(x)
    //   ⇒ h(x) = 1/4 + h(x)/2 ⇒ h(x) = h(w) = 1/2
    // (the traffic entering the cycle is half s's, half y's).
    // loaded = 100 + 1/2 · 40 + 1/2 · 25 = 265/2
    const s = attributeCost(edges, 's')
    expect(s.loadedExact).toEqual(F(265n, 2n))
    expect(s.loaded).toBe(132n)
    expect(s.direct).toEqual([{ provider: 'x', amount: 100n, requests: 10n, shareOfIncoming: F(1n, 4n) }])
    expect(s.parts).toEqual([
      { service: 'x', ownSpend: 40n, share: F(1n, 2n), attributed: F(20n), traced: F(0n), basis: 'estimate' },
      {
        service: 'w',
        ownSpend: 25n,
        share: F(1n, 2n),
        attributed: F(25n, 2n),
        traced: F(0n),
        basis: 'estimate',
      },
    ])
    // y carries the other half: 7 + 1/2 · 65, and together they carry everything.
    const y = attributeCost(edges, 'y')
    expect(y.loadedExact).toEqual(F(79n, 2n))
    expect(add(s.loadedExact, y.loadedExact)).toEqual(F(100n + 7n + 40n + 25n))
  })

  it('a 3-node cycle a → b → c → a with a chord and an outside caller, solved by hand', () => {
    const edges = [
      edge('s', 'a', 2n, 1000n),
      edge('y', 'b', 1n, 777n),
      edge('a', 'b', 3n, 501n),
      edge('b', 'c', 4n, 1000n),
      edge('c', 'a', 2n, 250n),
      edge('c', 'b', 1n, 250n),
    ]
    // incoming(a) = 2 (s) + 2 (c)          → share(s,a) = 1/2, share(c,a) = 1/2
    // incoming(b) = 3 (a) + 1 (y) + 1 (c)  → share(a,b) = 3/5, share(y,b) = 1/5, share(c,b) = 1/5
    // incoming(c) = 4 (b)                  → share(b,c) = 1
    // For s:  a = 1/2 + c/2,  b = 3a/5 + c/5,  c = b
    //   ⇒ b = 3a/4 ⇒ a = 1/2 + 3a/8 ⇒ a = 4/5, b = c = 3/5
    // own(a) = 501, own(b) = 1000, own(c) = 500
    // loaded(s) = 1000 + 4/5 · 501 + 3/5 · 1000 + 3/5 · 500 = 1000 + 2004/5 + 600 + 300 = 11504/5
    const s = attributeCost(edges, 's')
    expect(s.loadedExact).toEqual(F(11504n, 5n))
    expect(s.loaded).toBe(2300n)
    expect(s.parts).toEqual([
      {
        service: 'b',
        ownSpend: 1000n,
        share: F(3n, 5n),
        attributed: F(600n),
        traced: F(0n),
        basis: 'estimate',
      },
      {
        service: 'a',
        ownSpend: 501n,
        share: F(4n, 5n),
        attributed: F(2004n, 5n),
        traced: F(0n),
        basis: 'estimate',
      },
      {
        service: 'c',
        ownSpend: 500n,
        share: F(3n, 5n),
        attributed: F(300n),
        traced: F(0n),
        basis: 'estimate',
      },
    ])
    // For y:  a = c/2,  b = 1/5 + 3a/5 + c/5,  c = b
    //   ⇒ a = b/2 ⇒ b = 1/5 + b/2 ⇒ b = c = 2/5, a = 1/5   (s's and y's shares add up to 1)
    // loaded(y) = 777 + 1/5 · 501 + 2/5 · 1000 + 2/5 · 500 = 7386/5
    const y = attributeCost(edges, 'y')
    expect(y.loadedExact).toEqual(F(7386n, 5n))
    expect(y.loaded).toBe(1477n)
    expect(y.parts).toEqual([
      {
        service: 'b',
        ownSpend: 1000n,
        share: F(2n, 5n),
        attributed: F(400n),
        traced: F(0n),
        basis: 'estimate',
      },
      {
        service: 'c',
        ownSpend: 500n,
        share: F(2n, 5n),
        attributed: F(200n),
        traced: F(0n),
        basis: 'estimate',
      },
      {
        service: 'a',
        ownSpend: 501n,
        share: F(1n, 5n),
        attributed: F(501n, 5n),
        traced: F(0n),
        basis: 'estimate',
      },
    ])
    expect(add(s.loadedExact, y.loadedExact)).toEqual(F(1000n + 777n + 501n + 1000n + 500n))
  })
})
