import { add, type Fraction, floor, frac, isZero, mul, ONE, sub, ZERO } from './fraction'
import { byBigIntDesc } from './order'

/**
 * Fully loaded cost: what a service pays itself plus its share of what the services it calls
 * pay downstream (the thesis's transitive dependency problem, section 3.4).
 *
 * A service X that S calls spends own(X) on its own providers. S is charged the part of it that
 * S's requests caused, estimated by requests: S's share of X's incoming requests. That share
 * carries on along the graph: if S sends 3/4 of Charlie's requests and Charlie sends 1/2 of
 * Dave's, S carries 3/4 of Charlie's spend and 3/8 of Dave's.
 *
 * Formally, h(X) is the share of X's spend attributed to S:
 *   h(S) = 1,   h(X) = Σ over callers C of X: requests(C→X) / requests(→X) · h(C)
 * and loaded(S) = own(S) + Σ_{X ≠ S} h(X) · own(X). On a call graph without cycles this is
 * exactly "own spend plus, for each service called, its share of that service's loaded cost".
 * With cycles it stays finite: h(X) is the chance that following X's requests back, caller by
 * caller in proportion to requests, reaches S, so a service's spend is counted at most once and
 * a cycle back to S stops at S. Each strongly connected part is solved exactly as a linear
 * system; everything is exact rational arithmetic, rounded down to wei only at the end.
 */

/** Settled traffic from one service to another in the window. */
export type CostEdge = { consumer: string; provider: string; requests: bigint; amount: bigint }

export type AttributedPart = {
  service: string
  /** What this service paid its own providers in the window (wei). */
  ownSpend: bigint
  /** Share of that spend attributed to the service being costed. */
  share: Fraction
  /** share × ownSpend, exact. */
  attributed: Fraction
}

export type DirectCost = {
  provider: string
  amount: bigint
  requests: bigint
  /** The service's share of the provider's incoming requests. */
  shareOfIncoming: Fraction
}

export type Attribution = {
  service: string
  own: bigint
  /** own + Σ attributed, exact. */
  loadedExact: Fraction
  /** loadedExact rounded down to wei. */
  loaded: bigint
  direct: DirectCost[]
  /** Every other service with a non-zero attributed share of a non-zero spend, largest first. */
  parts: AttributedPart[]
}

type Graph = {
  /** provider → caller → requests */
  callers: Map<string, Map<string, bigint>>
  /** consumer → provider → { requests, amount } */
  calls: Map<string, Map<string, { requests: bigint; amount: bigint }>>
  incoming: Map<string, bigint>
  own: Map<string, bigint>
}

function buildGraph(edges: readonly CostEdge[]): Graph {
  const g: Graph = { callers: new Map(), calls: new Map(), incoming: new Map(), own: new Map() }
  for (const e of edges) {
    if (e.requests < 0n || e.amount < 0n) throw new RangeError('cost edges must not be negative')
    let out = g.calls.get(e.consumer)
    if (!out) {
      out = new Map()
      g.calls.set(e.consumer, out)
    }
    const prev = out.get(e.provider) ?? { requests: 0n, amount: 0n }
    out.set(e.provider, { requests: prev.requests + e.requests, amount: prev.amount + e.amount })
    g.own.set(e.consumer, (g.own.get(e.consumer) ?? 0n) + e.amount)
    if (e.requests > 0n) {
      let inn = g.callers.get(e.provider)
      if (!inn) {
        inn = new Map()
        g.callers.set(e.provider, inn)
      }
      inn.set(e.consumer, (inn.get(e.consumer) ?? 0n) + e.requests)
      g.incoming.set(e.provider, (g.incoming.get(e.provider) ?? 0n) + e.requests)
    }
  }
  return g
}

/** Services reachable from `start` along edges that carried requests, `start` excluded. */
function reachable(g: Graph, start: string): Set<string> {
  const seen = new Set<string>()
  const stack = [start]
  while (stack.length > 0) {
    const node = stack.pop() as string
    for (const [provider, e] of g.calls.get(node) ?? []) {
      if (e.requests === 0n || provider === start || seen.has(provider)) continue
      seen.add(provider)
      stack.push(provider)
    }
  }
  return seen
}

/**
 * Strongly connected components of the subgraph on `nodes`, callers before callees
 * (iterative Tarjan, which yields callees first; reversed at the end).
 */
