import type { CostComparison, CostEdge, CostGraph, CostNode } from '../../costs/api'
import { compareWindows } from '../../costs/comparison'
import { byBigIntDesc } from '../../costs/order'
import { type CostWindow, previousWindow, type WindowQuery } from '../../costs/window'
import { BadRequestError } from '../../errors'
import type { ServerContext } from '../context'
import { Prisma } from '../db/generated/client'
import { type ServiceName, serviceNames } from '../services'
import { asOfView, atOneBlock, type CostClock, windowOf, windowView } from './clock'
import { withCategories } from './graphCategories'
import { settledByChannel } from './settled'

/**
 * The service-dependency cost graph over a time window: settled amounts at the answer's block
 * (./settled), pending amounts from this Payment Server's accepted tokens.
 */

/**
 * Per channel: the value of tokens this Payment Server accepted that are still redeemable: v1's
 * highest count × the channel's price, v2's maximum token per ID valued at that ID's own
 * prices (payment_accepted_v2: requests · prices), so a price change is counted at the prices
 * each token was signed for.
 */
export async function pendingByChannel(ctx: ServerContext, chainId: number): Promise<Map<string, bigint>> {
  const rows = await ctx.db.$queryRaw<Array<{ channel: string; pending: string }>>`
    SELECT channel, sum(value)::text AS pending FROM (
      SELECT a.channel, a.highest * c.cost_per_request AS value
      FROM payment_accepted a
      JOIN channel c ON c.chain_id = a.chain_id AND c.address = a.channel
      WHERE a.chain_id = ${chainId} AND a.redeemed_at IS NULL AND NOT c.terminated
        AND a.token_id <> 0 AND a.token_id IN (c.active_token_id, c.expiring_token_id)
      UNION ALL
      SELECT a.channel, (SELECT coalesce(sum(n * p), 0) FROM unnest(a.requests, a.prices) AS d(n, p))
      FROM payment_accepted_v2 a
      JOIN channel c ON c.chain_id = a.chain_id AND c.address = a.channel
      WHERE a.chain_id = ${chainId} AND a.redeemed_at IS NULL AND NOT c.terminated
        AND a.token_id IN (c.active_token_id, c.expiring_token_id)
    ) AS v
    GROUP BY channel`
  return new Map(rows.map((r) => [r.channel, BigInt(r.pending)]))
}

/** Channels read by address list up to this many; past it, the chain's whole list is read. */
const LISTED_CHANNELS_AT_MOST = 300

type ChannelRow = {
  address: string
  consumer: string
  provider: string
  price: string
  terminated: boolean
  /** Version 2: the active price table; null for version 1. */
  prices: string[] | null
}

const sum = (values: Iterable<bigint>) => {
  let total = 0n
  for (const v of values) total += v
  return total
}
/** One pair's running sums, as bigint until the answer is built. */
type PairSums = {
  consumer: string
  provider: string
  settled: bigint
  unconfirmed: bigint
  requests: bigint
  redemptions: number
  pending: bigint
  priceMin: bigint
  priceMax: bigint
  channels: CostEdge['channels']
}

/**
 * Settled (and, for a live window, pending) traffic of every pair, and the services in it.
 * `pending` may be passed when the caller has read it already.
 */
export async function costGraphData(
  ctx: ServerContext,
  clock: CostClock,
  window: CostWindow,
  pendingRead?: Map<string, bigint>,
) {
  const [edges, names] = await Promise.all([pairEdges(ctx, clock, window, pendingRead), serviceNames(ctx)])
  return { edges, nodes: nodesOf(edges, names, window.live), names }
}

