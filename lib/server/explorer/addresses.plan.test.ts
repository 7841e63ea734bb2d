import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { createChainClient } from '../chain'
import type { ServerContext } from '../context'
import { Prisma } from '../db/generated/client'
import { addressPageSql, addressTransactions, addressTxWhere, type BlockRange } from './addresses'

/*
 * An address's pages read by index, not by sorting everything below the cursor: 12,000 blocks
 * of 4 transactions each (48,000) from 50 senders (720 each), to 1,500 channels; a quarter of
 * them sent by an address to itself, a quarter sent by the channel to itself (found twice by
 * the three reads). The pages must equal the `OR` read the address page had before.
 */

const BLOCKS = 12_000
const PAGE = 25
const SENDER = '0xa3'
let database: TestDatabase
let ctx: ServerContext

beforeAll(async () => {
  database = await createTestDatabase()
  const { db } = database
  await db.$executeRaw`INSERT INTO block (chain_id, number, hash, parent_hash, timestamp, miner, gas_used, gas_limit, size, tx_count)
    SELECT 1, n, 'b' || n, 'b' || (n - 1), 1800000000 + n * 12, '0x00', 0, 30000000, 0, 4 FROM generate_series(1, ${BLOCKS}) n`
  // i = 0, 1: a sender to a channel; i = 2: a sender to itself; i = 3: a channel to itself.
  await db.$executeRaw`INSERT INTO transaction (chain_id, hash, block_hash, block_number, tx_index, type, "from", "to",
      value, nonce, gas_limit, input, status, gas_used, effective_gas_price, fee, channel)
    SELECT 1, 't' || n || '_' || i, 'b' || n, n, i, 'eip1559',
      CASE WHEN i = 3 THEN '0xc' || (n % 1500) ELSE '0xa' || (n % 50) END,
      CASE WHEN i = 2 THEN '0xa' || (n % 50) ELSE '0xc' || (n % 1500) END,
      0, n, 500000, '0x', 'success', 50000, 1000000000, 50000000000000,
      CASE WHEN i = 2 THEN NULL ELSE '0xc' || (n % 1500) END
    FROM generate_series(1, ${BLOCKS}) n, generate_series(0, 3) i`
  await db.$executeRawUnsafe('ANALYZE')
  ctx = { db, chain: createChainClient({ rpcUrl: 'http://127.0.0.1:9' }), rpcUrl: 'http://127.0.0.1:9' }
})
afterAll(() => database?.drop())

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] }
const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)]

/** The executed plan of one page's read, flattened. */
async function planOf(sql: Prisma.Sql): Promise<PlanNode[]> {
  const [row] = await database.db.$queryRaw<Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>>(
    Prisma.sql`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
  )
  return nodes(row?.['QUERY PLAN'][0]?.Plan ?? {})
}

/** Every page of `address` by the pre-0012 read (one `OR`, ordered and limited), as hashes. */
async function orPages(address: string, blocks?: BlockRange): Promise<string[]> {
  const rows = await database.db.transaction.findMany({
    where: addressTxWhere(1, address, blocks),
    orderBy: [{ blockNumber: 'desc' }, { txIndex: 'desc' }],
    select: { hash: true },
  })
  return rows.map((r) => r.hash)
}

/** Every page of `address` through {@link addressTransactions}, following its cursors. */
async function walkPages(address: string, limit: number, blocks?: BlockRange) {
  const hashes: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const page: Awaited<ReturnType<typeof addressTransactions>> = await addressTransactions(ctx, {
      chainId: 1,
      address,
      cursor,
      limit,
      blocks,
    })
    hashes.push(...page.transactions.map((t) => t.hash))
    cursor = page.nextCursor
    pages++
  } while (cursor)
  return { hashes, pages }
}

describe("an address's pages", () => {
  it('addressPageSql() walks three indexes backwards from a deep cursor and sorts only a page each', async () => {
    // Below the cursor lie 360 of the sender's 720 rows; a page of the address page is 25.
    const plan = await planOf(
      addressPageSql({ chainId: 1, address: SENDER, after: [6000n, 0n], limit: PAGE + 1 }),
    )
    const scans = plan.filter((n) => n['Relation Name'] === 'transaction')
    expect(scans.map((s) => s['Index Name']).sort()).toEqual([
      'transaction_chain_id_channel_block_number_tx_index_idx',
      'transaction_chain_id_from_block_number_tx_index_idx',
      'transaction_chain_id_to_block_number_tx_index_idx',
    ])
    for (const s of scans) {
      expect(s['Node Type'], JSON.stringify(s)).toMatch(/^Index (Only )?Scan$/)
      expect(s['Scan Direction']).toBe('Backward')
      expect(s['Actual Rows'] as number).toBeLessThanOrEqual(PAGE + 1)
    }
    // What is sorted or deduplicated is the three pages, never the rows below the cursor.
    for (const n of plan.filter((n) => /Sort|Unique|Aggregate/.test(n['Node Type'] as string)))
      expect(n['Actual Rows'] as number, JSON.stringify(n['Node Type'])).toBeLessThanOrEqual(3 * (PAGE + 1))
  })

  it('addressTransactions() pages equal the OR read, each transaction once: a sender to itself, a channel to itself', async () => {
    for (const [address, limit] of [
      [SENDER, 100],
      [SENDER, 7],
      ['0xc7', 3],
    ] as const) {
      const expected = await orPages(address)
      const { hashes, pages } = await walkPages(address, limit)
      expect(hashes).toEqual(expected)
      expect(new Set(hashes).size).toBe(hashes.length)
      expect(pages).toBe(Math.max(1, Math.ceil(expected.length / limit)))
    }
    // The sender's self-sends (i = 2) are in once: 240 blocks of 3 transactions each.
    expect((await orPages(SENDER)).length).toBe(720)
    // The channel's: 8 blocks (7, 1507, …, 10507) of 3 rows each (i = 0, 1 to it; i = 3 from and to it).
    expect((await orPages('0xc7')).length).toBe(24)
  })

  it('a block range keeps to its blocks on every page', async () => {
    const blocks = { from: 1_000n, to: 1_999n }
    const { hashes } = await walkPages(SENDER, 50, blocks)
    expect(hashes).toEqual(await orPages(SENDER, blocks))
    expect(hashes.length).toBe(20 * 3)
  })
})
