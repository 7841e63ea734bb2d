import { describe, expect, it } from 'vitest'
import { layoutCostGraph, midpoint, routePath, skeleton } from './layout'

const box = { width: 100, height: 40 }
const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

describe('layoutCostGraph()', () => {
  // a pays b and c, b and c pay d, d pays a back (a cycle), e stands alone.
  const nodes = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, ...box }))
  const edges = [
    { id: 'a>b', from: 'a', to: 'b', label: { width: 80, height: 30 } },
    { id: 'a>c', from: 'a', to: 'c', label: { width: 80, height: 30 } },
    { id: 'b>d', from: 'b', to: 'd', label: { width: 80, height: 30 } },
    { id: 'c>d', from: 'c', to: 'd', label: { width: 80, height: 30 } },
    { id: 'd>a', from: 'd', to: 'a', label: { width: 80, height: 30 } },
  ]

  it('layoutCostGraph() puts payers a layer before the services they pay, left to right', () => {
    const l = layoutCostGraph({ nodes, edges, direction: 'LR' })
    const x = (id: string) => l.nodes.get(id)?.x as number
    expect(x('a')).toBeLessThan(x('b'))
    expect(x('b')).toBe(x('c'))
    expect(x('b')).toBeLessThan(x('d'))
    expect(l.nodes.get('a')).toMatchObject({ width: 100, height: 40 })
    expect(l.edges.size).toBe(5)
    // Every route starts at its source's border and ends at its target's.
    const ab = l.edges.get('a>b')?.points ?? []
    const onBorder = (p: { x: number; y: number } | undefined, id: string) => {
      const n = l.nodes.get(id) as { x: number; y: number }
      const near = (u: number, v: number) => Math.abs(u - v) < 0.01
      const inX = (p?.x ?? -1) >= n.x - 0.01 && (p?.x ?? -1) <= n.x + 100.01
      const inY = (p?.y ?? -1) >= n.y - 0.01 && (p?.y ?? -1) <= n.y + 40.01
      return (
        (inY && (near(p?.x ?? -1, n.x) || near(p?.x ?? -1, n.x + 100))) ||
        (inX && (near(p?.y ?? -1, n.y) || near(p?.y ?? -1, n.y + 40)))
      )
    }
    expect(onBorder(ab[0], 'a')).toBe(true)
    expect(onBorder(ab[ab.length - 1], 'b')).toBe(true)
  })

  it('layoutCostGraph() runs top to bottom for a phone', () => {
    const l = layoutCostGraph({ nodes, edges, direction: 'TB' })
    const y = (id: string) => l.nodes.get(id)?.y as number
    expect(y('a')).toBeLessThan(y('b'))
    expect(y('b')).toBe(y('c'))
    expect(y('b')).toBeLessThan(y('d'))
  })

  it('layoutCostGraph() gives every sized label a box that no node and no other label overlaps', () => {
    const l = layoutCostGraph({ nodes, edges, direction: 'LR' })
    const labels = edges.map((e) => {
      const c = l.edges.get(e.id)?.label as { x: number; y: number }
      return { x: c.x - 40, y: c.y - 15, width: 80, height: 30 }
    })
    for (const [i, label] of labels.entries()) {
      for (const n of l.nodes.values()) expect(overlaps(label, n), `${edges[i]?.id} on ${n.id}`).toBe(false)
      for (const [j, other] of labels.entries()) if (j !== i) expect(overlaps(label, other)).toBe(false)
    }
  })

  it('layoutCostGraph() routes at most routeAtMost edges and draws the rest border to border', () => {
    const l = layoutCostGraph({ nodes, edges, direction: 'LR', routeAtMost: 2 })
    const routed = [...l.edges.values()].filter((e) => e.routed).map((e) => e.id)
    expect(routed).toEqual(['a>b', 'a>c'])
    const cd = l.edges.get('c>d')
    const c = l.nodes.get('c') as { x: number; y: number }
    const d = l.nodes.get('d') as { x: number; y: number }
    expect(cd?.points).toEqual([
      { x: c.x + 100, y: c.y + 20 },
      { x: d.x, y: d.y + 20 },
    ])
  })

  it('layoutCostGraph() leaves out self-edges and edges to unknown nodes', () => {
    const l = layoutCostGraph({
      nodes: [{ id: 'a', ...box }],
      edges: [
        { id: 'a>a', from: 'a', to: 'a' },
        { id: 'a>z', from: 'a', to: 'z' },
      ],
      direction: 'LR',
    })
    expect(l.edges.size).toBe(0)
    expect(l.nodes.size).toBe(1)
  })
})

describe('skeleton(), midpoint() and routePath()', () => {
  it("skeleton() takes every node's first edge out and in before the rest, up to the limit", () => {
    const e = (from: string, to: string) => ({ from, to })
    const edges = [e('a', 'b'), e('a', 'c'), e('b', 'c'), e('d', 'c'), e('a', 'd')]
    // a>b; a>c (c has none in yet); b>c (b none out); d>c (d none out); then a>d fills.
    expect([...skeleton(edges, 4)]).toEqual([edges[0], edges[1], edges[2], edges[3]])
    expect([...skeleton(edges, 10)].length).toBe(5)
    // First edges of each node beat heavier edges between nodes already covered.
    expect([...skeleton([e('a', 'b'), e('a', 'b2'), e('a', 'b'), e('c', 'd')], 3)]).toEqual([
      e('a', 'b'),
      e('a', 'b2'),
      e('c', 'd'),
    ])
  })

  it('midpoint() is halfway along the polyline by length', () => {
    expect(
      midpoint([
        { x: 0, y: 0 },
        { x: 10, y: 0 },
        { x: 10, y: 30 },
      ]),
    ).toEqual({ x: 10, y: 10 })
    expect(midpoint([])).toEqual({ x: 0, y: 0 })
  })

  it('routePath() rounds bends and curves a border-to-border route along the layers', () => {
    expect(
      routePath(
        [
          { x: 0, y: 0 },
          { x: 10, y: 0 },
          { x: 10, y: 10 },
        ],
        'LR',
      ),
    ).toBe('M 0 0 Q 10 0 10 10')
    expect(
      routePath(
        [
          { x: 0, y: 0 },
          { x: 200, y: 50 },
        ],
        'LR',
      ),
    ).toBe('M 0 0 C 100 0, 100 50, 200 50')
    expect(
      routePath(
        [
          { x: 0, y: 0 },
          { x: 0, y: 60 },
        ],
        'TB',
      ),
    ).toBe('M 0 0 C 0 40, 0 20, 0 60')
  })
})
