import dagre from '@dagrejs/dagre'

/**
 * A layered layout of the cost graph by dagre (the Sugiyama-style layout Graphviz's dot made
 * standard, as kept by the dagre project): payers before the services they pay, left to right
 * on a wide screen and top to bottom on a phone, crossings reduced, cycles broken by dagre.
 * Edge labels, when sized, get a place of their own in the layering, so no node and no other
 * edge sits on them. Pure, no DOM: runs in the browser or in a test.
 */

export type LayoutInput = {
  nodes: Array<{ id: string; width: number; height: number }>
  /** `label`: the size of the edge's label box; without it the edge gets no place for a label. */
  edges: Array<{ id: string; from: string; to: string; label?: { width: number; height: number } }>
  /** `LR`: layers left to right (desktop); `TB`: top to bottom (a phone's narrow screen). */
  direction: 'LR' | 'TB'
  /**
   * Edges routed by dagre at most (default {@link ROUTED_EDGES}), in the order given (most
   * important first, but every node's first edge in and out before the rest); the others are
   * drawn as curves from border to border. Dagre's time grows with edges × layers they span:
   * 100 teams with 2,900 edges between them take a minute, with 120 edges 0.2-0.5 s (on a loaded 2-core machine).
   */
  routeAtMost?: number
}

export type Point = { x: number; y: number }
/** A placed node: its top-left corner (as React Flow positions nodes) and size. */
export type PlacedNode = { id: string; x: number; y: number; width: number; height: number }
/** A placed edge: its route from the source's border to the target's, and its label's centre. */
export type PlacedEdge = { id: string; points: Point[]; label: Point; routed: boolean }
export type Layout = {
  width: number
  height: number
  nodes: Map<string, PlacedNode>
  edges: Map<string, PlacedEdge>
}

/** Space between layers and between nodes of a layer, in px. */
const RANK_SEP = { LR: 90, TB: 70 }
const NODE_SEP = { LR: 24, TB: 28 }
/** See {@link LayoutInput.routeAtMost}. */
export const ROUTED_EDGES = 120

/** The edges dagre routes: every node's first edge out and in, then the rest in order, up to `most`. */
export function skeleton<E extends { from: string; to: string }>(edges: E[], most: number): Set<E> {
  const chosen = new Set<E>()
  const out = new Set<string>()
  const into = new Set<string>()
  for (const e of edges) {
    if (chosen.size >= most) break
    if (out.has(e.from) && into.has(e.to)) continue
    chosen.add(e)
    out.add(e.from)
    into.add(e.to)
  }
  for (const e of edges) {
    if (chosen.size >= most) break
    chosen.add(e)
  }
  return chosen
}

/**
 * Lays the graph out. Edges whose ends are not among the nodes are left out; self-edges too
 * (a collapsed team's own payments are part of its node).
 * @example layoutCostGraph({ nodes: [{ id: 'a', width: 120, height: 40 }], edges: [], direction: 'LR' })
 */
