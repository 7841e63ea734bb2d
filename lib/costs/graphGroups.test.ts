import { describe, expect, it } from 'vitest'
import {
  edgesToDraw,
  focusOf,
  type GraphPair,
  type GraphService,
  groupCostGraph,
  searchServices,
  teamsOf,
} from './graphGroups'

const svc = (
  id: string,
  team: string | null,
  paid: bigint,
  earned: bigint,
  name: string | null = id,
): GraphService => ({
  id,
  name,
  team,
  paid: paid.toString(),
  earned: earned.toString(),
  pending: '0',
})
const pair = (consumer: string, provider: string, settled: bigint, requests = 1n): GraphPair => ({
  consumer,
  provider,
  settled: settled.toString(),
  pending: '0',
  requests: requests.toString(),
  channel: `ch-${consumer}-${provider}`,
})

// a1, a2 in team a; b1, b2 in team b; x without a team.
// a1 → a2 10, a1 → b1 20, a2 → b1 5, a2 → b2 7, b1 → x 3, x → a1 1 (a cycle back)
const services = [
  svc('a1', 'a', 31n, 1n),
  svc('a2', 'a', 12n, 10n),
  svc('b1', 'b', 3n, 25n),
  svc('b2', 'b', 0n, 7n),
  svc('x', null, 1n, 3n, null),
]
const pairs = [
  pair('a1', 'a2', 10n),
  pair('a1', 'b1', 20n, 4n),
  pair('a2', 'b1', 5n, 2n),
  pair('a2', 'b2', 7n),
  pair('b1', 'x', 3n),
  pair('x', 'a1', 1n),
]

describe('groupCostGraph()', () => {
  it('groupCostGraph() draws every service and pair when all are expanded', () => {
    const g = groupCostGraph({ services, pairs, expanded: 'all' })
    expect(g.nodes.map((n) => [n.id, n.kind, n.members])).toEqual([
      ['a1', 'service', ['a1']],
      ['a2', 'service', ['a2']],
      ['b1', 'service', ['b1']],
      ['b2', 'service', ['b2']],
      ['x', 'service', ['x']],
    ])
    expect(g.edges.map((e) => [e.id, e.settled])).toEqual([
      ['a1>b1', 20n],
      ['a1>a2', 10n],
      ['a2>b2', 7n],
      ['a2>b1', 5n],
      ['b1>x', 3n],
      ['x>a1', 1n],
    ])
  })

  it('groupCostGraph() sums a collapsed team: its flows, its pairs to others, its own pairs as internal', () => {
    const g = groupCostGraph({ services, pairs, expanded: new Set() })
    expect(
      g.nodes.map((n) => ({
        id: n.id,
        kind: n.kind,
        team: n.team,
        members: n.members,
        paid: n.paid,
        earned: n.earned,
        internal: n.internal,
      })),
    ).toEqual([
      { id: 'team:a', kind: 'team', team: 'a', members: ['a1', 'a2'], paid: 43n, earned: 11n, internal: 10n },
      { id: 'team:b', kind: 'team', team: 'b', members: ['b1', 'b2'], paid: 3n, earned: 32n, internal: 0n },
      {
        id: 'team:(no team)',
        kind: 'team',
        team: '(no team)',
        members: ['x'],
        paid: 1n,
        earned: 3n,
        internal: 0n,
      },
    ])
    expect(
      g.edges.map((e) => ({ id: e.id, pairs: e.pairs, settled: e.settled, requests: e.requests })),
    ).toEqual([
      { id: 'team:a>team:b', pairs: [1, 2, 3], settled: 32n, requests: 7n },
      { id: 'team:b>team:(no team)', pairs: [4], settled: 3n, requests: 1n },
      { id: 'team:(no team)>team:a', pairs: [5], settled: 1n, requests: 1n },
    ])
    expect(g.nodeOf.get('a2')).toBe('team:a')
  })

  it('groupCostGraph() opens one team into its services, the others stay collapsed', () => {
    const g = groupCostGraph({ services, pairs, expanded: new Set(['a']) })
    expect(g.nodes.map((n) => n.id)).toEqual(['a1', 'a2', 'team:b', 'team:(no team)'])
    expect(g.edges.map((e) => [e.id, e.settled])).toEqual([
      ['a1>team:b', 20n],
      ['a2>team:b', 12n],
      ['a1>a2', 10n],
      ['team:b>team:(no team)', 3n],
      ['team:(no team)>a1', 1n],
    ])
  })
})

