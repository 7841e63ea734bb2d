'use client'
import '@xyflow/react/dist/style.css'
import '@/app/costsGraph.css'
import {
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useEdgesState,
  useNodesState,
  useReactFlow,
} from '@xyflow/react'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useViewUnit } from '@/components/UnitProvider'
import {
  COLLAPSE_ABOVE,
  EDGES_AT_MOST,
  edgesToDraw,
  focusOf,
  groupCostGraph,
  NO_TEAM,
} from '@/lib/costs/graphGroups'
import { layoutCostGraph } from '@/lib/costs/layout'
import {
  type ElementsInput,
  flowEdges,
  flowNodes,
  type GraphUnit,
  LABEL_ALL_UP_TO,
  labelSize,
  nodeSize,
} from './elements'
import { GraphSearch } from './GraphSearch'
import { PaidEdgeView } from './PaidEdgeView'
import { ServiceNodeView } from './ServiceNodeView'
import { TeamNodeView } from './TeamNodeView'
import type { CanvasPair, CanvasService, GraphNode, PaidEdge } from './types'
import { useNarrow } from './useNarrow'

const nodeTypes = { service: ServiceNodeView, team: TeamNodeView }
const edgeTypes = { paid: PaidEdgeView }

/** How the whole graph is fitted into view, first and by the fit button alike. */
const FIT = { padding: 0.08, maxZoom: 1 }

/** Past this many drawn nodes only those in view are rendered (React Flow's virtualisation). */
const VIRTUALISE_ABOVE = 150

export type CostGraphCanvasProps = {
  services: CanvasService[]
  pairs: CanvasPair[]
  size: 'spend' | 'earnings'
  /** The window ends now, so pending amounts exist. */
  live: boolean
}

/**
 * The cost graph on a React Flow canvas: pan, zoom and fit; services grouped by team (teams
 * start collapsed past {@link COLLAPSE_ABOVE} services); a search that focuses a service, its
 * callers and callees highlighted and the rest dimmed, kept in the URL as `?focus=<service>`;
 * layers left to right, or top to bottom on a phone.
 */
export function CostGraphCanvas(props: CostGraphCanvasProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  )
}

const teamOf = (s: CanvasService) => s.team ?? NO_TEAM

/**
 * On a phone the canvas is as tall as the graph needs at the screen's width (a wide, short
 * layout in a 70vh box left most of the screen empty), between 320 px and 75vh.
 */
function phoneHeight(layout: { width: number; height: number }) {
  const ratio = layout.height / Math.max(1, layout.width)
  return { height: `clamp(320px, calc(${ratio.toFixed(3)} * 100vw + 40px), 75vh)` }
}

