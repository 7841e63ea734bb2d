import { byBigIntDesc } from './order'

/**
 * A layered left-to-right layout of the cost graph: services that only pay on the left, their
 * providers to the right, each service one column right of its furthest caller (cycles are cut
 * where a depth-first walk meets them). Within a column, services sit near their callers'
 * average height, which keeps crossings few. Deterministic, pure, no DOM: the server draws it.
 */

export type LayoutInput = {
  nodes: Array<{ id: string; weight: bigint }>
  /** `label`: the size of the edge's label box, placed where it overlaps nothing if it can. */
  edges: Array<{ from: string; to: string; weight: bigint; label?: { width: number; height: number } }>
}

export type PlacedNode = { id: string; x: number; y: number; r: number; layer: number }
export type PlacedEdge = {
  from: string
  to: string
  path: string
  labelX: number
  labelY: number
  width: number
}
export type Layout = { width: number; height: number; nodes: PlacedNode[]; edges: PlacedEdge[] }

/** The width the graph is drawn for; columns spread to fill it, but never closer than COLUMN_MIN. */
const TARGET_WIDTH = 1240
const COLUMN_MIN = 260
const ROW = 120
const MARGIN = 70
const R_MIN = 16
const R_MAX = 40
const W_MIN = 1.5
const W_MAX = 9

/** sqrt scale of a bigint share of the largest value, into [lo, hi]. */
function scale(value: bigint, max: bigint, lo: number, hi: number): number {
  if (max <= 0n || value <= 0n) return lo
  const ratio = Number((value * 1_000_000n) / max) / 1_000_000
  return lo + (hi - lo) * Math.sqrt(ratio)
}

function layers(input: LayoutInput): Map<string, number> {
  const out = new Map<string, string[]>()
  for (const e of input.edges) {
    if (e.from === e.to) continue
    out.set(e.from, [...(out.get(e.from) ?? []), e.to])
  }
  // Depth-first from every node (heaviest first) marks back edges, which are then ignored.
  const state = new Map<string, 'open' | 'done'>()
  const forward = new Map<string, string[]>()
  const order = [...input.nodes].sort(byBigIntDesc((n) => n.weight))
  for (const { id: root } of order) {
    if (state.has(root)) continue
    const stack: Array<{ id: string; i: number }> = [{ id: root, i: 0 }]
    state.set(root, 'open')
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; i: number }
      const next = out.get(top.id)?.[top.i++]
      if (next === undefined) {
        state.set(top.id, 'done')
        stack.pop()
        continue
      }
      if (state.get(next) === 'open') continue // back edge: part of a cycle
      forward.set(top.id, [...(forward.get(top.id) ?? []), next])
      if (!state.has(next)) {
        state.set(next, 'open')
        stack.push({ id: next, i: 0 })
      }
    }
  }
  // Longest path from the sources over forward edges (Kahn's order).
  const indegree = new Map(input.nodes.map((n) => [n.id, 0]))
  for (const targets of forward.values()) for (const t of targets) indegree.set(t, (indegree.get(t) ?? 0) + 1)
  const layer = new Map(input.nodes.map((n) => [n.id, 0]))
  const queue = input.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id)
  while (queue.length > 0) {
    const id = queue.shift() as string
    for (const t of forward.get(id) ?? []) {
      layer.set(t, Math.max(layer.get(t) ?? 0, (layer.get(id) ?? 0) + 1))
      indegree.set(t, (indegree.get(t) ?? 0) - 1)
      if (indegree.get(t) === 0) queue.push(t)
    }
  }
  return layer
}

