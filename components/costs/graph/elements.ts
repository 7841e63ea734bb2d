import { MarkerType, Position } from '@xyflow/react'
import type { ViewUnit } from '@/components/UnitProvider'
import type { DrawnEdge, DrawnNode, Focus, GroupedGraph } from '@/lib/costs/graphGroups'
import type { Layout } from '@/lib/costs/layout'
import { BASIS_TEXT } from '@/lib/costs/tracing'
import { formatNumber, formatWei, shortAddress } from '@/lib/explorer/format'
import { exactWei, formatAmount } from '@/lib/units'
import type { CanvasPair, CanvasService, FocusState, GraphNode, PaidEdge } from './types'

/*
 * From the grouped, laid-out graph to React Flow's nodes and edges. Their text (the tooltips,
 * and the widths kept for the labels) reads in the view's one unit, as every <Amount> on the
 * labels does: 4 significant digits, the exact wei in the tooltip.
 */

/** The view's unit (components/UnitProvider); null outside a view with one. */
export type GraphUnit = Pick<ViewUnit, 'unit' | 'fiat'> | null

/** An amount as <Amount> reads it in the view's unit (formatWei outside a view with one). */
const amountOf = (wei: bigint | string, unit: GraphUnit) =>
  unit ? formatAmount({ wei, unit: unit.unit, fiat: unit.fiat }) : formatWei(wei)

/** Up to this many drawn edges, every edge is labelled (and dagre keeps room for the labels). */
export const LABEL_ALL_UP_TO = 40

const NODE_HEIGHT = 48
const DOT = 44
const CHAR = 6.6

/** The label of a service or team node, as drawn, to size the node before it is measured. */
const nameOf = (n: DrawnNode, byId: Map<string, CanvasService>) => {
  if (n.kind === 'team') return `${n.team} +${n.members.length}`
  const s = byId.get(n.id)
  return s?.name ?? shortAddress(n.id)
}
const subOf = (n: DrawnNode, unit: GraphUnit) =>
  `paid ${amountOf(n.paid, unit)} · earned ${amountOf(n.earned, unit)}${n.internal > 0n ? ` · within ${amountOf(n.internal, unit)}` : ''}`

/**
 * A node's box: wide enough for its name and its line of amounts in the view's `unit` (CSS
 * keeps it to this); on a phone (`compact`) its name only, the amounts being in its page.
 */
export function nodeSize(
  n: DrawnNode,
  byId: Map<string, CanvasService>,
  compact = false,
  unit: GraphUnit = null,
): { width: number; height: number } {
  // 13 px semibold: about 8.4 px a character, plus the box's padding.
  const name = nameOf(n, byId).length * 8.4 + 14
  const text = compact ? name : Math.max(name, subOf(n, unit).length * CHAR)
  return { width: Math.round(Math.min(300, DOT + 10 + text)), height: NODE_HEIGHT }
}

/** The label box of an edge in the view's `unit` (see PaidEdgeView), for dagre to keep free. */
export function labelSize(e: DrawnEdge, unit: GraphUnit = null): { width: number; height: number } {
  const lines = [amountOf(e.settled, unit), `${formatNumber(e.requests)} req · ${e.pairs.length} pairs`]
  if (e.pending > 0n) lines.push(`+${amountOf(e.pending, unit)} pending`)
  return {
    width: Math.round(Math.max(...lines.map((l) => l.length)) * CHAR + 14),
    height: lines.length * 15 + 8,
  }
}

/** sqrt scale of a share of the largest value, into [lo, hi]. */
export function scale(value: bigint, max: bigint, lo: number, hi: number): number {
  if (max <= 0n || value <= 0n) return lo
  return lo + (hi - lo) * Math.sqrt(Number((value * 1_000_000n) / max) / 1_000_000)
}

/** The largest of some bigints (Math.max takes numbers only). */
function maxOf(values: bigint[]): bigint {
  let max = 0n
  for (const v of values) if (v > max) max = v
  return max
}

const stateOf = (id: string, focus: Focus | null): FocusState =>
  focus === null ? 'none' : focus.node === id ? 'focused' : focus.neighbours.has(id) ? 'neighbour' : 'dimmed'

export type ElementsInput = {
  graph: GroupedGraph
  layout: Layout
  byId: Map<string, CanvasService>
  pairs: CanvasPair[]
  focus: Focus | null
  size: 'spend' | 'earnings'
  live: boolean
  labelAll: boolean
  hovered: string | null
  direction: 'LR' | 'TB'
  onExpand: (team: string) => void
  unit: GraphUnit
}

