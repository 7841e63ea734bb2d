import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Attribution, attributeCost, type CostEdge } from './attribution'
import { add, type Fraction, floor, frac, mul, ONE, sub, ZERO } from './fraction'
import { edge } from './testing'

/*
 * Properties of fully loaded cost (attribution.ts) on random graphs, checked against an
 * independent reference: the recursive definition on graphs without cycles, bounds and the
 * equations the shares solve on graphs with them.
 */

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
