import type { Edge, Node } from '@xyflow/react'
import type { GraphPair, GraphService } from '@/lib/costs/graphGroups'
import type { Point } from '@/lib/costs/layout'

/** A service as the canvas gets it from the page: the grouping's fields and the page it opens. */
export type CanvasService = GraphService & { href: string }

/** A pair as the canvas gets it: the grouping's fields and its price range for the tooltip. */
export type CanvasPair = GraphPair & {
  priceMin: string
  priceMax: string
  channels: number
  /** Where a channel of the pair has several request categories: those channels' figures by category name. */
  categories?: CanvasCategory[]
}

/** A pair's request category as the tooltip reads it. */
export type CanvasCategory = {
  name: string
  /** The consumer its requests were made for (exact transitive tracing), when it traces one. */
  origin?: string
  settled: string
  requests: string
  priceMin: string
  priceMax: string
}

/** How a node or edge stands to the focused service. */
export type FocusState = 'focused' | 'neighbour' | 'dimmed' | 'none'

export type ServiceNodeData = {
  service: CanvasService
  /** Radius of the circle, by the share of the largest spend (or earnings). */
  r: number
  state: FocusState
}
export type TeamNodeData = {
  team: string
  members: number
  paid: string
  earned: string
  internal: string
  r: number
  state: FocusState
  onExpand: (team: string) => void
}

export type ServiceNode = Node<ServiceNodeData, 'service'>
export type TeamNode = Node<TeamNodeData, 'team'>
export type GraphNode = ServiceNode | TeamNode

export type PaidEdgeData = {
  points: Point[]
  direction: 'LR' | 'TB'
  label: Point
  showLabel: boolean
  state: FocusState
  settled: string
  /** Empty when the window does not end now (no pending amounts). */
  pending: string
  requests: string
  /** Pairs summed into this edge (1 between two services). */
  pairs: number
  href: string | null
  title: string
  width: number
}
export type PaidEdge = Edge<PaidEdgeData, 'paid'>
