import { BadRequestError, NotFoundError } from '../../errors'
import { eventCsv, txCsv } from '../../explorer/csv'
import type { ServerContext } from '../context'
import { logCall } from '../http/callLog'
import { addressParam } from '../http/params'
import { indexedChain } from '../indexedChain'
import { addressTransactions, addressTxWhere, type BlockRange } from './addresses'
import { eventPage, eventWhere } from './channels'
import { type ExportQuery, exportBlocks, exportQuery } from './exportRange'

/**
 * The explorer's CSV exports, as Etherscan's and Blockscout's: an address's transactions and a
 * channel's events, newest first (the pages' order), streamed a page at a time through the same
 * cursor reads as the pages, so a file of 100,000 rows holds one page in memory.
 */

/** Rows read per page while streaming: large enough that a 100k export is 100 queries. */
const EXPORT_PAGE = 1_000

/** How an export reads: `pageSize` rows per query (tests page through a few rows). */
export type ExportOptions = { pageSize?: number }

type Page<Row> = { rows: Row[]; nextCursor: string | null }

/**
 * A CSV download: the header, then pages of `read` from the first cursor to the last, each row
 * through `line`. The stream pulls a page only when the client has taken the previous one.
 */
function csvResponse<Row>({
  name,
  filename,
  header,
  line,
  read,
}: {
  /** The operation, for the log line of a failure while streaming. */
  name: string
  filename: string
  header: string
  line: (row: Row) => string
  read: (cursor: string | null) => Promise<Page<Row>>
}): Response {
  const encoder = new TextEncoder()
  const started = performance.now()
  let cursor: string | null = null
  let done = false
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(header))
    },
    async pull(controller) {
      if (done) return controller.close()
      try {
        const page = await read(cursor)
        if (page.rows.length > 0) controller.enqueue(encoder.encode(page.rows.map(line).join('')))
        cursor = page.nextCursor
        done = cursor === null
        if (done) controller.close()
      } catch (failure) {
        // The 200 and the first rows are sent: the client sees a cut-off download, the log why.
        logCall('api', name, { status: 500, ms: performance.now() - started, failure })
        controller.error(failure)
      }
    },
  })
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  })
}

/** 400 `too_many_rows` when the export would hold more than `limit` rows (counted before any is sent). */
function requireAtMost(count: number, limit: number, what: string): void {
  if (count > limit) {
    throw new BadRequestError({
      code: 'too_many_rows',
      message: `${what} hold more than ${limit.toLocaleString('en-US')} rows, the most one file may hold: narrow it with fromBlock and toBlock, or fromDate and toDate.`,
      hints: ['fromDate=2026-12-01&toDate=2026-12-07 exports one week.'],
    })
  }
}

/** The file name's range part: `-blocks-<from>-<to>` when the export is limited to some. */
const rangeSuffix = (q: ExportQuery, blocks: BlockRange) =>
  Object.values(q.blocks).some((b) => b !== null) || Object.values(q.dates).some((d) => d !== null)
    ? `-blocks-${blocks.from ?? 0}-${blocks.to ?? 'latest'}`
    : ''

/** What every export reads first: the chain, the address, and the blocks it covers. */
async function begin(ctx: ServerContext, addressText: string, query: URLSearchParams) {
  const address = addressParam(addressText)
  const q = exportQuery(query)
  const view = await indexedChain(ctx)
  const blocks = await exportBlocks(ctx, { chainId: view.chainId, indexed: view.indexed, query: q })
  return { address, q, chainId: view.chainId, blocks }
}

/**
 * GET /api/address/{address}/transactions.csv: the address's indexed transactions (sent,
 * received, or about it as a channel) as its page lists them, newest first; see `txCsv` for
 * the columns. 400 for a bad address, range or limit, or more rows than `limit`.
 */
export async function exportAddressTransactions(
  ctx: ServerContext,
  addressText: string,
  query: URLSearchParams,
  { pageSize = EXPORT_PAGE }: ExportOptions = {},
): Promise<Response> {
  const { address, q, chainId, blocks } = await begin(ctx, addressText, query)
  const count = await ctx.db.transaction.count({
    where: addressTxWhere(chainId, address, blocks),
    take: q.limit + 1,
  })
  requireAtMost(count, q.limit, `The transactions of ${address}`)
  return csvResponse({
    name: 'exportAddressTransactions',
    filename: `transactions-${address}-chain-${chainId}${rangeSuffix(q, blocks)}.csv`,
    ...txCsv,
    read: async (cursor) => {
      const page = await addressTransactions(ctx, { chainId, address, cursor, limit: pageSize, blocks })
      return { rows: page.transactions, nextCursor: page.nextCursor }
    },
  })
}

/**
 * GET /api/channels/{address}/events.csv: the channel's events as its timeline shows them,
 * newest first, arguments decoded; see `eventCsv` for the columns. 404 for an address that is
 * no indexed channel; 400 as {@link exportAddressTransactions}.
 */
export async function exportChannelEvents(
  ctx: ServerContext,
  addressText: string,
  query: URLSearchParams,
  { pageSize = EXPORT_PAGE }: ExportOptions = {},
): Promise<Response> {
  const { address, q, chainId, blocks } = await begin(ctx, addressText, query)
  const channel = await ctx.db.channel.findUnique({
    where: { chainId_address: { chainId, address } },
    select: { address: true },
  })
  if (!channel) {
    throw new NotFoundError({
      code: 'not_found',
      message: `${address} is not an indexed channel on chain ${chainId}.`,
      hints: [`/api/address/${address}/transactions.csv exports any address's transactions.`],
    })
  }
  const count = await ctx.db.event.count({ where: eventWhere(chainId, address, blocks), take: q.limit + 1 })
  requireAtMost(count, q.limit, `The events of channel ${address}`)
  return csvResponse({
    name: 'exportChannelEvents',
    filename: `channel-events-${address}-chain-${chainId}${rangeSuffix(q, blocks)}.csv`,
    ...eventCsv,
    read: async (cursor) => {
      const page = await eventPage(ctx, { chainId, channel: address, cursor, limit: pageSize, blocks })
      return { rows: page.events, nextCursor: page.nextCursor }
    },
  })
}