export function layoutCostGraph({
  nodes,
  edges,
  direction,
  routeAtMost = ROUTED_EDGES,
}: LayoutInput): Layout {
  const g = new dagre.graphlib.Graph({ multigraph: false })
  g.setGraph({
    rankdir: direction,
    // tight-tree: half network-simplex's time here, with layers as readable.
    ranker: 'tight-tree',
    ranksep: RANK_SEP[direction],
    nodesep: NODE_SEP[direction],
    edgesep: 12,
    marginx: 16,
    marginy: 16,
  })
  g.setDefaultEdgeLabel(() => ({}))
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height })
  const drawn = edges.filter((e) => e.from !== e.to && g.hasNode(e.from) && g.hasNode(e.to))
  const routed = skeleton(drawn, routeAtMost)
  for (const e of routed) {
    g.setEdge(e.from, e.to, {
      width: e.label?.width ?? 0,
      height: e.label?.height ?? 0,
      labelpos: 'c',
      id: e.id,
    })
  }
  dagre.layout(g)
  const placed = new Map<string, PlacedNode>()
  for (const n of nodes) {
    const at = g.node(n.id)
    placed.set(n.id, {
      id: n.id,
      x: (at.x ?? 0) - n.width / 2,
      y: (at.y ?? 0) - n.height / 2,
      width: n.width,
      height: n.height,
    })
  }
  const routes = new Map<string, PlacedEdge>()
  for (const e of drawn) {
    if (!routed.has(e)) {
      const points = borderToBorder(
        placed.get(e.from) as PlacedNode,
        placed.get(e.to) as PlacedNode,
        direction,
      )
      routes.set(e.id, { id: e.id, points, label: midpoint(points), routed: false })
      continue
    }
    const at = g.edge(e.from, e.to)
    const points = at.points ?? []
    const label = at.x !== undefined && at.y !== undefined ? { x: at.x, y: at.y } : midpoint(points)
    routes.set(e.id, { id: e.id, points, label, routed: true })
  }
  const size = g.graph()
  return { width: size.width ?? 0, height: size.height ?? 0, nodes: placed, edges: routes }
}

/** From the side of `a` facing the next layer to the side of `b` facing the previous one. */
function borderToBorder(a: PlacedNode, b: PlacedNode, direction: 'LR' | 'TB'): Point[] {
  return direction === 'LR'
    ? [
        { x: a.x + a.width, y: a.y + a.height / 2 },
        { x: b.x, y: b.y + b.height / 2 },
      ]
    : [
        { x: a.x + a.width / 2, y: a.y + a.height },
        { x: b.x + b.width / 2, y: b.y },
      ]
}

/** The point halfway along a polyline (by length). */
export function midpoint(points: Point[]): Point {
  if (points.length === 0) return { x: 0, y: 0 }
  const lengths = points
    .slice(1)
    .map((p, i) => Math.hypot(p.x - (points[i] as Point).x, p.y - (points[i] as Point).y))
  let half = lengths.reduce((a, b) => a + b, 0) / 2
  for (let i = 0; i < lengths.length; i++) {
    const length = lengths[i] as number
    const a = points[i] as Point
    const b = points[i + 1] as Point
    if (half <= length && length > 0)
      return { x: a.x + ((b.x - a.x) * half) / length, y: a.y + ((b.y - a.y) * half) / length }
    half -= length
  }
  return points[points.length - 1] as Point
}

/**
 * An SVG path through a route's points, rounded at its bends (each bend a quadratic curve
 * through the midpoints of its segments), so parallel routes read as separate lines; a route
 * of two points (not routed by dagre) as a curve along the layers' direction.
 */
export function routePath(points: Point[], direction: 'LR' | 'TB'): string {
  if (points.length === 0) return ''
  const [first, ...rest] = points as [Point, ...Point[]]
  if (rest.length === 1) {
    // Border to border: a cubic curve leaving and entering along the layers' direction.
    const last = rest[0] as Point
    const bend = Math.max(
      40,
      (direction === 'LR' ? Math.abs(last.x - first.x) : Math.abs(last.y - first.y)) / 2,
    )
    const [c1, c2] =
      direction === 'LR'
        ? [`${first.x + bend} ${first.y}`, `${last.x - bend} ${last.y}`]
        : [`${first.x} ${first.y + bend}`, `${last.x} ${last.y - bend}`]
    return `M ${first.x} ${first.y} C ${c1}, ${c2}, ${last.x} ${last.y}`
  }
  let d = `M ${first.x} ${first.y}`
  for (let i = 0; i < rest.length - 1; i++) {
    const bend = rest[i] as Point
    const next = rest[i + 1] as Point
    const end = i === rest.length - 2 ? next : { x: (bend.x + next.x) / 2, y: (bend.y + next.y) / 2 }
    d += ` Q ${bend.x} ${bend.y} ${end.x} ${end.y}`
  }
  return d
}
