import { add, type Fraction, frac, isZero, mul, ONE, sub, ZERO } from './fraction'

/*
 * The shares of the fully loaded cost (./attribution): h(X), the part of X's spend that the
 * costed service S causes, solved on a graph of requests, exactly. Kept apart from the sums so
 * that the rule of who counts as a request's sender (the caller, or the origin it was traced
 * for) is stated once, in ./attribution.
 */

/** Who sends a provider its requests, as attribution counts them (only pairs with requests > 0). */
export type Feeds = {
  /** sender → provider → requests */
  feeds: Map<string, Map<string, bigint>>
  /** provider → sender → requests */
  senders: Map<string, Map<string, bigint>>
  /** provider → all its requests */
  incoming: Map<string, bigint>
}

/** An empty {@link Feeds}. */
export const emptyFeeds = (): Feeds => ({ feeds: new Map(), senders: new Map(), incoming: new Map() })

/** Counts `requests` from `sender` to `provider` (none when 0). */
export function addFeed(g: Feeds, sender: string, provider: string, requests: bigint): void {
  if (requests === 0n) return
  const bump = (m: Map<string, Map<string, bigint>>, a: string, b: string) => {
    let inner = m.get(a)
    if (!inner) {
      inner = new Map()
      m.set(a, inner)
    }
    inner.set(b, (inner.get(b) ?? 0n) + requests)
  }
  bump(g.feeds, sender, provider)
  bump(g.senders, provider, sender)
  g.incoming.set(provider, (g.incoming.get(provider) ?? 0n) + requests)
}

/** requests(sender → provider) / requests(→ provider), 0 when it sent none. */
export function shareOf(g: Feeds, sender: string, provider: string): Fraction {
  const requests = g.senders.get(provider)?.get(sender) ?? 0n
  return requests === 0n ? ZERO : frac(requests, g.incoming.get(provider) as bigint)
}

/** Services reachable from `start` along pairs that carried requests, `start` excluded. */
function reachable(g: Feeds, start: string): Set<string> {
  const seen = new Set<string>()
  const stack = [start]
  while (stack.length > 0) {
    const node = stack.pop() as string
    for (const provider of g.feeds.get(node)?.keys() ?? []) {
      if (provider === start || seen.has(provider)) continue
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
function componentsInCallOrder(g: Feeds, nodes: Set<string>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const out: string[][] = []
  let next = 0
  const successors = (n: string) => [...(g.feeds.get(n)?.keys() ?? [])].filter((p) => nodes.has(p))

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

/**
 * h(X) for `service` S and every service reachable from it: h(S) = 1,
 * h(X) = Σ over senders C of X: share(C → X) · h(C). Each strongly connected part is solved
 * exactly as a linear system; a cycle back to S stops at S (h(S) stays 1). Services not in the
 * map have h = 0.
 */
export function sharesFrom(g: Feeds, service: string): Map<string, Fraction> {
  const h = new Map<string, Fraction>([[service, ONE]])
  for (const component of componentsInCallOrder(g, reachable(g, service))) {
    const inside = new Set(component)
    // What flows in from outside the component: the service itself or components already solved.
    const inflow = component.map((x) => {
      let sum = ZERO
      for (const sender of g.senders.get(x)?.keys() ?? []) {
        if (!inside.has(sender)) sum = add(sum, mul(shareOf(g, sender, x), h.get(sender) ?? ZERO))
      }
      return sum
    })
    const selfLoop =
      component.length === 1 && g.senders.get(component[0] as string)?.has(component[0] as string)
    if (component.length === 1 && !selfLoop) {
      h.set(component[0] as string, inflow[0] as Fraction)
      continue
    }
    // (I − A)·h = inflow with A[x][c] = share(c → x) inside the component. Every member is
    // reached from `service`, so some request enters from outside and I − A is invertible.
    const matrix = component.map((x, i) =>
      component.map((c, j) => sub(i === j ? ONE : ZERO, shareOf(g, c, x))),
    )
    const solution = solve(matrix, inflow)
    component.forEach((x, i) => {
      h.set(x, solution[i] as Fraction)
    })
  }
  return h
}
