import type { CostComparison, CostEdge, CostMover, CostWindowView, ServiceComparison } from './api'
import { byBigIntDesc } from './order'

/**
 * A window against the one as long right before it, from the pairs (edges) of both, read at
 * the same block: the network's comparison on /costs, and one service's (its pairs only) on its
 * page, so both say the same of a pair. Pending amounts are left out on both sides: only
 * settled amounts exist for a past window. Client-safe.
 */

/** Most pairs listed as movers. */
export const MOVERS = 10

/** The pairs of both windows: this window's (`edges`) and the previous one's (`before`). */
export type ComparedEdges = {
  /** The previous window, as the API answers it. */
  window: CostWindowView
  edges: readonly CostEdge[]
  before: readonly CostEdge[]
}

type PairChange = { consumer: string; provider: string; settled: bigint; previous: bigint }

const sum = (values: Iterable<bigint>) => {
  let total = 0n
  for (const v of values) total += v
  return total
}
const settledOf = (edges: readonly CostEdge[]) => sum(edges.map((e) => BigInt(e.settled)))

/** Per pair, its settled amount in both windows (0 in a window it had none in). */
function pairChanges({ edges, before }: Pick<ComparedEdges, 'edges' | 'before'>): PairChange[] {
  const pairs = new Map<string, PairChange>()
  const pairOf = (e: CostEdge) => {
    const key = `${e.consumer}>${e.provider}`
    let pair = pairs.get(key)
    if (!pair) {
      pair = { consumer: e.consumer, provider: e.provider, settled: 0n, previous: 0n }
      pairs.set(key, pair)
    }
    return pair
  }
  for (const e of edges) pairOf(e).settled += BigInt(e.settled)
  for (const e of before) pairOf(e).previous += BigInt(e.settled)
  return [...pairs.values()]
}

/** The pairs that changed most by size (at most {@link MOVERS}), listed largest increase first. */
function moversOf(changes: PairChange[]): CostMover[] {
  const size = (p: PairChange) => (p.settled > p.previous ? p.settled - p.previous : p.previous - p.settled)
  return changes
    .filter((p) => p.settled !== p.previous)
    .sort(byBigIntDesc(size))
    .slice(0, MOVERS)
    .sort(byBigIntDesc((p) => p.settled - p.previous))
    .map((p) => ({
      consumer: p.consumer,
      provider: p.provider,
      settled: p.settled.toString(),
      previous: p.previous.toString(),
      change: (p.settled - p.previous).toString(),
    }))
}

/**
 * The network's comparison: the previous window's settled total and requests, the change, and
 * the pairs that moved most.
 * @example compareWindows({ window: windowView(previous), edges, before })
 */
export function compareWindows({ window, edges, before }: ComparedEdges): CostComparison {
  return {
    window,
    settled: settledOf(before).toString(),
    requests: sum(before.map((e) => BigInt(e.requests))).toString(),
    change: (settledOf(edges) - settledOf(before)).toString(),
    movers: moversOf(pairChanges({ edges, before })),
  }
}

/**
 * One service's comparison: the network's, kept to the pairs it is part of: what it paid (as
 * consumer) and earned (as provider) in both windows, and which of its pairs moved most.
 * @example compareService({ address: '0xabc…', window, edges, before })
 */
export function compareService({
  address,
  window,
  edges,
  before,
}: ComparedEdges & { address: string }): ServiceComparison {
  const side = (role: 'consumer' | 'provider') => {
    const settled = settledOf(edges.filter((e) => e[role] === address))
    const previous = settledOf(before.filter((e) => e[role] === address))
    return {
      settled: settled.toString(),
      previous: previous.toString(),
      change: (settled - previous).toString(),
    }
  }
  const its = (e: CostEdge) => e.consumer === address || e.provider === address
  return {
    window,
    paid: side('consumer'),
    earned: side('provider'),
    movers: moversOf(pairChanges({ edges: edges.filter(its), before: before.filter(its) })),
  }
}
