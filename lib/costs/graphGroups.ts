import { skeleton } from './layout'

/**
 * The cost graph as drawn: services grouped by team, a collapsed team standing for its members
 * with their summed flows, pairs between the drawn nodes summed into one edge each; and what a
 * focused service highlights. Pure and client-safe (the page's canvas and the tests use it).
 */

/** A service as the graph draws it (amounts in wei, decimal strings, as the API gives them). */
export type GraphService = {
  id: string
  name: string | null
  team: string | null
  paid: string
  earned: string
  pending: string
}

/** A consumer → provider pair as the graph draws it. */
export type GraphPair = {
  consumer: string
  provider: string
  settled: string
  pending: string
  requests: string
  /** The pair's busiest channel, which its edge opens. */
  channel: string | null
}

/** A drawn node: one service, or a collapsed team standing for its members. */
export type DrawnNode = {
  id: string
  kind: 'service' | 'team'
  team: string | null
  /** The services it stands for (one for a service). */
  members: string[]
  paid: bigint
  earned: bigint
  pending: bigint
  /** Paid between the members themselves (a collapsed team draws no edge to itself). */
  internal: bigint
}

/** A drawn edge: the pairs between two drawn nodes, summed. */
export type DrawnEdge = {
  id: string
  from: string
  to: string
  /** Indexes into the pairs given to {@link groupCostGraph}. */
  pairs: number[]
  settled: bigint
  pending: bigint
  requests: bigint
}

export type GroupedGraph = { nodes: DrawnNode[]; edges: DrawnEdge[]; nodeOf: Map<string, string> }

/** More services than this and teams start collapsed (100 services read well; 1,000 do not). */
export const COLLAPSE_ABOVE = 80

/** The group of a service without a team, so that unlabelled services collapse too. */
export const NO_TEAM = '(no team)'

/** A team node's id (service ids are addresses, so they never clash). */
export const teamNodeId = (team: string) => `team:${team}`

const teamOf = (s: GraphService) => s.team ?? NO_TEAM

/** Every team of the services, largest first (then by name), for the default set of expanded ones. */
export function teamsOf(services: GraphService[]): string[] {
  const size = new Map<string, number>()
  for (const s of services) size.set(teamOf(s), (size.get(teamOf(s)) ?? 0) + 1)
  return [...size.keys()].sort((a, b) => (size.get(b) ?? 0) - (size.get(a) ?? 0) || a.localeCompare(b))
}

/**
 * Groups the services: a team is drawn as one node unless it is in `expanded`; pairs between
 * the drawn nodes are summed into one edge each, a collapsed team's pairs among its own members
 * into its `internal` amount. Deterministic: nodes in the services' order, edges by settled
 * amount, largest first.
 * @example groupCostGraph({ services, pairs, expanded: new Set(['payments']) })
 */
export function groupCostGraph({
  services,
  pairs,
  expanded,
}: {
  services: GraphService[]
  pairs: GraphPair[]
  /** Teams drawn service by service; `'all'` draws every service (no grouping). */
  expanded: ReadonlySet<string> | 'all'
}): GroupedGraph {
  const open = (team: string) => expanded === 'all' || expanded.has(team)
  const nodes = new Map<string, DrawnNode>()
  const nodeOf = new Map<string, string>()
  for (const s of services) {
    const team = teamOf(s)
    const id = open(team) ? s.id : teamNodeId(team)
    nodeOf.set(s.id, id)
    let node = nodes.get(id)
    if (!node) {
      node = {
        id,
        kind: id === s.id ? 'service' : 'team',
        team: s.team ?? (id === s.id ? null : NO_TEAM),
        members: [],
        paid: 0n,
        earned: 0n,
        pending: 0n,
        internal: 0n,
      }
      nodes.set(id, node)
    }
    node.members.push(s.id)
    node.paid += BigInt(s.paid)
    node.earned += BigInt(s.earned)
    node.pending += BigInt(s.pending)
  }
  const edges = new Map<string, DrawnEdge>()
  pairs.forEach((p, i) => {
    const from = nodeOf.get(p.consumer)
    const to = nodeOf.get(p.provider)
    if (from === undefined || to === undefined) return
    if (from === to) {
      const node = nodes.get(from) as DrawnNode
      node.internal += BigInt(p.settled)
      return
    }
    const id = `${from}>${to}`
    let edge = edges.get(id)
    if (!edge) {
      edge = { id, from, to, pairs: [], settled: 0n, pending: 0n, requests: 0n }
      edges.set(id, edge)
    }
    edge.pairs.push(i)
    edge.settled += BigInt(p.settled)
    edge.pending += BigInt(p.pending)
    edge.requests += BigInt(p.requests)
  })
  const sorted = [...edges.values()].sort((a, b) =>
    a.settled === b.settled ? (a.id < b.id ? -1 : 1) : a.settled > b.settled ? -1 : 1,
  )
  return { nodes: [...nodes.values()], edges: sorted, nodeOf }
}

/**
 * More drawn edges than this and the weaker ones are left out: 20 teams with all their 190
 * edges drew a hairball (screenshots of e2e/costsGraph.spec.ts); a phone's screen takes fewer.
 */
export const EDGES_AT_MOST = { wide: 50, narrow: 30 }

/**
 * The edges worth drawing: every node's heaviest edge out and in, then the heaviest others,
 * up to `most` (see {@link skeleton}); plus those in `keep` (a focused service's), whatever
 * their weight. In the graph's order (heaviest first).
 */
export function edgesToDraw(
  graph: GroupedGraph,
  most: number,
  keep: ReadonlySet<string> = new Set(),
): DrawnEdge[] {
  const chosen = skeleton(graph.edges, most)
  return graph.edges.filter((e) => chosen.has(e) || keep.has(e.id))
}

/** What a focused service lights up: its drawn node, its callers' and callees', and the edges between. */
export type Focus = { node: string; neighbours: Set<string>; edges: Set<string> }

/**
 * The focus of service `id` in a grouped graph: the drawn edges that carry one of its pairs
 * (as consumer or provider) and the drawn nodes at their other ends. Null for an unknown service.
 */
export function focusOf(graph: GroupedGraph, pairs: GraphPair[], id: string): Focus | null {
  const node = graph.nodeOf.get(id)
  if (node === undefined) return null
  const neighbours = new Set<string>()
  const edges = new Set<string>()
  for (const e of graph.edges) {
    if (e.from !== node && e.to !== node) continue
    const touches = e.pairs.some((i) => {
      const p = pairs[i] as GraphPair
      return p.consumer === id || p.provider === id
    })
    if (!touches) continue
    edges.add(e.id)
    neighbours.add(e.from === node ? e.to : e.from)
  }
  return { node, neighbours, edges }
}

/** Services whose name (or address) contains `query`, case-insensitively: exact names first, at most `limit`. */
export function searchServices(services: GraphService[], query: string, limit = 8): GraphService[] {
  const q = query.trim().toLowerCase()
  if (q === '') return []
  const label = (s: GraphService) => (s.name ?? s.id).toLowerCase()
  const hits = services.filter((s) => label(s).includes(q) || s.id.toLowerCase() === q)
  const rank = (s: GraphService) => (label(s) === q ? 0 : label(s).startsWith(q) ? 1 : 2)
  return hits.sort((a, b) => rank(a) - rank(b) || label(a).localeCompare(label(b))).slice(0, limit)
}