export function layoutCostGraph(input: LayoutInput): Layout {
  const layerOf = layers(input)
  const columns: string[][] = []
  for (const n of input.nodes) {
    const l = layerOf.get(n.id) ?? 0
    const column = columns[l] ?? []
    column.push(n.id)
    columns[l] = column
  }
  // Order each column by the average row of its callers in the previous columns.
  const row = new Map<string, number>()
  columns.forEach((column, l) => {
    const key = (id: string) => {
      const callers = input.edges.filter((e) => e.to === id && (layerOf.get(e.from) ?? 0) < l)
      const rows = callers.map((e) => row.get(e.from)).filter((r): r is number => r !== undefined)
      return rows.length === 0 ? Number.POSITIVE_INFINITY : rows.reduce((a, b) => a + b, 0) / rows.length
    }
    const keyed = column.map((id, i) => ({ id, k: key(id), i }))
    keyed.sort((a, b) => (a.k === b.k ? a.i - b.i : a.k - b.k))
    keyed.forEach(({ id }, i) => {
      row.set(id, i)
    })
    columns[l] = keyed.map((k) => k.id)
  })
  const tallest = Math.max(1, ...columns.map((c) => c.length))
  const COLUMN =
    columns.length <= 1
      ? COLUMN_MIN
      : Math.max(COLUMN_MIN, (TARGET_WIDTH - MARGIN * 2 - 140) / (columns.length - 1))
  const height = MARGIN * 2 + (tallest - 1) * ROW
  const width = MARGIN * 2 + Math.max(0, columns.length - 1) * COLUMN + 140
  const maxOf = (values: bigint[]) => {
    let max = 0n
    for (const v of values) if (v > max) max = v
    return max
  }
  const maxNode = maxOf(input.nodes.map((n) => n.weight))
  const maxEdge = maxOf(input.edges.map((e) => e.weight))
  const weightOf = new Map(input.nodes.map((n) => [n.id, n.weight]))
  const placed = new Map<string, PlacedNode>()
  columns.forEach((column, l) => {
    const offset = ((tallest - column.length) * ROW) / 2
    column.forEach((id, i) => {
      placed.set(id, {
        id,
        layer: l,
        x: MARGIN + 40 + l * COLUMN,
        y: MARGIN + offset + i * ROW,
        r: scale(weightOf.get(id) ?? 0n, maxNode, R_MIN, R_MAX),
      })
    })
  })
  const edges: PlacedEdge[] = []
  const curves: number[][] = []
  const labelled: LayoutInput['edges'] = []
  for (const e of input.edges) {
    const a = placed.get(e.from)
    const b = placed.get(e.to)
    if (!a || !b) continue
    const width = scale(e.weight, maxEdge, W_MIN, W_MAX)
    labelled.push(e)
    if (b.layer > a.layer) {
      const x1 = a.x + a.r
      const x2 = b.x - b.r - 6
      const mx = (x1 + x2) / 2
      curves.push([x1, a.y, mx, a.y, mx, b.y, x2, b.y])
      edges.push({
        from: e.from,
        to: e.to,
        width,
        path: `M ${x1} ${a.y} C ${mx} ${a.y}, ${mx} ${b.y}, ${x2} ${b.y}`,
        labelX: 0,
        labelY: 0,
      })
    } else {
      // Backwards or within a column: an arc below both services.
      const x1 = a.x
      const y1 = a.y + a.r
      const x2 = b.x
      const y2 = b.y + b.r + 6
      const dip = Math.max(a.y, b.y) + 70
      curves.push([x1, y1, x1, dip, x2, dip, x2, y2])
      edges.push({
        from: e.from,
        to: e.to,
        width,
        path: `M ${x1} ${y1} C ${x1} ${dip}, ${x2} ${dip}, ${x2} ${y2}`,
        labelX: 0,
        labelY: 0,
      })
    }
  }
  placeLabels(edges, curves, labelled, [...placed.values()])
  return { width, height: height + 60, nodes: [...placed.values()], edges }
}

type Box = { x1: number; y1: number; x2: number; y2: number }
const overlap = (a: Box, b: Box) =>
  Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)) *
  Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1))

/** A point of a cubic Bézier curve [x0 y0 x1 y1 x2 y2 x3 y3] at t. */
function pointOn(c: number[], t: number): [number, number] {
  const at = (i: number) =>
    (1 - t) ** 3 * (c[i] as number) +
    3 * (1 - t) ** 2 * t * (c[i + 2] as number) +
    3 * (1 - t) * t ** 2 * (c[i + 4] as number) +
    t ** 3 * (c[i + 6] as number)
  return [at(0), at(1)]
}

/**
 * Puts each edge's label on its curve where it overlaps the fewest already placed labels and
 * services: heaviest edges first, trying points from the middle outwards.
 */
function placeLabels(
  edges: PlacedEdge[],
  curves: number[][],
  input: LayoutInput['edges'],
  nodes: PlacedNode[],
) {
  const taken: Box[] = nodes.map((n) => ({ x1: n.x - n.r, y1: n.y - n.r, x2: n.x + n.r, y2: n.y + n.r + 34 }))
  const order = edges.map((_, i) => i).sort(byBigIntDesc((i) => input[i]?.weight ?? 0n))
  const ts = [0.5, 0.38, 0.62, 0.28, 0.72, 0.44, 0.56, 0.2, 0.8]
  for (const i of order) {
    const edge = edges[i] as PlacedEdge
    const curve = curves[i] as number[]
    const size = input[i]?.label ?? { width: 120, height: 30 }
    let best: { x: number; y: number; cost: number } | null = null
    // On the curve first, then just above or below it.
    search: for (const dy of [0, -size.height + 8, size.height - 4]) {
      for (const t of ts) {
        const [x, yOnCurve] = pointOn(curve, t)
        const y = yOnCurve + dy
        // The label's first line sits just above the point.
        const box = { x1: x - size.width / 2, y1: y - 20, x2: x + size.width / 2, y2: y - 20 + size.height }
        const cost = taken.reduce((sum, b) => sum + overlap(box, b), 0)
        if (!best || cost < best.cost) best = { x, y, cost }
        if (cost === 0) break search
      }
    }
    const chosen = best as { x: number; y: number }
    edge.labelX = chosen.x
    edge.labelY = chosen.y - 8
    taken.push({
      x1: chosen.x - size.width / 2,
      y1: chosen.y - 20,
      x2: chosen.x + size.width / 2,
      y2: chosen.y - 20 + size.height,
    })
  }
}
