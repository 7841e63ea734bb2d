import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type AttributedPart, attributeCost, type CostEdge } from './attribution'
import { add, type Fraction, floor, frac, mul, sub, ZERO } from './fraction'
import { edge, F } from './testing'

/*
 * Exact transitive tracing (attribution.ts, thesis 3.4): parts of an edge tagged with the
 * origin consumer they were made for count as that origin's. Worked examples by hand, then
 * properties: tags that equal the proportional split change nothing; the origins of a fully
 * tagged spend carry it all, to the wei; any tags, even lying ones on cyclic graphs, keep the
 * result finite and consistent.
 */

const tagged = (e: CostEdge, ...parts: Array<[string, bigint, bigint]>): CostEdge => ({
  ...e,
  tagged: parts.map(([origin, requests, amount]) => ({ origin, requests, amount })),
})

const part = (p: Omit<AttributedPart, 'share'>): AttributedPart => ({
  ...p,
  share: frac(p.attributed.num, p.attributed.den * p.ownSpend),
})

/** alice and bob call charlie (30 and 10 requests); charlie calls dave 20 times for 100 wei. */
const calls = [edge('alice', 'charlie', 30n, 300n), edge('bob', 'charlie', 10n, 100n)]

describe('attributeCost with tagged edges: the thesis example', () => {
  // Not the 3/4 the request shares estimate: alice's deep calls made 12 of dave's 20 requests.
  const edges = [...calls, tagged(edge('charlie', 'dave', 20n, 100n), ['alice', 12n, 60n], ['bob', 8n, 40n])]

  it('each origin carries exactly what charlie spent for it: alice 300 + 60, bob 100 + 40', () => {
    const alice = attributeCost(edges, 'alice')
    expect(alice.loadedExact).toEqual(F(360n))
    expect(alice.parts).toEqual([
      part({ service: 'charlie', ownSpend: 100n, attributed: F(60n), traced: F(60n), basis: 'exact' }),
    ])
    const bob = attributeCost(edges, 'bob')
    expect(bob.loadedExact).toEqual(F(140n))
    expect(bob.parts).toEqual([
      part({ service: 'charlie', ownSpend: 100n, attributed: F(40n), traced: F(40n), basis: 'exact' }),
    ])
  })

  it('charlie still carries all it sent: 100, whoever it was for', () => {
    expect(attributeCost(edges, 'charlie').loadedExact).toEqual(F(100n))
    expect(attributeCost(edges, 'charlie').direct[0]?.shareOfIncoming).toEqual(F(1n))
  })

  it("dave's own spend goes by the traced requests: alice sent 12 of dave's 20 requests", () => {
    const deeper = [...edges, edge('dave', 'erin', 5n, 1000n)]
    const alice = attributeCost(deeper, 'alice')
    // 300 + 60 (charlie, traced) + 12/20 · 1000 (dave, by request share) = 960
    expect(alice.loadedExact).toEqual(F(960n))
    expect(alice.parts).toEqual([
      part({ service: 'dave', ownSpend: 1000n, attributed: F(600n), traced: ZERO, basis: 'estimate' }),
      part({ service: 'charlie', ownSpend: 100n, attributed: F(60n), traced: F(60n), basis: 'exact' }),
    ])
    expect(attributeCost(deeper, 'bob').loadedExact).toEqual(F(100n + 40n + 400n))
  })

  it('an untagged rest keeps the estimate: a part both traced and estimated is mixed', () => {
    const partly = [...calls, tagged(edge('charlie', 'dave', 20n, 100n), ['alice', 12n, 60n])]
    // alice: 60 traced + 3/4 of the untagged 40 = 90; bob: 1/4 of 40 = 10.
    expect(attributeCost(partly, 'alice').parts).toEqual([
      part({ service: 'charlie', ownSpend: 100n, attributed: F(90n), traced: F(60n), basis: 'mixed' }),
    ])
    expect(attributeCost(partly, 'bob').parts).toEqual([
      part({ service: 'charlie', ownSpend: 100n, attributed: F(10n), traced: ZERO, basis: 'estimate' }),
    ])
  })

  it('a tag naming a service that never called charlie charges it all the same (the caveat)', () => {
    const lying = [
      ...calls,
      edge('mallory', 'x', 1n, 1n),
      tagged(edge('charlie', 'dave', 20n, 100n), ['mallory', 20n, 100n]),
    ]
    expect(attributeCost(lying, 'mallory').loadedExact).toEqual(F(101n))
    expect(attributeCost(lying, 'alice').loadedExact).toEqual(F(300n))
  })

  it('refuses tagged parts larger than their edge, or negative ones', () => {
    expect(() => attributeCost([tagged(edge('c', 'd', 2n, 10n), ['a', 3n, 1n])], 'a')).toThrow(RangeError)
    expect(() => attributeCost([tagged(edge('c', 'd', 2n, 10n), ['a', 1n, 11n])], 'a')).toThrow(RangeError)
    expect(() => attributeCost([tagged(edge('c', 'd', 2n, 10n), ['a', -1n, 1n])], 'a')).toThrow(RangeError)
  })
})

