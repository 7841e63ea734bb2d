import { bigintOf } from '../../columns/kinds'
import type { ServiceChannel } from '../../costs/api'
import { categoryName } from '../../costs/byCategory'
import type { ServerContext } from '../context'
import { categoryNames } from './categories'
import type { CostClock } from './clock'
import { priceHistories } from './priceHistory'
import { settledRows } from './settled'

/** Burn rate is measured over this long (or since the channel opened, if later). */
const BURN_WINDOW_SECONDS = 86_400

/**
 * A service's channels on both sides, open ones first, with burn rate and runway. The burn rate
 * is the value redeemed on chain (Redeemed amounts), so a version 2 channel's is what its
 * categories' requests cost at the prices of their token IDs, before and after a price change;
 * its pending value is its accepted tokens' at their own prices (graph.ts pendingByChannel).
 * Version 2 channels also carry their active price table and their price history.
 */
export async function serviceChannels(
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
  const v2 = rows.filter((r) => r.contractVersion === 2).map((r) => r.address)
  const [burns, histories, names] = await Promise.all([
    ctx.db.$queryRaw<Array<{ channel: string; amount: string }>>`
      SELECT channel, sum(amount)::text AS amount
      FROM (${settledRows(clock, Math.floor(since / 3_600) * 3_600, clock.now + 1)}) AS s(at, channel, amount, requests, redemptions)
      WHERE channel = ANY(${rows.map((r) => r.address)})
      GROUP BY channel`,
    priceHistories(ctx, clock, v2),
    categoryNames(ctx, clock.chainId, v2),
  ])
  const burnOf = new Map(burns.map((b) => [b.channel, BigInt(b.amount)]))
  return rows.map((r) => {
    const funds = bigintOf(r.consumerFunds)
    const owed = pending.get(r.address) ?? 0n
    const spent = burnOf.get(r.address) ?? 0n
    // Measured since the start of the first counted hour, or since opening if later.
    const start = Math.max(Math.floor(since / 3_600) * 3_600, Number(r.openedAt))
    const seconds = BigInt(Math.max(3_600, clock.now - start))
    const left = funds > owed ? funds - owed : 0n
    const channel: Omit<ServiceChannel, 'counterpartyName'> = {
      address: r.address,
      role: r.consumer === address ? 'consumer' : 'provider',
      counterparty: r.consumer === address ? r.provider : r.consumer,
      price: r.costPerRequest.toFixed(),
      consumerFunds: funds.toString(),
      pending: owed.toString(),
      burnPerHour: ((spent * 3_600n) / seconds).toString(),
      runwaySeconds: spent === 0n || r.terminated ? null : Number((left * seconds) / spent),
      terminated: r.terminated,
      terminatesAt: r.terminatesAt.toFixed(),
    }
    if (r.contractVersion !== 2) return channel
    return {
      ...channel,
      prices: (r.prices ?? []).map((price, i) => ({
        category: i,
        name: categoryName(names.get(r.address), i),
        price: price.toFixed(),
      })),
      priceHistory: histories.get(r.address) ?? [],
    }
  })
}
