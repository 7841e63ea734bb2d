import { NotFoundError } from '../../errors'
import { errorText } from '../../errorText'
import type { BlockDetail, BlockPage, TxSummary } from '../../explorer/api'
import type { ServerContext } from '../context'
import { blockFromRow } from '../db/codecs/block'
import { txFromRow } from '../db/codecs/transaction'
import { blockNumberParam, numberCursor } from '../http/params'
import { indexedChain, requireNode } from '../indexedChain'
import type { RpcBlock, RpcReceipt, RpcTransaction } from '../rpc'
import { labelsFor } from '../services'
import { headOf } from './blockTimes'
import { blockFromRpc, rpcOf, txFromRpc } from './node'
import { targetsFor } from './targets'

/** Receipts fetched for a block's transaction list; past this, statuses of the rest stay unknown. */
const MAX_RECEIPTS = 500

/** Indexed blocks, newest first; `cursor` is the number of the last block of the previous page. */
export async function listBlocks(
  ctx: ServerContext,
  { cursor, limit = 25 }: { cursor?: string | null; limit?: number } = {},
): Promise<BlockPage> {
  const view = await indexedChain(ctx)
  const before = numberCursor(cursor)
  const rows = await ctx.db.block.findMany({
    where: { chainId: view.chainId, ...(before === null ? {} : { number: { lt: before } }) },
    orderBy: { number: 'desc' },
    take: limit + 1,
  })
  const page = rows.slice(0, limit)
  const [head, labels] = await Promise.all([
    headOf(ctx, view),
    labelsFor(
      ctx,
      view,
      page.map((b) => b.miner),
    ),
  ])
  return {
    blocks: page.map(blockFromRow),
    nextCursor: rows.length > limit ? (page.at(-1)?.number.toString() ?? null) : null,
    head,
    labels,
  }
}

/**
 * A block by number: its header from the index (else from the node, for blocks the index
 * skips) and all its transactions from the node, with status, method and labels; without
 * the node, the indexed transactions only.
 */
export async function getBlock(ctx: ServerContext, numberText: string): Promise<BlockDetail> {
  const number = blockNumberParam(numberText)
  const view = await indexedChain(ctx)
  const row = await ctx.db.block.findUnique({ where: { chainId_number: { chainId: view.chainId, number } } })

  let node: RpcBlock | null = null
  if (view.head && number <= view.head.number) {
    const rpc = rpcOf(ctx)
    try {
      node = (await rpc.getBlocks([number], true))[0] ?? null
    } catch (error) {
      // With the header indexed, the page still shows; only the transaction list shrinks.
      if (!row) requireNode({ ...view, head: null, nodeError: errorText(error) }, `Block ${number}`)
    }
  }
  if (!row && !node) {
    if (!view.head) requireNode(view, `Block ${number}`)
    throw new NotFoundError({
      code: 'not_found',
      message: `Block ${number} does not exist yet on chain ${view.chainId}: the newest block is ${view.head?.number}.`,
    })
  }
  const header = row ? blockFromRow(row) : blockFromRpc(node as RpcBlock)
  const parentHash = row?.parentHash ?? (node as RpcBlock).parentHash.toLowerCase()
  const timestamp = header.timestamp

  const indexed = await ctx.db.transaction.findMany({
    where: { chainId: view.chainId, blockNumber: number },
    orderBy: { txIndex: 'asc' },
  })
  const indexedByHash = new Map(indexed.map((t) => [t.hash, t]))

  let transactions: TxSummary[]
  let transactionsSource: BlockDetail['transactionsSource'] = 'index'
  // The node's block must be the indexed one (not a reorged twin) for the two to be merged.
  if (node && (!row || node.hash.toLowerCase() === row.hash)) {
    const txs = node.transactions as RpcTransaction[]
    const unindexed = txs.filter((t) => !indexedByHash.has(t.hash.toLowerCase()))
    const receipts = new Map<string, RpcReceipt>()
    if (unindexed.length > 0) {
      const wanted = unindexed.slice(0, MAX_RECEIPTS).map((t) => t.hash)
      const got = await rpcOf(ctx)
        .getReceipts(wanted)
        .catch(() => [])
      for (const r of got) if (r) receipts.set(r.transactionHash.toLowerCase(), r)
    }
    const targets = await targetsFor(
      ctx,
      view,
      unindexed.map((t) => t.to),
    )
    transactions = txs.map((t) => {
      const hit = indexedByHash.get(t.hash.toLowerCase())
      return hit
        ? txFromRow(hit, timestamp)
        : txFromRpc(t, receipts.get(t.hash.toLowerCase()) ?? null, timestamp, targets)
    })
    transactionsSource = 'node'
  } else {
    transactions = indexed.map((t) => txFromRow(t, timestamp))
  }
  const labels = await labelsFor(ctx, view, [
    header.miner,
    ...transactions.flatMap((t) => [t.from, t.to, t.contractAddress]),
  ])
  return {
    block: { ...header, parentHash, source: row ? 'index' : 'node' },
    transactions,
    transactionsSource,
    labels,
  }
}

/** The number of the block with this hash (index first, then node), or null. */
export async function blockNumberByHash(
  ctx: ServerContext,
  chainId: number,
  hash: string,
): Promise<bigint | null> {
  const row = await ctx.db.block.findUnique({
    where: { chainId_hash: { chainId, hash } },
    select: { number: true },
  })
  if (row) return row.number
  const block = await ctx.chain.getBlock({ blockHash: hash as `0x${string}` }).catch(() => null)
  return block?.number ?? null
}
