import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Attribution, attributeCost, type CostEdge } from './attribution'
import { add, type Fraction, floor, frac, mul, ONE, sub, ZERO } from './fraction'

/*
 * Fully loaded cost (attribution.ts): own spend plus, for every service reached, the share of its
 * spend that the costed service's requests caused. Every expectation is an exact bigint or an
 * exact fraction, worked out by hand in the comments or by an independent reference below.
 */

const GWEI = 10n ** 9n

/** An expected fraction, written out literally (already reduced). */
const F = (num: bigint, den = 1n): Fraction => ({ num, den })

const edge = (consumer: string, provider: string, requests: bigint, amount: bigint): CostEdge => ({
  consumer,
  provider,
  requests,
  amount,
})

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
      parts: [{ service: 'charlie', ownSpend: 100n * GWEI, share: F(3n, 4n), attributed: F(75n * GWEI) }],
    } satisfies Attribution)
  })

  it('bob carries 1/4 of charlie: 100 + 1/4 · 100 = 125 gwei', () => {
    expect(attributeCost(thesis, 'bob')).toEqual({
      service: 'bob',
      own: 100n * GWEI,
      loadedExact: F(125n * GWEI),
      loaded: 125n * GWEI,
      direct: [{ provider: 'charlie', amount: 100n * GWEI, requests: 10n, shareOfIncoming: F(1n, 4n) }],
      parts: [{ service: 'charlie', ownSpend: 100n * GWEI, share: F(1n, 4n), attributed: F(25n * GWEI) }],
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
      { service: 'b', ownSpend: 40n, share: F(3n, 4n), attributed: F(30n) },
      { service: 'c', ownSpend: 80n, share: F(3n, 8n), attributed: F(30n) },
      { service: 'd', ownSpend: 17n, share: F(3n, 8n), attributed: F(51n, 8n) },
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
      { service: 'd', ownSpend: 800n, share: F(3n, 8n), attributed: F(300n) },
      { service: 'a', ownSpend: 100n, share: F(1n), attributed: F(100n) },
      { service: 'b', ownSpend: 100n, share: F(1n, 2n), attributed: F(50n) },
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
      parts: [{ service: 'x', ownSpend: 100n, share: F(1n, 2n), attributed: F(50n) }],
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
      parts: [{ service: 'w', ownSpend: 60n, share: F(1n), attributed: F(60n) }],
    } satisfies Attribution)
    // q reaches nobody either.
    expect(attributeCost(edges, 'q').loadedExact).toEqual(F(9n))
    expect(attributeCost(edges, 'q').parts).toEqual([])
  })
})

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
        { service: 'b', ownSpend: 60n, share: F(1n), attributed: F(60n) },
        { service: 'a', ownSpend: 40n, share: F(1n), attributed: F(40n) },
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
    expect(s.parts).toEqual([{ service: 'x', ownSpend: 30n, share: F(1n), attributed: F(30n) }])
    // x sends 6 of s's 8 requests: 30 + 3/4 · 100 = 105.
    const x = attributeCost(edges, 'x')
    expect(x.loadedExact).toEqual(F(105n))
    expect(x.parts).toEqual([{ service: 's', ownSpend: 100n, share: F(3n, 4n), attributed: F(75n) }])
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
        { service: 'x', ownSpend: 70n, share: F(1n), attributed: F(70n) },
        { service: 'z', ownSpend: 8n, share: F(1n, 2n), attributed: F(4n) },
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
      parts: [{ service: 'x', ownSpend: 30n, share: F(1n), attributed: F(30n) }],
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
      { service: 'x', ownSpend: 40n, share: F(1n, 2n), attributed: F(20n) },
      { service: 'w', ownSpend: 25n, share: F(1n, 2n), attributed: F(25n, 2n) },
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
      { service: 'b', ownSpend: 1000n, share: F(3n, 5n), attributed: F(600n) },
      { service: 'a', ownSpend: 501n, share: F(4n, 5n), attributed: F(2004n, 5n) },
      { service: 'c', ownSpend: 500n, share: F(3n, 5n), attributed: F(300n) },
    ])
    // For y:  a = c/2,  b = 1/5 + 3a/5 + c/5,  c = b
    //   ⇒ a = b/2 ⇒ b = 1/5 + b/2 ⇒ b = c = 2/5, a = 1/5   (s's and y's shares add up to 1)
    // loaded(y) = 777 + 1/5 · 501 + 2/5 · 1000 + 2/5 · 500 = 7386/5
    const y = attributeCost(edges, 'y')
    expect(y.loadedExact).toEqual(F(7386n, 5n))
    expect(y.loaded).toBe(1477n)
    expect(y.parts).toEqual([
      { service: 'b', ownSpend: 1000n, share: F(2n, 5n), attributed: F(400n) },
      { service: 'c', ownSpend: 500n, share: F(2n, 5n), attributed: F(200n) },
      { service: 'a', ownSpend: 501n, share: F(1n, 5n), attributed: F(501n, 5n) },
    ])
    expect(add(s.loadedExact, y.loadedExact)).toEqual(F(1000n + 777n + 501n + 1000n + 500n))
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

