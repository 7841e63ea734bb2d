import { isoSeconds } from '../../columns/kinds'
import { defaultCategoryName } from '../../costs/categories'
import type { ChannelPricing, ChannelSummary } from '../../explorer/api'
import type { ServerContext } from '../context'

/** Price tables shown on a channel's page (newest first); a channel changes them at most per redemption. */
const PRICE_HISTORY = 200

/**
 * A version 2 channel's pricing for the explorer: its active price table by category, with
 * the names the Payment Server gave them (`channel_category`, else "category N") and what each
 * was paid over the channel's life (the category rollups; they sum to `totalRedeemed`), and its price
 * history, which is its PricesAnnounced events (the opening table and each change). Null for a
 * version 1 channel.
 */
export async function channelPricing(
  ctx: ServerContext,
  chainId: number,
  channel: Pick<ChannelSummary, 'address' | 'prices'>,
): Promise<ChannelPricing | null> {
  if (!channel.prices) return null
  const [named, announced, redeemed] = await Promise.all([
    ctx.db.channelCategory.findMany({ where: { chainId, channel: channel.address } }),
    ctx.db.event.findMany({
      where: { chainId, channel: channel.address, name: 'PricesAnnounced' },
      orderBy: [{ blockNumber: 'desc' }, { logIndex: 'desc' }],
      take: PRICE_HISTORY,
    }),
    // What each category was paid over the channel's life: its daily rollup rows, summed
    // (cost_category_daily_channel_idx), which hold every indexed redemption as the totals do.
    ctx.db.costCategoryDaily.groupBy({
      by: ['category'],
      where: { chainId, channel: channel.address },
      _sum: { amount: true, requests: true },
    }),
  ])
  const byIndex = new Map(named.map((c) => [c.category, c]))
  const paid = new Map(redeemed.map((r) => [r.category, r._sum]))
  return {
    categories: channel.prices.map((price, category) => {
      const row = byIndex.get(category)
      return {
        category,
        name: row?.name ?? defaultCategoryName(category),
        named: row !== undefined,
        origin: row?.origin ?? null,
        price,
        redeemedAmount: paid.get(category)?.amount?.toFixed() ?? '0',
        redeemedRequests: paid.get(category)?.requests?.toFixed() ?? '0',
      }
    }),
    history: announced.map((e) => {
      const args = e.args as { fromTokenId: string; version: string; prices: string[] }
      return {
        fromTokenId: args.fromTokenId,
        version: args.version,
        blockNumber: e.blockNumber.toString(),
        timestamp: isoSeconds(e.blockTimestamp),
        txHash: e.txHash,
        logIndex: String(e.logIndex),
        prices: args.prices,
      }
    }),
  }
}
