import type { ChannelSpending } from '../../admin/pricing'
import type { ServerContext } from '../context'
import { indexedChain } from '../indexedChain'

/** How far back the request mix is measured: a day, as the costs pages' burn rate. */
export const MIX_WINDOW_SECONDS = 86_400

/**
 * What a version 2 channel's page needs besides the explorer's answer to say what a price change
 * does (lib/admin/pricing.ts `priceView`): the table pending on this dashboard's Payment Server
 * (its own row, read without any key: the page and the Payment Server share the database; a
 * table set on the provider's own Payment Server elsewhere is not visible before it is
 * announced), and the requests redeemed per category over the last day (or since opening),
 * summed from the index's v2 `Redeemed` events: the request mix the runway is measured at.
 * Null for a version 1 channel or one not indexed.
 * @example await channelSpending(ctx, { chainId, address, now })
 */
export async function channelSpending(
  ctx: Pick<ServerContext, 'db'>,
  { chainId, address, now }: { chainId: number; address: string; now: bigint },
): Promise<ChannelSpending | null> {
  const row = await ctx.db.channel.findUnique({ where: { chainId_address: { chainId, address } } })
  if (row?.contractVersion !== 2) return null
  const since =
    now - BigInt(MIX_WINDOW_SECONDS) > row.openedAt ? now - BigInt(MIX_WINDOW_SECONDS) : row.openedAt
  const [redeemed, payment] = await Promise.all([
    // Per category (0-based), the requests of the v2 tokens redeemed since `since`.
    ctx.db.$queryRaw<Array<{ category: number; requests: string }>>`
      SELECT (r.ord - 1)::int AS category, sum(r.n::numeric)::text AS requests
      FROM event e, jsonb_array_elements_text(e.args->'requests') WITH ORDINALITY AS r(n, ord)
      WHERE e.chain_id = ${chainId} AND e.channel = ${address} AND e.name = 'Redeemed'
        AND jsonb_typeof(e.args->'requests') = 'array' AND e.block_timestamp >= ${since}
      GROUP BY r.ord`,
    ctx.db.paymentChannel.findUnique({ where: { chainId_address: { chainId, address } } }),
  ])
  const requests = row.prices.map(() => 0n)
  for (const r of redeemed) if (r.category < requests.length) requests[r.category] = BigInt(r.requests)
  const seconds = Number(now - since)
  return {
    pendingPrices:
      payment?.contractVersion === 2 && payment.pendingPrices.length > 0
        ? payment.pendingPrices.map((p) => p.toFixed())
        : null,
    mix: requests.some((n) => n > 0n) && seconds > 0 ? { requests: requests.map(String), seconds } : null,
  }
}

/**
 * {@link channelSpending} on the chain this request is about, measured to the node's head time
 * (this clock's when the node does not answer): what the channel page shows.
 */
export async function channelSpendingNow(
  ctx: ServerContext,
  address: string,
): Promise<ChannelSpending | null> {
  const view = await indexedChain(ctx)
  const now = view.head?.timestamp ?? BigInt(Math.floor(Date.now() / 1000))
  return channelSpending(ctx, { chainId: view.chainId, address: address.toLowerCase(), now })
}