function Canvas({ services, pairs, size, live }: CostGraphCanvasProps) {
  const narrow = useNarrow()
  const flow = useReactFlow()
  // The view's unit: a new pick redraws the tooltips and the room kept for the labels.
  const view = useViewUnit()
  const unitKey = view ? `${view.unit} ${view.fiat?.currency ?? ''} ${view.fiat?.rate ?? ''}` : ''
  // biome-ignore lint/correctness/useExhaustiveDependencies: the same unit (unitKey) keeps its object
  const unit: GraphUnit = useMemo(() => (view ? { unit: view.unit, fiat: view.fiat } : null), [unitKey])
  const byId = useMemo(() => new Map(services.map((s) => [s.id, s])), [services])
  const grouping = services.length > COLLAPSE_ABOVE
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set())
  const [focusId, setFocusId] = useState<string | null>(null)
  const [hovered, setHovered] = useState<string | null>(null)

  const expand = useCallback((team: string) => setExpanded((prev) => new Set([...prev, team])), [])
  const collapse = useCallback(
    (team: string) => setExpanded((prev) => new Set([...prev].filter((t) => t !== team))),
    [],
  )
  const focus = useCallback(
    (service: CanvasService | null) => {
      setFocusId(service?.id ?? null)
      if (service) expand(teamOf(service))
      // In the URL, so a focused graph can be shared; replaceState: no history entry, no reload.
      const url = new URL(window.location.href)
      if (service) url.searchParams.set('focus', service.name ?? service.id)
      else url.searchParams.delete('focus')
      window.history.replaceState(window.history.state, '', url)
    },
    [expand],
  )
  // ?focus=<name or address> when the page opens. After a client-side navigation (a unit
  // picked: its link was built without ?focus=) the focus stays, and goes back into the URL.
  const focusedId = useRef(focusId)
  focusedId.current = focusId
  useEffect(() => {
    const wanted = new URLSearchParams(window.location.search).get('focus')?.toLowerCase()
    const service = wanted
      ? services.find((s) => s.name?.toLowerCase() === wanted || s.id === wanted)
      : services.find((s) => s.id === focusedId.current)
    if (service) focus(service)
  }, [services, focus])

  const graph = useMemo(
    () => groupCostGraph({ services, pairs, expanded: grouping ? expanded : 'all' }),
    [services, pairs, grouping, expanded],
  )
  const focused = useMemo(() => (focusId ? focusOf(graph, pairs, focusId) : null), [graph, pairs, focusId])
  // The weakest edges are left out past EDGES_AT_MOST; a focused service's are always drawn.
  const shownEdges = edgesToDraw(graph, narrow ? EDGES_AT_MOST.narrow : EDGES_AT_MOST.wide, focused?.edges)
  const shownKey = shownEdges.map((e) => e.id).join(' ')
  // biome-ignore lint/correctness/useExhaustiveDependencies: the same edges (shownKey) keep their layout
  const drawn = useMemo(() => ({ ...graph, edges: shownEdges }), [graph, shownKey])
  const labelAll = drawn.edges.length <= LABEL_ALL_UP_TO
  const direction: 'LR' | 'TB' = narrow ? 'TB' : 'LR'
  const layout = useMemo(() => {
    if (narrow === null) return null
    return layoutCostGraph({
      nodes: drawn.nodes.map((n) => ({ id: n.id, ...nodeSize(n, byId, narrow, unit) })),
      edges: drawn.edges.map((e) => ({
        id: e.id,
        from: e.from,
        to: e.to,
        label: labelAll ? labelSize(e, unit) : undefined,
      })),
      direction,
    })
  }, [drawn, byId, labelAll, direction, narrow, unit])

  const input: ElementsInput | null = layout && {
    graph: drawn,
    layout,
    byId,
    pairs,
    focus: focused,
    size,
    live,
    labelAll,
    hovered,
    direction,
    onExpand: expand,
    unit,
  }
  // biome-ignore lint/correctness/useExhaustiveDependencies: input is rebuilt from these each render
  const built = useMemo(() => (input ? flowNodes(input) : []), [layout, focused, size])
  // biome-ignore lint/correctness/useExhaustiveDependencies: input is rebuilt from these each render
  const builtEdges = useMemo(() => (input ? flowEdges(input) : []), [layout, focused, hovered, live, unit])
  // Through React Flow's own state, so the sizes it measures stay with the nodes.
  const [nodes, setNodes, onNodesChange] = useNodesState<GraphNode>([])
  const [edges, setEdges] = useEdgesState<PaidEdge>([])
  useEffect(() => setNodes(built), [built, setNodes])
  useEffect(() => setEdges(builtEdges), [builtEdges, setEdges])

  // Bring the focused service and its neighbours into view once they are drawn; after a team
  // opens or closes (every place moves), the whole graph.
  useEffect(() => {
    if (!layout) return
    const ids = focused ? [focused.node, ...focused.neighbours] : null
    const frame = requestAnimationFrame(() => {
      void flow.fitView(
        ids
          ? { nodes: ids.map((id) => ({ id })), duration: 250, maxZoom: 1.2, padding: 0.2 }
          : { ...FIT, duration: 250 },
      )
    })
    return () => cancelAnimationFrame(frame)
  }, [focused, layout, flow])

  const teams = new Set(services.map(teamOf)).size
  const open = grouping ? [...expanded].sort() : []
  return (
    <div
      className="cg"
      data-testid="cost-graph"
      data-direction={direction}
      data-ready={layout && nodes.length > 0 ? 'true' : 'false'}
    >
      <div className="cg-toolbar">
        <GraphSearch
          services={services}
          focused={focusId ? (byId.get(focusId) ?? null) : null}
          onFocus={focus}
        />
        <span className="muted small" data-testid="graph-summary">
          {services.length} services in {teams} teams · {graph.nodes.length} nodes, {drawn.edges.length}
          {drawn.edges.length < graph.edges.length
            ? ` of ${graph.edges.length} edges drawn (the weakest left out; a focused service shows all of its)`
            : ' edges'}
          {grouping && ' · a team opens into its services'}
        </span>
        {open.length > 0 && (
          <span className="cg-open-teams">
            {open.map((team) => (
              <button
                key={team}
                type="button"
                className="cg-chip"
                data-testid="team-collapse"
                data-team={team}
                aria-expanded={true}
                onClick={() => collapse(team)}
                title={`Draw ${team} as one node again`}
              >
                {team} ×
              </button>
            ))}
            {open.length > 1 && (
              <button type="button" className="cg-chip" onClick={() => setExpanded(new Set())}>
                collapse all
              </button>
            )}
          </span>
        )}
      </div>
      <div
        className="cg-canvas"
        data-testid="graph-canvas"
        style={narrow && layout ? phoneHeight(layout) : undefined}
      >
        {layout === null ? (
          <p className="muted cg-drawing">Drawing the graph…</p>
        ) : (
          <ReactFlow
            nodes={nodes}
            edges={edges}
            onNodesChange={onNodesChange}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            fitView
            fitViewOptions={FIT}
            minZoom={0.05}
            maxZoom={2.5}
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable={false}
            edgesFocusable={false}
            // The page scrolls past the graph; zoom with the controls, a pinch or ctrl + wheel.
            zoomOnScroll={false}
            preventScrolling={false}
            onlyRenderVisibleElements={nodes.length > VIRTUALISE_ABOVE}
            onEdgeMouseEnter={(_, e) => setHovered(e.id)}
            onEdgeMouseLeave={() => setHovered(null)}
          >
            <Controls showInteractive={false} position="top-right" fitViewOptions={FIT} />
            {!narrow && nodes.length > 12 && (
              <MiniMap pannable zoomable position="bottom-right" nodeClassName={(n) => n.className ?? ''} />
            )}
          </ReactFlow>
        )}
      </div>
    </div>
  )
}
