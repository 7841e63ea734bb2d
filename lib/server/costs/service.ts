import { isAddress } from 'viem'
import { bigintOf } from '../../columns/kinds'
import type { ServiceChannel, ServiceCosts } from '../../costs/api'
import { attributeCost } from '../../costs/attribution'
import { type Fraction, floor, sub, toNumber } from '../../costs/fraction'
import type { WindowQuery } from '../../costs/window'
import { NotFoundError } from '../../errors'
import type { ServerContext } from '../context'
import { findServiceLabel } from '../services'
import { asOfView, atOneBlock, type CostClock, windowOf, windowView } from './clock'
import { costGraphData, pendingByChannel } from './graph'
import { settledRows } from './settled'

/** Burn rate is measured over this long (or since the channel opened, if later). */
const BURN_WINDOW_SECONDS = 86_400

const fraction = (f: Fraction) => ({ num: f.num.toString(), den: f.den.toString(), approx: toNumber(f) })

/**
 * What a service pays, earns and nets in a window, its fully loaded cost (lib/costs/attribution)
 * and its channels with their runway. `nameOrAddress` is a label's name or any address.
 */
export function serviceCosts(
  ctx: ServerContext,
  nameOrAddress: string,
  query: WindowQuery,
): Promise<ServiceCosts> {
  return atOneBlock(ctx, (snapshot, clock) => serviceCostsAt(snapshot, clock, nameOrAddress, query))
}

async function serviceCostsAt(
  ctx: ServerContext,
  clock: CostClock,
  nameOrAddress: string,
  query: WindowQuery,
): Promise<ServiceCosts> {
  const label = await findServiceLabel(ctx, nameOrAddress).catch((error) => {
    if (isAddress(nameOrAddress, { strict: false })) return null
    throw error
  })
  const address = label?.address ?? nameOrAddress.toLowerCase()
  const window = windowOf(query, clock)
  // Pending is read once: the graph (for a live window) and the runway both use it.
  const pending = await pendingByChannel(ctx, clock.chainId)
  const [{ edges, nodes, names }, channels] = await Promise.all([
    costGraphData(ctx, clock, window, pending),
    serviceChannels(ctx, clock, address, pending),
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
  const attribution = attributeCost(
    edges.map((e) => ({
      consumer: e.consumer,
      provider: e.provider,
      requests: BigInt(e.requests),
      amount: BigInt(e.settled),
    })),
    address,
  )
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
      })),
      parts: attribution.parts.map((p) => ({
        service: p.service,
        name: nameOf(p.service),
        ownSpend: p.ownSpend.toString(),
        share: fraction(p.share),
        attributed: floor(p.attributed).toString(),
      })),
    },
    callers: edges
      .filter((e) => e.provider === address)
      .map((e) => ({
        consumer: e.consumer,
        name: nameOf(e.consumer),
        amount: e.settled,
        requests: e.requests,
      })),
    channels: channels.map((c) => ({ ...c, counterpartyName: nameOf(c.counterparty) })),
  }
}

/** The service's channels on both sides, open ones first, with burn rate and runway. */
async function serviceChannels(
  ctx: ServerContext,
  clock: CostClock,
  address: string,
  pending: Map<string, bigint>,
): Promise<Omit<ServiceChannel, 'counterpartyName'>[]> {
  const rows = await ctx.db.channel.findMany({
    where: { chainId: clock.chainId, OR: [{ consumer: address }, { provider: address }] },
    orderBy: [{ terminated: 'asc' }, { openedBlock: 'desc' }],
    take: 200,
  })
  if (rows.length === 0) return []
  const since = clock.now - BURN_WINDOW_SECONDS
  const burns = await ctx.db.$queryRaw<Array<{ channel: string; amount: string }>>`
    SELECT channel, sum(amount)::text AS amount
    FROM (${settledRows(clock, Math.floor(since / 3_600) * 3_600, clock.now + 1)}) AS s(at, channel, amount, requests, redemptions)
    WHERE channel = ANY(${rows.map((r) => r.address)})
    GROUP BY channel`
  const burnOf = new Map(burns.map((b) => [b.channel, BigInt(b.amount)]))
  return rows.map((r) => {
    const funds = bigintOf(r.consumerFunds)
    const owed = pending.get(r.address) ?? 0n
    const spent = burnOf.get(r.address) ?? 0n
    // Measured since the start of the first counted hour, or since opening if later.
    const start = Math.max(Math.floor(since / 3_600) * 3_600, Number(r.openedAt))
    const seconds = BigInt(Math.max(3_600, clock.now - start))
    const left = funds > owed ? funds - owed : 0n
    return {
      address: r.address,
      role: r.consumer === address ? ('consumer' as const) : ('provider' as const),
      counterparty: r.consumer === address ? r.provider : r.consumer,
      price: r.costPerRequest.toFixed(),
      consumerFunds: funds.toString(),
      pending: owed.toString(),
      burnPerHour: ((spent * 3_600n) / seconds).toString(),
      runwaySeconds: spent === 0n || r.terminated ? null : Number((left * seconds) / spent),
      terminated: r.terminated,
      terminatesAt: r.terminatesAt.toFixed(),
    }
  })
}