/** Settled (and, for a live window, pending) traffic of every pair, most settled first. */
async function pairEdges(
  ctx: ServerContext,
  clock: CostClock,
  window: CostWindow,
  pendingRead?: Map<string, bigint>,
): Promise<CostEdge[]> {
  const [settled, pending] = await Promise.all([
    settledByChannel(ctx, clock, window),
    !window.live ? new Map<string, bigint>() : (pendingRead ?? pendingByChannel(ctx, clock.chainId)),
  ])
  const addresses = [...new Set([...settled.keys(), ...pending.keys()])]
  // Past a few hundred channels, the chain's whole list is read and filtered here: a list of
  // 5,000 addresses as a parameter took 60-70 ms, the whole table of 5,000 rows under 10.
  const wanted = new Set(addresses)
  const channels = (
    await ctx.db.$queryRaw<ChannelRow[]>`
      SELECT address, consumer, provider, cost_per_request::text AS price, terminated, prices::text[] AS prices
      FROM channel WHERE chain_id = ${clock.chainId}
        ${addresses.length > LISTED_CHANNELS_AT_MOST ? Prisma.empty : Prisma.sql`AND address = ANY(${addresses})`}`
  ).filter((c) => wanted.has(c.address))

  const pairs = new Map<string, PairSums>()
  for (const c of channels) {
    const s = settled.get(c.address)
    const p = pending.get(c.address) ?? 0n
    const key = `${c.consumer}>${c.provider}`
    let pair = pairs.get(key)
    if (!pair) {
      pair = {
        consumer: c.consumer,
        provider: c.provider,
        settled: 0n,
        unconfirmed: 0n,
        requests: 0n,
        redemptions: 0,
        pending: 0n,
        priceMin: BigInt(c.price),
        priceMax: BigInt(c.price),
        channels: [],
      }
      pairs.set(key, pair)
    }
    pair.settled += s?.amount ?? 0n
    pair.unconfirmed += s?.unconfirmed ?? 0n
    pair.requests += s?.requests ?? 0n
    pair.redemptions += s?.redemptions ?? 0
    pair.pending += p
    const price = BigInt(c.price)
    if (price < pair.priceMin) pair.priceMin = price
    if (price > pair.priceMax) pair.priceMax = price
    pair.channels.push({
      address: c.address,
      price: c.price,
      settled: (s?.amount ?? 0n).toString(),
      requests: (s?.requests ?? 0n).toString(),
      pending: window.live ? p.toString() : null,
      terminated: c.terminated,
    })
  }
  const edges = [...pairs.values()]
    .sort(
      byBigIntDesc(
        (e) => e.settled,
        byBigIntDesc((e) => e.pending),
      ),
    )
    .map((e) => ({
      consumer: e.consumer,
      provider: e.provider,
      settled: e.settled.toString(),
      unconfirmed: e.unconfirmed.toString(),
      requests: e.requests.toString(),
      redemptions: e.redemptions,
      priceMin: e.priceMin.toString(),
      priceMax: e.priceMax.toString(),
      pending: window.live ? e.pending.toString() : null,
      channels: e.channels.sort(byBigIntDesc((c) => BigInt(c.settled))),
    }))
  // Channels with more than one request category are split by category (./graphCategories).
  const tables = new Map<string, string[]>()
  for (const c of channels) if (c.prices && c.prices.length > 1) tables.set(c.address, c.prices)
  return withCategories(ctx, clock, window, edges, tables)
}