describe('focusOf()', () => {
  it("focusOf() lights a service's callers' and callees' nodes and the edges between", () => {
    const g = groupCostGraph({ services, pairs, expanded: 'all' })
    const f = focusOf(g, pairs, 'a2')
    expect(f?.node).toBe('a2')
    expect([...(f?.neighbours ?? [])].sort()).toEqual(['a1', 'b1', 'b2'])
    expect([...(f?.edges ?? [])].sort()).toEqual(['a1>a2', 'a2>b1', 'a2>b2'])
  })

  it("focusOf() on a collapsed graph lights only the team edges that carry the service's own pairs", () => {
    const g = groupCostGraph({ services, pairs, expanded: new Set(['b']) })
    // b2 is paid by a2 only: the team:a → b2 edge; b1 → x is not b2's.
    const f = focusOf(g, pairs, 'b2')
    expect(f?.node).toBe('b2')
    expect([...(f?.neighbours ?? [])]).toEqual(['team:a'])
    expect([...(f?.edges ?? [])]).toEqual(['team:a>b2'])
    expect(focusOf(g, pairs, 'nobody')).toBeNull()
  })
})

describe('edgesToDraw()', () => {
  it("edgesToDraw() keeps every node's heaviest edges up to the limit, and a focused service's beyond it", () => {
    const g = groupCostGraph({ services, pairs, expanded: 'all' })
    // Heaviest first: a1>b1 20, a1>a2 10, a2>b2 7, a2>b1 5, b1>x 3, x>a1 1. With 3: a1>b1 (a1 out,
    // b1 in), a1>a2 (a2 in), a2>b2 (a2 out, b2 in); a2>b1 adds nothing new, b1>x would (x in).
    expect(edgesToDraw(g, 3).map((e) => e.id)).toEqual(['a1>b1', 'a1>a2', 'a2>b2'])
    expect(edgesToDraw(g, 4).map((e) => e.id)).toEqual(['a1>b1', 'a1>a2', 'a2>b2', 'b1>x'])
    const focus = focusOf(g, pairs, 'x')
    expect(edgesToDraw(g, 3, focus?.edges).map((e) => e.id)).toEqual([
      'a1>b1',
      'a1>a2',
      'a2>b2',
      'b1>x',
      'x>a1',
    ])
    expect(edgesToDraw(g, 100)).toHaveLength(6)
  })
})

describe('searchServices() and teamsOf()', () => {
  it('searchServices() finds by part of a name, exact and prefix matches first, case-insensitive', () => {
    const many = [
      svc('1', 't', 0n, 0n, 'billing-api'),
      svc('2', 't', 0n, 0n, 'api'),
      svc('3', 't', 0n, 0n, 'api-gw'),
      svc('4', 't', 0n, 0n, 'search'),
    ]
    expect(searchServices(many, 'API').map((s) => s.name)).toEqual(['api', 'api-gw', 'billing-api'])
    expect(searchServices(many, '  ')).toEqual([])
    expect(searchServices(many, 'zzz')).toEqual([])
    expect(searchServices(many, 'a', 2).map((s) => s.name)).toEqual(['api', 'api-gw'])
  })

  it('teamsOf() lists teams largest first, services without one as (no team)', () => {
    expect(teamsOf([...services, svc('b3', 'b', 0n, 0n)])).toEqual(['b', 'a', '(no team)'])
  })
})