// ----- independent reference and generators for the properties -----

type Summary = {
  own: Map<string, bigint>
  /** consumer → provider → requests (only pairs with requests > 0) */
  calls: Map<string, Map<string, bigint>>
  /** provider → consumer → requests (only pairs with requests > 0) */
  callers: Map<string, Map<string, bigint>>
  incoming: Map<string, bigint>
}

function summarize(edges: readonly CostEdge[]): Summary {
  const s: Summary = { own: new Map(), calls: new Map(), callers: new Map(), incoming: new Map() }
  const bump = (m: Map<string, Map<string, bigint>>, a: string, b: string, n: bigint) => {
    const inner = m.get(a) ?? new Map<string, bigint>()
    inner.set(b, (inner.get(b) ?? 0n) + n)
    m.set(a, inner)
  }
  for (const e of edges) {
    s.own.set(e.consumer, (s.own.get(e.consumer) ?? 0n) + e.amount)
    if (e.requests === 0n) continue
    bump(s.calls, e.consumer, e.provider, e.requests)
    bump(s.callers, e.provider, e.consumer, e.requests)
    s.incoming.set(e.provider, (s.incoming.get(e.provider) ?? 0n) + e.requests)
  }
  return s
}

const ownOf = (s: Summary, x: string) => s.own.get(x) ?? 0n

/** requests(c → x) / requests(→ x) */
const shareOf = (s: Summary, c: string, x: string): Fraction => {
  const r = s.callers.get(x)?.get(c) ?? 0n
  return r === 0n ? ZERO : frac(r, s.incoming.get(x) as bigint)
}

/** Services reachable from `start` along edges that carried requests, `start` excluded. */
function reachableFrom(s: Summary, starts: readonly string[]): Set<string> {
  const seen = new Set<string>()
  const todo = [...starts]
  while (todo.length > 0) {
    const n = todo.pop() as string
    for (const p of s.calls.get(n)?.keys() ?? []) {
      if (starts.includes(p) || seen.has(p)) continue
      seen.add(p)
      todo.push(p)
    }
  }
  return seen
}

/** The recursive definition on a graph without cycles: own(S) + Σ_P share(S, P) · loaded(P). */
function referenceLoaded(s: Summary, service: string, memo = new Map<string, Fraction>()): Fraction {
  const known = memo.get(service)
  if (known) return known
  let total = frac(ownOf(s, service))
  for (const p of s.calls.get(service)?.keys() ?? []) {
    total = add(total, mul(shareOf(s, service, p), referenceLoaded(s, p, memo)))
  }
  memo.set(service, total)
  return total
}

const sumFractions = (fs: Iterable<Fraction>) => {
  let total = ZERO
  for (const f of fs) total = add(total, f)
  return total
}
const inUnitInterval = (f: Fraction) => f.num >= 0n && f.num <= f.den
const leq = (a: Fraction, b: Fraction) => sub(b, a).num >= 0n

const NODES = Array.from({ length: 8 }, (_, i) => `n${i}`)
const requestsArb = fc.bigInt({ min: 1n, max: 1000n })
const amountArb = fc.bigInt({ min: 0n, max: 10n ** 24n })
const nodeIndex = fc.integer({ min: 0, max: 7 })

const edgesArb = (pair: fc.Arbitrary<readonly [number, number]>, maxLength = 24) =>
  fc.array(
    fc
      .record({ pair, requests: requestsArb, amount: amountArb })
      .map(({ pair: [a, b], requests, amount }): CostEdge => edge(`n${a}`, `n${b}`, requests, amount)),
    // 'medium' gives graphs of up to maxLength edges; more than half of the cyclic ones have a cycle.
    { maxLength, size: 'medium' },
  )

/** Edges only from a lower to a higher index: no cycles; parallel edges happen. */
const dagArb = edgesArb(
  fc
    .tuple(nodeIndex, nodeIndex)
    .filter(([a, b]) => a !== b)
    .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
)
/** Edges in any direction, self-loops included. */
const cyclicArb = edgesArb(fc.tuple(nodeIndex, nodeIndex))

/** Keeps only the edges paid by `roots` or by services reachable from them. */
const restrictTo = (edges: CostEdge[], roots: readonly string[]) => {
  const reach = reachableFrom(summarize(edges), roots)
  return edges.filter((e) => roots.includes(e.consumer) || reach.has(e.consumer))
}

/** Checks what must hold of any result: loaded is own + Σ attributed, attributed = share · own. */
function expectConsistent(r: Attribution, s: Summary) {
  expect(r.own).toBe(ownOf(s, r.service))
  expect(r.loadedExact).toEqual(add(frac(r.own), sumFractions(r.parts.map((p) => p.attributed))))
  expect(r.loaded).toBe(floor(r.loadedExact))
  for (const p of r.parts) {
    expect(p.ownSpend).toBe(ownOf(s, p.service))
    expect(p.attributed).toEqual(mul(p.share, frac(p.ownSpend)))
    expect(p.ownSpend > 0n && p.share.num > 0n).toBe(true)
  }
  for (let i = 1; i < r.parts.length; i++) {
    expect(leq(r.parts[i]!.attributed, r.parts[i - 1]!.attributed)).toBe(true)
  }
  for (const d of r.direct) {
    expect(d.shareOfIncoming).toEqual(shareOf(s, r.service, d.provider))
    expect(inUnitInterval(d.shareOfIncoming)).toBe(true)
  }
}