/** Each service's totals from the pairs it is part of. */
function nodesOf(edges: CostEdge[], names: Map<string, ServiceName>, live: boolean): CostNode[] {
  type Acc = { paid: bigint; earned: bigint; made: bigint; served: bigint; pPaid: bigint; pEarned: bigint }
  const acc = new Map<string, Acc>()
  const get = (a: string) => {
    let x = acc.get(a)
    if (!x) {
      x = { paid: 0n, earned: 0n, made: 0n, served: 0n, pPaid: 0n, pEarned: 0n }
      acc.set(a, x)
    }
    return x
  }
  for (const e of edges) {
    const c = get(e.consumer)
    const p = get(e.provider)
    c.paid += BigInt(e.settled)
    c.made += BigInt(e.requests)
    p.earned += BigInt(e.settled)
    p.served += BigInt(e.requests)
    c.pPaid += BigInt(e.pending ?? '0')
    p.pEarned += BigInt(e.pending ?? '0')
  }
  return [...acc]
    .map(([address, x]) => ({
      address,
      name: names.get(address)?.name ?? null,
      team: names.get(address)?.team ?? null,
      paid: x.paid.toString(),
      earned: x.earned.toString(),
      net: (x.earned - x.paid).toString(),
      requestsMade: x.made.toString(),
      requestsServed: x.served.toString(),
      pendingPaid: live ? x.pPaid.toString() : null,
      pendingEarned: live ? x.pEarned.toString() : null,
      _volume: x.paid + x.earned + x.pPaid + x.pEarned,
    }))
    .sort(byBigIntDesc((n) => n._volume))
    .map(({ _volume, ...node }) => node)
}

/** What to compare a window with: nothing, or the window as long right before it. */
export type Compare = 'previous' | undefined

/** `compare` of a query: `previous` or absent; anything else is a 400 `invalid_window`. */
export function compareOf(value: string | null | undefined): Compare {
  if (value === null || value === undefined || value === '') return undefined
  if (value === 'previous') return value
  throw new BadRequestError({ code: 'invalid_window', message: '`compare` must be `previous` when given.' })
}

/**
 * GET /api/costs/graph: nodes, edges and totals of a window, and with `compare` = `previous`
 * the previous window's (see {@link comparisonOf}).
 */
export async function costGraph(
  ctx: ServerContext,
  query: WindowQuery,
  compare?: string | null,
): Promise<CostGraph> {
  const comparing = compareOf(compare)
  return atOneBlock(ctx, (snapshot, clock) => costGraphAt(snapshot, clock, query, comparing))
}

/**
 * The pairs of the window as long right before `window` (lib/costs/window previousWindow) at
 * the same clock, for the comparisons (lib/costs/comparison); null for `all`.
 */
export async function previousEdges(
  ctx: ServerContext,
  clock: CostClock,
  window: CostWindow,
): Promise<{ window: CostWindow; edges: CostEdge[] } | null> {
  const previous = previousWindow(window)
  return previous && { window: previous, edges: await pairEdges(ctx, clock, previous) }
}

/** This window against the one as long right before it, read at the same block. */
async function comparisonOf(
  ctx: ServerContext,
  clock: CostClock,
  window: CostWindow,
  edges: CostEdge[],
): Promise<CostComparison | null> {
  const before = await previousEdges(ctx, clock, window)
  return before && compareWindows({ window: windowView(before.window), edges, before: before.edges })
}

/** The graph of a window at the clock of a snapshot already open (see atOneBlock). */
export async function costGraphAt(
  ctx: ServerContext,
  clock: CostClock,
  query: WindowQuery,
  compare?: Compare,
): Promise<CostGraph> {
  const window = windowOf(query, clock)
  const { edges, nodes } = await costGraphData(ctx, clock, window)
  const comparison = compare === 'previous' ? await comparisonOf(ctx, clock, window, edges) : null
  const channelCount = edges.reduce((n, e) => n + e.channels.length, 0)
  return {
    chainId: clock.chainId,
    window: windowView(window),
    asOf: asOfView(clock),
    totals: {
      settled: sum(edges.map((e) => BigInt(e.settled))).toString(),
      unconfirmed: sum(edges.map((e) => BigInt(e.unconfirmed))).toString(),
      pending: window.live ? sum(edges.map((e) => BigInt(e.pending ?? '0'))).toString() : null,
      requests: sum(edges.map((e) => BigInt(e.requests))).toString(),
      redemptions: edges.reduce((n, e) => n + e.redemptions, 0),
      services: nodes.length,
      channels: channelCount,
    },
    comparison,
    nodes,
    edges,
  }
}