// ----- properties -----

const NODES = Array.from({ length: 7 }, (_, i) => `n${i}`)
const node = fc.integer({ min: 0, max: 6 }).map((i) => `n${i}`)
const edgesArb = fc.array(
  fc
    .record({
      from: node,
      to: node,
      requests: fc.bigInt({ min: 1n, max: 50n }),
      amount: fc.bigInt({ min: 0n, max: 10n ** 20n }),
    })
    .map(({ from, to, requests, amount }) => edge(from, to, requests, amount)),
  { maxLength: 18, size: 'medium' },
)

const sum = (fs: Iterable<Fraction>) => {
  let total = ZERO
  for (const f of fs) total = add(total, f)
  return total
}

/**
 * The same traffic twice: the outgoing edges of the services chosen to trace scaled by N_C
 * (C's incoming requests), once untagged and once tagged by C's callers in proportion to their
 * requests (caller O's part of r · N_C requests is r · r(O → C)). A tracing service neither
 * calls nor is called by another (nor itself), so the requests it receives are its callers' own.
 */
function proportionalTags(edges: CostEdge[], chosen: readonly string[]) {
  const tracing = new Set<string>()
  for (const c of chosen) {
    const linked = edges.some(
      (e) =>
        (e.consumer === c && (tracing.has(e.provider) || e.provider === c)) ||
        (e.provider === c && tracing.has(e.consumer)),
    )
    if (!linked) tracing.add(c)
  }
  const callers = (c: string) => {
    const m = new Map<string, bigint>()
    for (const e of edges) if (e.provider === c) m.set(e.consumer, (m.get(e.consumer) ?? 0n) + e.requests)
    return m
  }
  const untagged: CostEdge[] = []
  const withTags: CostEdge[] = []
  for (const e of edges) {
    const incoming = callers(e.consumer)
    const n = [...incoming.values()].reduce((t, r) => t + r, 0n)
    if (!tracing.has(e.consumer) || n === 0n) {
      untagged.push(e)
      withTags.push(e)
      continue
    }
    // Only a tracing service's edges are scaled: its callers' are not, so N_C stays its incoming.
    const scaled = edge(e.consumer, e.provider, e.requests * n, e.amount * n)
    untagged.push(scaled)
    withTags.push({
      ...scaled,
      tagged: [...incoming].map(([origin, r]) => ({
        origin,
        requests: e.requests * r,
        amount: e.amount * r,
      })),
    })
  }
  return { untagged, withTags }
}

