import { isAddress } from 'viem'
import type { CostEdge, ServiceCosts } from '../../costs/api'
import { attributeCost } from '../../costs/attribution'
import { compareService } from '../../costs/comparison'
import { type Fraction, floor, sub, toNumber } from '../../costs/fraction'
import type { WindowQuery } from '../../costs/window'
import { NotFoundError } from '../../errors'
import type { ServerContext } from '../context'
import { findServiceLabel } from '../services'
import { asOfView, atOneBlock, type CostClock, windowOf, windowView } from './clock'
import { type Compare, compareOf, costGraphData, pendingByChannel, previousEdges } from './graph'
import { serviceChannels } from './serviceChannels'
import { tracedEdges } from './tracing'

/** A pair's categories as the service page lists them under its row; nothing for an unsplit pair. */
const categoriesOf = (edge: CostEdge | undefined) =>
  edge?.categories
    ? { categories: edge.categories.map((c) => ({ name: c.name, amount: c.settled, requests: c.requests })) }
    : {}

const fraction = (f: Fraction) => ({ num: f.num.toString(), den: f.den.toString(), approx: toNumber(f) })

/**
 * What a service pays, earns and nets in a window, its fully loaded cost (lib/costs/attribution)
 * and its channels with their runway. `nameOrAddress` is a label's name or any address. With
 * `compare` = `previous`, also the window as long right before, read at the same block
 * (lib/costs/comparison compareService: the /costs comparison kept to its pairs).
 */
export async function serviceCosts(
  ctx: ServerContext,
  nameOrAddress: string,
  query: WindowQuery,
  compare?: string | null,
): Promise<ServiceCosts> {
  const comparing = compareOf(compare)
  return atOneBlock(ctx, (snapshot, clock) =>
    serviceCostsAt(snapshot, clock, nameOrAddress, query, comparing),
  )
}

async function serviceCostsAt(
  ctx: ServerContext,
  clock: CostClock,
  nameOrAddress: string,
  query: WindowQuery,
  compare: Compare,
): Promise<ServiceCosts> {
  const label = await findServiceLabel(ctx, nameOrAddress).catch((error) => {
    if (isAddress(nameOrAddress, { strict: false })) return null
    throw error
  })
  const address = label?.address ?? nameOrAddress.toLowerCase()
  const window = windowOf(query, clock)
  // Pending is read once: the graph (for a live window) and the runway both use it.
  const pending = await pendingByChannel(ctx, clock.chainId)
  const [{ edges, nodes, names }, channels, before] = await Promise.all([
    costGraphData(ctx, clock, window, pending),
    serviceChannels(ctx, clock, address, pending),
    compare === 'previous' ? previousEdges(ctx, clock, window) : null,
  ])
  if (!label && channels.length === 0) {
    throw new NotFoundError({
      code: 'unknown_service',
      message: `${address} has no label and no channel: it is not a service here.`,
    })
  }
  const nameOf = (a: string) => names.get(a)?.name ?? null
  const node = nodes.find((n) => n.address === address) ?? {
    address,
    name: label?.name ?? null,
    team: label?.team ?? null,
    paid: '0',
    earned: '0',
    net: '0',
    requestsMade: '0',
    requestsServed: '0',
    pendingPaid: window.live ? '0' : null,
    pendingEarned: window.live ? '0' : null,
  }
  // Traffic traced by origin (thesis 3.4) counts exactly; the rest by request share.
  const attribution = attributeCost(await tracedEdges(ctx, clock, window, edges), address)
  const total = attribution.loaded
  return {
    chainId: clock.chainId,
    window: windowView(window),
    asOf: asOfView(clock),
    service: node,
    version: label?.version ?? 0,
    loaded: {
      own: attribution.own.toString(),
      attributed: floor(sub(attribution.loadedExact, { num: attribution.own, den: 1n })).toString(),
      total: total.toString(),
      direct: attribution.direct.map((d) => ({
        provider: d.provider,
        name: nameOf(d.provider),
        amount: d.amount.toString(),
        requests: d.requests.toString(),
        shareOfIncoming: fraction(d.shareOfIncoming),
        ...categoriesOf(edges.find((e) => e.consumer === address && e.provider === d.provider)),
      })),
      parts: attribution.parts.map((p) => ({
        service: p.service,
        name: nameOf(p.service),
        ownSpend: p.ownSpend.toString(),
        share: fraction(p.share),
        attributed: floor(p.attributed).toString(),
        traced: floor(p.traced).toString(),
        basis: p.basis,
      })),
    },
    callers: edges
      .filter((e) => e.provider === address)
      .map((e) => ({
        consumer: e.consumer,
        name: nameOf(e.consumer),
        amount: e.settled,
        requests: e.requests,
        ...categoriesOf(e),
      })),
    channels: channels.map((c) => ({ ...c, counterpartyName: nameOf(c.counterparty) })),
    comparison:
      before && compareService({ address, window: windowView(before.window), edges, before: before.edges }),
  }
}