function componentsInCallOrder(g: Graph, nodes: Set<string>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const out: string[][] = []
  let next = 0
  const successors = (n: string) =>
    [...(g.calls.get(n) ?? [])].filter(([p, e]) => e.requests > 0n && nodes.has(p)).map(([p]) => p)

  for (const root of nodes) {
    if (index.has(root)) continue
    const work: Array<{ node: string; succ: string[]; i: number }> = []
    const visit = (node: string) => {
      index.set(node, next)
      low.set(node, next)
      next++
      stack.push(node)
      onStack.add(node)
      work.push({ node, succ: successors(node), i: 0 })
    }
    visit(root)
    while (work.length > 0) {
      const frame = work[work.length - 1] as (typeof work)[number]
      if (frame.i < frame.succ.length) {
        const s = frame.succ[frame.i++] as string
        if (!index.has(s)) visit(s)
        else if (onStack.has(s)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(s)!))
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!))
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = []
        let member: string
        do {
          member = stack.pop() as string
          onStack.delete(member)
          component.push(member)
        } while (member !== frame.node)
        out.push(component)
      }
    }
  }
  return out.reverse()
}

/** Solves A·x = b exactly (Gauss-Jordan with rationals); A is non-singular here (see below). */
function solve(a: Fraction[][], b: Fraction[]): Fraction[] {
  const n = b.length
  const m = a.map((row, i) => [...row, b[i] as Fraction])
  for (let col = 0; col < n; col++) {
    const pivot = m.findIndex((row, r) => r >= col && !isZero(row[col] as Fraction))
    if (pivot < 0) throw new Error('attribution: singular system (a cycle no request enters)')
    ;[m[col], m[pivot]] = [m[pivot] as Fraction[], m[col] as Fraction[]]
    const p = m[col] as Fraction[]
    const inv = frac((p[col] as Fraction).den, (p[col] as Fraction).num)
    for (let k = col; k <= n; k++) p[k] = mul(p[k] as Fraction, inv)
    for (let r = 0; r < n; r++) {
      const row = m[r] as Fraction[]
      const factor = row[col] as Fraction
      if (r === col || isZero(factor)) continue
      for (let k = col; k <= n; k++) row[k] = sub(row[k] as Fraction, mul(factor, p[k] as Fraction))
    }
  }
  return m.map((row) => row[n] as Fraction)
}

/** The fully loaded cost of `service` over the window's settled traffic `edges`. */
export function attributeCost(edges: readonly CostEdge[], service: string): Attribution {
  const g = buildGraph(edges)
  const share = (caller: string, provider: string): Fraction => {
    const requests = g.callers.get(provider)?.get(caller) ?? 0n
    return requests === 0n ? ZERO : frac(requests, g.incoming.get(provider) as bigint)
  }

  const h = new Map<string, Fraction>([[service, ONE]])
  const nodes = reachable(g, service)
  for (const component of componentsInCallOrder(g, nodes)) {
    const inside = new Set(component)
    // What flows in from outside the component: the service itself or components already solved.
    const inflow = component.map((x) => {
      let sum = ZERO
      for (const caller of g.callers.get(x)?.keys() ?? []) {
        if (!inside.has(caller)) sum = add(sum, mul(share(caller, x), h.get(caller) ?? ZERO))
      }
      return sum
    })
    const selfLoop =
      component.length === 1 && g.callers.get(component[0] as string)?.has(component[0] as string)
    if (component.length === 1 && !selfLoop) {
      h.set(component[0] as string, inflow[0] as Fraction)
      continue
    }
    // (I − A)·h = inflow with A[x][c] = share(c → x) inside the component. Every member is
    // reached from `service`, so some request enters from outside and I − A is invertible.
    const matrix = component.map((x, i) => component.map((c, j) => sub(i === j ? ONE : ZERO, share(c, x))))
    const solution = solve(matrix, inflow)
    component.forEach((x, i) => {
      h.set(x, solution[i] as Fraction)
    })
  }

  const own = g.own.get(service) ?? 0n
  const parts: AttributedPart[] = []
  let loadedExact = frac(own)
  for (const x of nodes) {
    const ownSpend = g.own.get(x) ?? 0n
    const s = h.get(x) ?? ZERO
    if (ownSpend === 0n || isZero(s)) continue
    const attributed = mul(s, frac(ownSpend))
    loadedExact = add(loadedExact, attributed)
    parts.push({ service: x, ownSpend, share: s, attributed })
  }
  parts.sort((a, b) => {
    const d = sub(b.attributed, a.attributed).num
    return d > 0n ? 1 : d < 0n ? -1 : a.service.localeCompare(b.service)
  })
  const direct: DirectCost[] = [...(g.calls.get(service) ?? [])]
    .map(([provider, e]) => ({
      provider,
      amount: e.amount,
      requests: e.requests,
      shareOfIncoming: share(service, provider),
    }))
    .sort(
      byBigIntDesc(
        (d) => d.amount,
        (a, b) => a.provider.localeCompare(b.provider),
      ),
    )
  return { service, own, loadedExact, loaded: floor(loadedExact), direct, parts }
}
