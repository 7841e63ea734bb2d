import type { Hex } from 'viem'
import type { AddressDetail, TxSummary } from '../../explorer/api'
import type { ServerContext } from '../context'
import { channelFromRow } from '../db/codecs/channel'
import { txFromRow } from '../db/codecs/transaction'
import { Prisma } from '../db/generated/client'
import { addressParam, pairCursor } from '../http/params'
import { indexedChain } from '../indexedChain'
import { labelsFor } from '../services'
import { blockTimes, headOf } from './blockTimes'

/**
 * An address: balance, nonce and whether it holds code (from the node), its label, the
 * channel it is (if it is one), the channels where it is a party, and its indexed transactions
 * (sent, received, or about it as a channel), newest first, paginated by `<block>:<position>`.
 */
export async function getAddress(
  ctx: ServerContext,
  addressText: string,
  { cursor, limit = 25 }: { cursor?: string | null; limit?: number } = {},
): Promise<AddressDetail> {
  const address = addressParam(addressText)
  const view = await indexedChain(ctx)
  const node = view.head
    ? await Promise.all([
        ctx.chain.getBalance({ address }),
        ctx.chain.getTransactionCount({ address }),
        ctx.chain.getCode({ address }),
      ]).catch(() => null)
    : null
  const [self, parties, { transactions, nextCursor }] = await Promise.all([
    ctx.db.channel.findUnique({ where: { chainId_address: { chainId: view.chainId, address } } }),
    ctx.db.channel.findMany({
      where: { chainId: view.chainId, OR: [{ consumer: address }, { provider: address }] },
      orderBy: [{ openedBlock: 'desc' }, { address: 'desc' }],
      take: 200,
    }),
    addressTransactions(ctx, { chainId: view.chainId, address, cursor, limit }),
  ])
  const channels = parties.map(channelFromRow)
  const head = await headOf(ctx, view)
  const labels = await labelsFor(ctx, view, [
    address,
    ...channels.flatMap((c) => [c.address, c.consumer, c.provider]),
    ...transactions.flatMap((t) => [t.from, t.to]),
  ])
  const code = node?.[2] as Hex | undefined
  return {
    address,
    kind: node ? (code && code !== '0x' ? 'contract' : 'account') : null,
    balance: node?.[0].toString() ?? null,
    nonce: node ? String(node[1]) : null,
    label: labels[address] ?? null,
    channel: self ? channelFromRow(self) : null,
    channels,
    transactions,
    nextCursor,
    head,
    labels,
  }
}

/** Blocks from `from` to `to`, both included; null leaves that end open. */
export type BlockRange = { from: bigint | null; to: bigint | null }

/** The where-fragment of rows whose `blockNumber` is in `range`. */
export const inBlocks = (range: BlockRange | undefined) =>
  range && (range.from !== null || range.to !== null)
    ? {
        blockNumber: {
          ...(range.from !== null && { gte: range.from }),
          ...(range.to !== null && { lte: range.to }),
        },
      }
    : {}

/** Which of an address's transactions: sent, received, or about it as a channel, within `blocks`. */
export const addressTxWhere = (chainId: number, address: string, blocks?: BlockRange) => ({
  chainId,
  ...inBlocks(blocks),
  OR: [{ from: address }, { to: address }, { channel: address }],
})

/**
 * The keys of one page of an address's transactions (see {@link addressTxWhere}), newest first,
 * `limit` rows. Sent, received and about-it-as-a-channel are read apart, each newest first from
 * its own (chain_id, column, block_number, tx_index) index (migration 0012) and limited, so a
 * page reads at most three pages of index whatever lies below the cursor; an `OR` of the three
 * gathered and sorted every matching row below it. UNION drops a transaction found twice (sent
 * to itself, or by the address to its own channel); the newest `limit` of the three pages are
 * the newest `limit` of all. addresses.plan.test.ts checks the plan.
 */
export function addressPageSql({
  chainId,
  address,
  after,
  limit,
  blocks,
}: {
  chainId: number
  address: string
  after: readonly [bigint, bigint] | null
  limit: number
  blocks?: BlockRange
}): Prisma.Sql {
  const rangeSql = Prisma.sql`${blocks?.from != null ? Prisma.sql` AND block_number >= ${blocks.from}` : Prisma.empty}${
    blocks?.to != null ? Prisma.sql` AND block_number <= ${blocks.to}` : Prisma.empty
  }${after ? Prisma.sql` AND (block_number, tx_index) < (${after[0]}, ${Number(after[1])})` : Prisma.empty}`
  const one = (column: Prisma.Sql) => Prisma.sql`(SELECT hash, block_number, tx_index FROM transaction
    WHERE chain_id = ${chainId} AND ${column} = ${address}${rangeSql}
    ORDER BY block_number DESC, tx_index DESC LIMIT ${limit})`
  return Prisma.sql`${one(Prisma.sql`"from"`)} UNION ${one(Prisma.sql`"to"`)} UNION ${one(Prisma.sql`channel`)}
    ORDER BY block_number DESC, tx_index DESC LIMIT ${limit}`
}

/**
 * One page of an address's indexed transactions (see {@link addressTxWhere}), newest first,
 * with their block times; `cursor` and `nextCursor` are `<block>:<position>`. The address page,
 * its JSON answer and its CSV export read through it: the page's keys by {@link addressPageSql},
 * then its rows by primary key.
 */
export async function addressTransactions(
  ctx: ServerContext,
  {
    chainId,
    address,
    cursor,
    limit,
    blocks,
  }: { chainId: number; address: string; cursor?: string | null; limit: number; blocks?: BlockRange },
): Promise<{ transactions: TxSummary[]; nextCursor: string | null }> {
  const after = pairCursor(cursor)
  const keys = await ctx.db.$queryRaw<Array<{ hash: string; block_number: bigint; tx_index: number }>>(
    addressPageSql({ chainId, address, after, limit: limit + 1, blocks }),
  )
  const pageKeys = keys.slice(0, limit).map((k) => k.hash)
  const found = await ctx.db.transaction.findMany({ where: { chainId, hash: { in: pageKeys } } })
  const byHash = new Map(found.map((t) => [t.hash, t]))
  // In the keys' order; a row deleted in between (a reorg) is left out.
  const page = pageKeys.flatMap((h) => byHash.get(h) ?? [])
  const last = keys[limit - 1]
  const times = await blockTimes(
    ctx,
    chainId,
    page.map((t) => t.blockNumber),
  )
  return {
    transactions: page.map((t) => txFromRow(t, times.get(t.blockNumber) ?? null)),
    nextCursor: keys.length > limit && last ? `${last.block_number}:${last.tx_index}` : null,
  }
}
