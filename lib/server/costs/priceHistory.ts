import type { PriceTable } from '../../costs/api'
import { categoryName } from '../../costs/byCategory'
import { isoTime } from '../../costs/window'
import type { ServerContext } from '../context'
import { Prisma } from '../db/generated/client'
import { categoryNames } from './categories'
import type { CostClock } from './clock'

/**
 * The price history of version 2 channels at the clock's block, from the chain's own record:
 * each `PricesAnnounced` event is a table that prices token IDs from its `fromTokenId` up to the
 * next table's, and the `Redeemed` events of token IDs in that range say what was bought at it
 * (per category: the counts, and the category's share of the amounts paid, split as the rollups
 * split them). Both reads go by the event table's (chain, channel, block) index.
 */
export async function priceHistories(
  ctx: ServerContext,
  clock: CostClock,
  channels: readonly string[],
): Promise<Map<string, PriceTable[]>> {
  const out = new Map<string, PriceTable[]>()
  if (channels.length === 0 || clock.block === null) return out
  const list = [...channels]
  const tablesSql = announced(clock, list)
  const [tables, bought, names] = await Promise.all([
    ctx.db.$queryRaw<
      Array<{
        channel: string
        from_id: string
        to_id: string | null
        version: string
        block: bigint
        time: bigint
        tx: string
        prices: string[]
      }>
    >`SELECT channel, from_id::text AS from_id, to_id::text AS to_id, version, block, time, tx, prices
      FROM (${tablesSql}) AS a
      ORDER BY channel, from_id`,
    // Per table and category, and (category NULL) per table: a redemption counts once there.
    ctx.db.$queryRaw<
      Array<{
        channel: string
        from_id: string
        category: number | null
        requests: string
        paid: string
        redemptions: number
      }>
    >`SELECT a.channel, a.from_id::text AS from_id, s.category::int AS category,
             sum(s.requests)::text AS requests, sum(s.share)::text AS paid,
             count(DISTINCT (r.block_hash, r.log_index))::int AS redemptions
      FROM (${tablesSql}) AS a
      JOIN event r ON r.chain_id = ${clock.chainId} AND r.channel = a.channel AND r.name = 'Redeemed'
        AND r.block_number <= ${clock.block} AND jsonb_typeof(r.args->'requests') = 'array'
        AND (r.args->>'tokenId')::numeric >= a.from_id
        AND (a.to_id IS NULL OR (r.args->>'tokenId')::numeric < a.to_id)
      CROSS JOIN LATERAL redeemed_category_shares(r.args) AS s
      GROUP BY GROUPING SETS ((a.channel, a.from_id, s.category), (a.channel, a.from_id))`,
    categoryNames(ctx, clock.chainId, list),
  ])
  const key = (channel: string, fromId: string) => `${channel}/${fromId}`
  const perCategory = new Map<string, Map<number, { requests: string; paid: string }>>()
  const redemptions = new Map<string, number>()
  for (const b of bought) {
    const k = key(b.channel, b.from_id)
    if (b.category === null) {
      redemptions.set(k, b.redemptions)
      continue
    }
    const m = perCategory.get(k) ?? new Map<number, { requests: string; paid: string }>()
    m.set(b.category, { requests: b.requests, paid: b.paid })
    perCategory.set(k, m)
  }
  for (const t of tables) {
    const k = key(t.channel, t.from_id)
    const history = out.get(t.channel) ?? []
    history.push({
      fromTokenId: t.from_id,
      toTokenId: t.to_id,
      version: Number(t.version),
      block: t.block.toString(),
      time: isoTime(Number(t.time)),
      tx: t.tx,
      categories: t.prices.map((price, i) => ({
        category: i,
        name: categoryName(names.get(t.channel), i),
        price,
        requests: perCategory.get(k)?.get(i)?.requests ?? '0',
        paid: perCategory.get(k)?.get(i)?.paid ?? '0',
      })),
      redemptions: redemptions.get(k) ?? 0,
    })
    out.set(t.channel, history)
  }
  return out
}

/**
 * The channels' PricesAnnounced events at the clock's block as SQL (channel, from_id, to_id,
 * version, block, time, tx, prices): `to_id` is the next table's first token ID, NULL for the
 * current one.
 */
function announced(clock: CostClock, channels: string[]): Prisma.Sql {
  return Prisma.sql`
    SELECT channel, (args->>'fromTokenId')::numeric AS from_id,
           lead((args->>'fromTokenId')::numeric) OVER (PARTITION BY channel ORDER BY block_number, log_index) AS to_id,
           (args->>'version')::text AS version, block_number AS block, block_timestamp AS time, tx_hash AS tx,
           ARRAY(SELECT jsonb_array_elements_text(args->'prices')) AS prices
    FROM event
    WHERE chain_id = ${clock.chainId} AND channel = ANY(${channels}) AND name = 'PricesAnnounced'
      AND block_number <= ${clock.block ?? -1n}`
}
