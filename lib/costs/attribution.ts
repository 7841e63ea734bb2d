import { addFeed, emptyFeeds, type Feeds, shareOf, sharesFrom } from './attributionShares'
import { add, type Fraction, floor, frac, isZero, mul, sub, ZERO } from './fraction'
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
 * system (./attributionShares); everything is exact rational arithmetic, rounded down to wei
 * only at the end.
 *
 * Exact transitive tracing (3.4): a caller C may tag the requests it sends X on behalf of one
 * of its own consumers O (a version 2 channel's category whose origin is O). Such a part of
 * C → X (r_O requests, a_O wei) counts as if O had sent it: its requests are O's in X's
 * incoming (h(X) gets r_O · h(O), not r_O · h(C)), and a_O is carried with O's share h(O)
 * instead of C's. Only where S is C itself do the tagged requests stay S's: S sent them. What
 * is tagged with S as origin is S's to the wei (`exact`); the rest keeps the proportional
 * estimate (`estimate`); a part with both is `mixed`. A tag is only as honest as the caller
 * that sets it: a middle service can file one consumer's requests under another's name.
 */

/** A part of an edge's traffic made on behalf of `origin` (a consumer of the edge's consumer). */
export type TaggedTraffic = { origin: string; requests: bigint; amount: bigint }

/** Settled traffic from one service to another in the window; `tagged`: its parts traced by origin. */
export type CostEdge = {
  consumer: string
  provider: string
  requests: bigint
  amount: bigint
  tagged?: readonly TaggedTraffic[]
}

/** How an attributed figure was found: traced by origin tags, by request share, or both. */
export type AttributionBasis = 'exact' | 'estimate' | 'mixed'

export type AttributedPart = {
  service: string
  /** What this service paid its own providers in the window (wei). */
  ownSpend: bigint
  /** Share of that spend attributed to the service being costed: attributed / ownSpend. */
  share: Fraction
  /** The attributed wei, exact: traced + the proportional estimate of the rest. */
  attributed: Fraction
  /** The part of `attributed` tagged with the costed service as origin (exact to the wei). */
  traced: Fraction
  basis: AttributionBasis
}

export type DirectCost = {
  provider: string
  amount: bigint
  requests: bigint
  /** The service's share of the provider's incoming requests (tagged requests count for their origin). */
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

/** Per spender: its total spend, and the parts of it tagged per origin. */
type Spend = { total: bigint; tagged: Map<string, bigint> }

type Graph = Feeds & {
  /** consumer → provider → { requests, amount }: what was actually paid */
  pays: Map<string, Map<string, { requests: bigint; amount: bigint }>>
  spend: Map<string, Spend>
}

/** The edges as attribution counts them for `service` (who sends what, who spends what). */
function buildGraph(edges: readonly CostEdge[], service: string): Graph {
  const g: Graph = { ...emptyFeeds(), pays: new Map(), spend: new Map() }
  for (const e of edges) {
    const tagged = e.tagged ?? []
    if (e.requests < 0n || e.amount < 0n || tagged.some((t) => t.requests < 0n || t.amount < 0n))
      throw new RangeError('cost edges must not be negative')
    const taggedRequests = tagged.reduce((n, t) => n + t.requests, 0n)
    const taggedAmount = tagged.reduce((n, t) => n + t.amount, 0n)
    if (taggedRequests > e.requests || taggedAmount > e.amount)
      throw new RangeError('the tagged parts of a cost edge must not exceed it')
    let out = g.pays.get(e.consumer)
    if (!out) {
      out = new Map()
      g.pays.set(e.consumer, out)
    }
    const prev = out.get(e.provider) ?? { requests: 0n, amount: 0n }
    out.set(e.provider, { requests: prev.requests + e.requests, amount: prev.amount + e.amount })
    const spend = g.spend.get(e.consumer) ?? { total: 0n, tagged: new Map<string, bigint>() }
    spend.total += e.amount
    g.spend.set(e.consumer, spend)
    // The untagged requests are the caller's; a tagged part's are its origin's, unless the
    // caller is the service costed (it sent them itself).
    addFeed(g, e.consumer, e.provider, e.requests - taggedRequests)
    for (const t of tagged) {
      addFeed(g, e.consumer === service ? service : t.origin, e.provider, t.requests)
      if (t.amount > 0n) spend.tagged.set(t.origin, (spend.tagged.get(t.origin) ?? 0n) + t.amount)
    }
  }
  return g
}

/** One spender's attributed part: its untagged spend at h(X), each tagged part at h(origin). */
function partOf(x: string, spend: Spend, h: Map<string, Fraction>, service: string): AttributedPart | null {
  let untagged = spend.total
  let traced = ZERO
  let estimated = ZERO
  for (const [origin, amount] of spend.tagged) {
    untagged -= amount
    if (origin === service) traced = add(traced, frac(amount))
    else estimated = add(estimated, mul(h.get(origin) ?? ZERO, frac(amount)))
  }
  estimated = add(estimated, mul(h.get(x) ?? ZERO, frac(untagged)))
  const attributed = add(traced, estimated)
  if (spend.total === 0n || isZero(attributed)) return null
  const basis = isZero(estimated) ? 'exact' : isZero(traced) ? 'estimate' : 'mixed'
  return {
    service: x,
    ownSpend: spend.total,
    share: frac(attributed.num, attributed.den * spend.total),
    attributed,
    traced,
    basis,
  }
}

/** The fully loaded cost of `service` over the window's settled traffic `edges`. */
export function attributeCost(edges: readonly CostEdge[], service: string): Attribution {
  const g = buildGraph(edges, service)
  const h = sharesFrom(g, service)
  const own = g.spend.get(service)?.total ?? 0n
  const parts: AttributedPart[] = []
  let loadedExact = frac(own)
  for (const [x, spend] of g.spend) {
    const part = x === service ? null : partOf(x, spend, h, service)
    if (!part) continue
    loadedExact = add(loadedExact, part.attributed)
    parts.push(part)
  }
  parts.sort((a, b) => {
    const d = sub(b.attributed, a.attributed).num
    return d > 0n ? 1 : d < 0n ? -1 : a.service.localeCompare(b.service)
  })
  const direct: DirectCost[] = [...(g.pays.get(service) ?? [])]
    .map(([provider, e]) => ({
      provider,
      amount: e.amount,
      requests: e.requests,
      shareOfIncoming: shareOf(g, service, provider),
    }))
    .sort(
      byBigIntDesc(
        (d) => d.amount,
        (a, b) => a.provider.localeCompare(b.provider),
      ),
    )
  return { service, own, loadedExact, loaded: floor(loadedExact), direct, parts }
}