describe('attributeCost: properties on graphs without cycles', () => {
  it('loaded(S) = own(S) + Σ_P share(S, P) · loaded(P), exactly', () => {
    fc.assert(
      fc.property(dagArb, (edges) => {
        const s = summarize(edges)
        const memo = new Map<string, Fraction>()
        for (const n of NODES) {
          const r = attributeCost(edges, n)
          expect(r.loadedExact).toEqual(referenceLoaded(s, n, memo))
          expectConsistent(r, s)
        }
      }),
    )
  })

  it('every share is between 0 and 1', () => {
    fc.assert(
      fc.property(dagArb, (edges) => {
        for (const n of NODES) {
          for (const p of attributeCost(edges, n).parts) expect(inUnitInterval(p.share)).toBe(true)
        }
      }),
    )
  })

  it('when every called service is reached only from n0, n0 carries all spend', () => {
    fc.assert(
      fc.property(dagArb, (generated) => {
        const edges = restrictTo(generated, ['n0'])
        const r = attributeCost(edges, 'n0')
        expect(r.loadedExact).toEqual(frac(edges.reduce((t, e) => t + e.amount, 0n)))
        for (const p of r.parts) expect(p.share).toEqual(ONE)
      }),
    )
  })
})

describe('attributeCost: properties on graphs with cycles', () => {
  it('own(S) ≤ loaded(S) ≤ own(S) + Σ own over everything reachable from S; shares in [0, 1]', () => {
    fc.assert(
      fc.property(cyclicArb, (edges) => {
        const s = summarize(edges)
        for (const n of NODES) {
          const r = attributeCost(edges, n)
          expectConsistent(r, s)
          const upper = [...reachableFrom(s, [n])].reduce((t, x) => t + ownOf(s, x), ownOf(s, n))
          expect(leq(frac(r.own), r.loadedExact)).toBe(true)
          expect(leq(r.loadedExact, frac(upper))).toBe(true)
          for (const p of r.parts) expect(inUnitInterval(p.share)).toBe(true)
        }
      }),
    )
  })

  it('the parts are exactly the reachable services that spend, and their shares solve h(X) = Σ_C share(C, X) · h(C)', () => {
    fc.assert(
      fc.property(cyclicArb, (edges) => {
        const s = summarize(edges)
        for (const n of NODES) {
          const r = attributeCost(edges, n)
          const reach = reachableFrom(s, [n])
          const spenders = [...reach].filter((x) => ownOf(s, x) > 0n).sort()
          expect(r.parts.map((p) => p.service).sort()).toEqual(spenders)
          // h is known for the service (1), for everything unreachable (0) and for the parts.
          const h = (x: string): Fraction | undefined =>
            x === n ? ONE : !reach.has(x) ? ZERO : r.parts.find((p) => p.service === x)?.share
          for (const p of r.parts) {
            const terms = [...(s.callers.get(p.service)?.keys() ?? [])].map((c) => {
              const hc = h(c)
              return hc && mul(shareOf(s, c, p.service), hc)
            })
            if (terms.every((t) => t !== undefined))
              expect(sumFractions(terms as Fraction[])).toEqual(p.share)
          }
        }
      }),
    )
  })

  it('with two uncalled roots reaching every called service, their loaded costs add up to all spend', () => {
    // Nothing calls n0 or n1; everything else that is called is reachable from one of them.
    const rootedArb = edgesArb(fc.tuple(nodeIndex, fc.integer({ min: 2, max: 7 })), 30).map((edges) =>
      restrictTo(edges, ['n0', 'n1']),
    )
    fc.assert(
      fc.property(rootedArb, (edges) => {
        const s = summarize(edges)
        const r0 = attributeCost(edges, 'n0')
        const r1 = attributeCost(edges, 'n1')
        const total = edges.reduce((t, e) => t + e.amount, 0n)
        expect(add(r0.loadedExact, r1.loadedExact)).toEqual(frac(total))
        // Each spender's shares from the two roots add up to 1.
        for (const x of NODES.slice(2)) {
          if (ownOf(s, x) === 0n) continue
          const shareFrom = (r: Attribution) => r.parts.find((p) => p.service === x)?.share ?? ZERO
          expect(add(shareFrom(r0), shareFrom(r1))).toEqual(ONE)
        }
      }),
    )
  })

  it('the result does not depend on the order of the edges', () => {
    const shuffledArb = cyclicArb.chain((edges) =>
      fc.tuple(
        fc.constant(edges),
        fc.shuffledSubarray(edges, { minLength: edges.length, maxLength: edges.length }),
      ),
    )
    fc.assert(
      fc.property(shuffledArb, ([edges, shuffled]) => {
        for (const n of NODES) expect(attributeCost(shuffled, n)).toEqual(attributeCost(edges, n))
      }),
    )
  })
})