describe('attributeCost with tagged edges: properties', () => {
  it('tags that equal the proportional split give the estimate, part by part', () => {
    fc.assert(
      fc.property(edgesArb, fc.subarray(NODES), (edges, chosen) => {
        const { untagged, withTags } = proportionalTags(edges, chosen)
        for (const s of NODES) {
          const estimate = attributeCost(untagged, s)
          const traced = attributeCost(withTags, s)
          expect(traced.loadedExact).toEqual(estimate.loadedExact)
          const attributed = (r: typeof traced) => new Map(r.parts.map((p) => [p.service, p.attributed]))
          expect(attributed(traced)).toEqual(attributed(estimate))
        }
      }),
    )
  })

  it('the origins of a fully tagged spend carry all of it, exactly, to the wei', () => {
    const origins = ['o0', 'o1', 'o2']
    const scenario = fc.record({
      // Each origin's calls to m, and m's calls to d0..d2, each split among the origins.
      toM: fc.tuple(...origins.map(() => fc.bigInt({ min: 1n, max: 20n }))),
      fromM: fc.array(
        fc.record({
          to: fc.integer({ min: 0, max: 2 }).map((i) => `d${i}`),
          split: fc.tuple(
            ...origins.map(() =>
              fc.record({
                requests: fc.bigInt({ min: 0n, max: 9n }),
                amount: fc.bigInt({ min: 0n, max: 10n ** 18n }),
              }),
            ),
          ),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      // Anything among m's providers, calls back to m included (cycles).
      below: fc.array(
        fc.record({
          from: fc.integer({ min: 0, max: 2 }),
          to: fc.integer({ min: -1, max: 2 }),
          amount: fc.bigInt({ min: 0n, max: 10n ** 18n }),
        }),
        { maxLength: 5 },
      ),
    })
    fc.assert(
      fc.property(scenario, ({ toM, fromM, below }) => {
        const edges: CostEdge[] = origins.map((o, i) => edge(o, 'm', toM[i] as bigint, 10n))
        for (const { to, split } of fromM) {
          const requests = split.reduce((t, x) => t + x.requests, 0n)
          const amount = split.reduce((t, x) => t + x.amount, 0n)
          edges.push({
            ...edge('m', to, requests, amount),
            tagged: split.map((x, i) => ({ origin: origins[i] as string, ...x })),
          })
        }
        for (const b of below) edges.push(edge(`d${b.from}`, b.to < 0 ? 'm' : `d${b.to}`, 1n, b.amount))
        const spend = fromM.flatMap((f) => f.split).reduce((t, x) => t + x.amount, 0n)
        const carried = origins.map((o) => attributeCost(edges, o).parts.find((p) => p.service === 'm'))
        expect(sum(carried.map((p) => p?.attributed ?? ZERO))).toEqual(frac(spend))
        expect(carried.reduce((t, p) => t + (p ? floor(p.attributed) : 0n), 0n)).toBe(spend)
        for (const p of carried) if (p) expect([p.basis, p.traced]).toEqual(['exact', p.attributed])
      }),
    )
  })

  it('any tags, lying ones and cycles included, keep the result finite and consistent', () => {
    const taggedArb = edgesArb.chain((edges) =>
      fc.tuple(
        ...edges.map((e) =>
          fc
            .array(fc.record({ origin: node, cut: fc.nat({ max: 3 }) }), { maxLength: 2 })
            .map((tags): CostEdge => {
              // Cut the edge into its tags (a quarter each at most) and an untagged rest.
              const parts = tags.map((t) => ({
                origin: t.origin,
                requests: (e.requests * BigInt(t.cut)) / 8n,
                amount: (e.amount * BigInt(t.cut)) / 8n,
              }))
              return { ...e, tagged: parts }
            }),
        ),
      ),
    )
    fc.assert(
      fc.property(taggedArb, (edges) => {
        const spendOf = (x: string) =>
          edges.filter((e) => e.consumer === x).reduce((t, e) => t + e.amount, 0n)
        const all = edges.reduce((t, e) => t + e.amount, 0n)
        for (const s of NODES) {
          const r = attributeCost(edges, s)
          expect(r.own).toBe(spendOf(s))
          expect(r.loadedExact).toEqual(add(frac(r.own), sum(r.parts.map((p) => p.attributed))))
          expect(sub(frac(all), r.loadedExact).num >= 0n).toBe(true)
          for (const p of r.parts) {
            expect(p.ownSpend).toBe(spendOf(p.service))
            expect(p.attributed).toEqual(mul(p.share, frac(p.ownSpend)))
            expect(p.share.num <= p.share.den && sub(p.attributed, p.traced).num >= 0n).toBe(true)
            const estimated = sub(p.attributed, p.traced).num > 0n
            expect(p.basis).toBe(p.traced.num === 0n ? 'estimate' : estimated ? 'mixed' : 'exact')
          }
        }
      }),
    )
  })
})
