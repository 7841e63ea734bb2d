import { isoSeconds } from '../../columns/kinds'
import type { Head } from '../../explorer/api'
import type { ServerContext } from '../context'
import type { IndexedChain } from '../indexedChain'

/** Average seconds per block over the newest indexed blocks; null with fewer than two. */
async function recentBlockTime(ctx: ServerContext, chainId: number): Promise<number | null> {
  const rows = await ctx.db.block.findMany({
    where: { chainId },
    orderBy: { number: 'desc' },
    take: 50,
    select: { number: true, timestamp: true },
  })
  const newest = rows[0]
  const oldest = rows.at(-1)
  if (!newest || !oldest || newest.number === oldest.number) return null
  return Number(newest.timestamp - oldest.timestamp) / Number(newest.number - oldest.number)
}

/** The chain's head as list answers show it: the node's head, the indexed head, the block time. */
export async function headOf(ctx: ServerContext, chain: IndexedChain): Promise<Head> {
  return {
    number: chain.head?.number.toString() ?? null,
    timestamp: chain.head ? isoSeconds(chain.head.timestamp) : null,
    indexed: chain.indexed?.toString() ?? null,
    blockTimeSeconds: await recentBlockTime(ctx, chain.chainId),
  }
}

/** Block times by number for indexed blocks (one query). */
export async function blockTimes(
  ctx: ServerContext,
  chainId: number,
  numbers: Iterable<bigint>,
): Promise<Map<bigint, string>> {
  const wanted = [...new Set(numbers)]
  if (wanted.length === 0) return new Map()
  const rows = await ctx.db.block.findMany({
    where: { chainId, number: { in: wanted } },
    select: { number: true, timestamp: true },
  })
  return new Map(rows.map((r) => [r.number, isoSeconds(r.timestamp)]))
}