/** React Flow nodes: services and collapsed teams at dagre's places, with their focus state. */
export function flowNodes({
  graph,
  layout,
  byId,
  focus,
  size,
  direction,
  onExpand,
}: ElementsInput): GraphNode[] {
  const weight = (n: DrawnNode) => (size === 'spend' ? n.paid : n.earned)
  const max = maxOf(graph.nodes.map(weight))
  const [targetPosition, sourcePosition] =
    direction === 'LR' ? [Position.Left, Position.Right] : [Position.Top, Position.Bottom]
  return graph.nodes.map((n): GraphNode => {
    const at = layout.nodes.get(n.id) ?? { x: 0, y: 0, width: 200, height: NODE_HEIGHT }
    const state = stateOf(n.id, focus)
    const r = scale(weight(n), max, 7, 20)
    const common = {
      id: n.id,
      position: { x: at.x, y: at.y },
      width: at.width,
      height: at.height,
      targetPosition,
      sourcePosition,
      draggable: false,
      selectable: false,
      className: `cg-rf-${state}`,
    }
    if (n.kind === 'team') {
      return {
        ...common,
        type: 'team',
        data: {
          team: n.team ?? '',
          members: n.members.length,
          paid: n.paid.toString(),
          earned: n.earned.toString(),
          internal: n.internal.toString(),
          r,
          state,
          onExpand,
        },
      }
    }
    return { ...common, type: 'service', data: { service: byId.get(n.id) as CanvasService, r, state } }
  })
}

const priceOf = (p: Pick<CanvasPair, 'priceMin' | 'priceMax'>, unit: GraphUnit) =>
  p.priceMin === p.priceMax
    ? amountOf(p.priceMin, unit)
    : `${amountOf(p.priceMin, unit)}–${amountOf(p.priceMax, unit)}`

/**
 * Where some of a pair's categories trace an origin: what the rest of the pair's spend is in
 * the fully loaded costs (split by request share), when there is a rest.
 */
function untracedLine(pair: CanvasPair, unit: GraphUnit): string | null {
  const traced = (pair.categories ?? []).filter((c) => c.origin)
  if (traced.length === 0) return null
  const rest = BigInt(pair.settled) - traced.reduce((sum, c) => sum + BigInt(c.settled), 0n)
  return rest > 0n ? `the other ${amountOf(rest, unit)}: ${BASIS_TEXT.estimate}` : null
}

/**
 * React Flow edges along dagre's routes, with label, link and focus state; the tooltip in the
 * view's unit with the exact wei (and the rate of a currency).
 */
export function flowEdges(input: ElementsInput): PaidEdge[] {
  const { graph, layout, byId, pairs, focus, live, labelAll, hovered, direction, unit } = input
  const rate =
    unit?.fiat && unit.fiat.currency === unit.unit ? `at ${unit.fiat.rate} ${unit.unit} per ETH` : null
  const max = maxOf(graph.edges.map((e) => e.settled + e.pending))
  const name = (id: string) =>
    id.startsWith('team:') ? id.slice(5) : (byId.get(id)?.name ?? shortAddress(id))
  return graph.edges.flatMap((e): PaidEdge[] => {
    const route = layout.edges.get(e.id)
    if (!route) return []
    const state: FocusState = focus === null ? 'none' : focus.edges.has(e.id) ? 'focused' : 'dimmed'
    const only = e.pairs.length === 1 ? (pairs[e.pairs[0] as number] as CanvasPair) : null
    const title = [
      `${name(e.from)} → ${name(e.to)}${only ? '' : ` (${e.pairs.length} pairs)`}`,
      `settled ${amountOf(e.settled, unit)} (${exactWei(e.settled)}) for ${formatNumber(e.requests)} requests${only ? ` at ${priceOf(only, unit)} each` : ''}`,
      live ? `pending ${amountOf(e.pending, unit)} (${exactWei(e.pending)}) accepted, not redeemed` : null,
      only ? `${only.channels} channel${only.channels === 1 ? '' : 's'}` : null,
      // A pair whose channels have several request categories: each one's settled part.
      ...(only?.categories ?? []).map(
        (c) =>
          `· ${c.name}: ${amountOf(c.settled, unit)} for ${formatNumber(c.requests)} requests at ${priceOf(c, unit)} each${c.origin ? `, made for ${name(c.origin)} and counted as its: ${BASIS_TEXT.exact}` : ''}`,
      ),
      only ? untracedLine(only, unit) : null,
      rate,
    ]
      .filter(Boolean)
      .join('\n')
    return [
      {
        id: e.id,
        source: e.from,
        target: e.to,
        type: 'paid',
        className: `cg-rf-edge-${state}`,
        zIndex: state === 'focused' ? 1 : 0,
        markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14, color: '#3b5bdb' },
        data: {
          points: route.points,
          direction,
          label: route.label,
          showLabel: labelAll || state === 'focused' || hovered === e.id,
          state,
          settled: e.settled.toString(),
          pending: live ? e.pending.toString() : '',
          requests: e.requests.toString(),
          pairs: e.pairs.length,
          href: only?.channel ? `/channels/${only.channel}` : null,
          title,
          width: scale(e.settled + e.pending, max, 1.5, 8),
        },
      },
    ]
  })
}
