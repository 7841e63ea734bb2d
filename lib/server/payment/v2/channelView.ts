import { z } from 'zod'
import type { ChannelState } from '../../../channel'
import { bigintOf } from '../../../columns/kinds'
import { isAppError } from '../../../errors'
import type { ChannelRecord } from '../channels'
import type { PaymentServer } from '../server'
import { tableFor } from './priceTables'

/** The version 2 part of a channel's JSON (`channel.v2`; null for a v1 channel). */
export const channelV2Schema = z
  .object({
    categories: z.array(z.string()),
    origins: z.array(z.string().nullable()).meta({
      description:
        'Per category, the origin consumer whose requests it counts (lowercase address; exact transitive tracing), or null',
    }),
    prices: z
      .array(z.string())
      .nullable()
      .meta({ description: "The active token ID's price table (wei per request of each category)" }),
    pendingPrices: z.array(z.string()).nullable().meta({
      description:
        "The table the provider set for the next token ID, announced at the runner's next redemption start",
    }),
    issued: z.array(z.object({ tokenId: z.string(), requests: z.array(z.string()) })),
    accepted: z.array(
      z.object({
        tokenId: z.string(),
        requests: z
          .array(z.string())
          .meta({ description: 'The maximum accepted token: counts per category' }),
        prices: z.array(z.string()),
        value: z.string().meta({ description: 'What the maximum is worth at its prices (wei)' }),
        redeemedAmount: z.string().nullable(),
      }),
    ),
  })
  .nullable()
  .meta({
    description: 'Version 2 channels: categories, prices per token ID, counts per category; null for v1',
  })

/**
 * The active token ID's table; while the node does not answer, the one recorded in
 * payment_price_table (a view must not fail only because a table could not be read again).
 */
async function activePrices(server: PaymentServer, channel: ChannelRecord, state: ChannelState) {
  try {
    return await server.priceTables.tableOf(channel.address, state.activeTokenId)
  } catch (error) {
    if (!isAppError(error) || error.code !== 'chain_unavailable') throw error
    const rows = await server.db.paymentPriceTable.findMany({
      where: { chainId: server.chainId, channel: channel.address },
      orderBy: { fromTokenId: 'asc' },
    })
    const stored = rows.map((r) => ({ fromTokenId: bigintOf(r.fromTokenId), prices: r.prices.map(bigintOf) }))
    return tableFor(stored, state.activeTokenId)
  }
}

/** {@link channelV2Schema}'s value for `channel` (null for a v1 channel). */
export async function channelV2Json(server: PaymentServer, channel: ChannelRecord, state: ChannelState) {
  if (channel.contractVersion !== 2) return null
  const where = { chainId: server.chainId, channel: channel.address }
  const [issued, accepted, prices] = await Promise.all([
    server.db.paymentIssuedV2.findMany({ where, orderBy: { tokenId: 'desc' }, take: 5 }),
    server.db.paymentAcceptedV2.findMany({ where, orderBy: { tokenId: 'desc' }, take: 5 }),
    state.activeTokenId === 0n ? null : activePrices(server, channel, state),
  ])
  const text = (values: readonly { toFixed(): string }[]) => values.map((v) => v.toFixed())
  return {
    categories: channel.categories,
    origins: channel.origins,
    prices: prices?.map(String) ?? null,
    pendingPrices: channel.pendingPrices?.map(String) ?? null,
    issued: issued.map((r) => ({ tokenId: r.tokenId.toFixed(), requests: text(r.requests) })),
    accepted: accepted.map((r) => ({
      tokenId: r.tokenId.toFixed(),
      requests: text(r.requests),
      prices: text(r.prices),
      value: r.requests.reduce((sum, n, i) => sum + bigintOf(n) * bigintOf(r.prices[i] ?? 0), 0n).toString(),
      redeemedAmount: r.redeemedAmount?.toFixed() ?? null,
    })),
  }
}
