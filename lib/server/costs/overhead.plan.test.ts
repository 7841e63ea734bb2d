import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { parseWindow } from '../../costs/window'
import { Prisma } from '../db/generated/client'
import type { CostClock } from './clock'
import { feeRowsSql } from './overhead'

/*
 * The overhead's query reads by index, not by scanning: 6,000 blocks of 4 transactions each
 * (24,000), 1,500 channels, one hour's window at the end. Postgres's plan for it (EXPLAIN, after
 * ANALYZE) must touch `block` and `transaction` by index only.
 */

const BLOCKS = 6_000
const START = 1_800_000_000
let database: TestDatabase
beforeAll(async () => {
  database = await createTestDatabase()
  const { db } = database
  await db.$executeRaw`INSERT INTO block (chain_id, number, hash, parent_hash, timestamp, miner, gas_used, gas_limit, size, tx_count)
    SELECT 1, n, 'b' || n, 'b' || (n - 1), ${START} + n * 12, '0x00', 0, 30000000, 0, 4 FROM generate_series(1, ${BLOCKS}) n`
  await db.$executeRaw`INSERT INTO transaction (chain_id, hash, block_hash, block_number, tx_index, type, "from", "to",
      value, nonce, gas_limit, input, status, gas_used, effective_gas_price, fee, channel)
    SELECT 1, 't' || n || '_' || i, 'b' || n, n, i, 'eip1559', '0xa' || (n % 50), '0xc' || (n % 1500), 0, n, 500000,
      (ARRAY['0xd0e30db0', '0x38b0ea85', '0xe77c646d', '0x3ccfd60b'])[i + 1], 'success', 50000, 1000000000, 50000000000000,
      '0xc' || (n % 1500)
    FROM generate_series(1, ${BLOCKS}) n, generate_series(0, 3) i`
  await db.$executeRaw`INSERT INTO channel (chain_id, address, consumer, provider, cost_per_request, redemption_timeout,
      termination_timeout, opened_block, opened_tx, opened_at, consumer_funds, provider_funds, active_token_id,
      expiring_token_id, redeemable_at, last_token_id, terminates_at, terminated, total_deposited, total_redeemed,
      total_requests, total_withdrawn, redemptions, event_count, last_event_block)
    SELECT 1, '0xc' || k, '0xa' || (k % 50), '0xa' || ((k + 1) % 50), 1000, 60, 600, k + 1, 't' || (k + 1) || '_0',
      ${START} + (k + 1) * 12, 0, 0, 1, 0, 0, 1, 0, false, 0, 0, 0, 0, 0, 0, k + 1
    FROM generate_series(0, 1499) k`
  await db.$executeRawUnsafe('ANALYZE')
}, 120_000)
afterAll(() => database?.drop())

/** The clock of an answer read at the newest seeded block. */
const endClock = (): CostClock => ({
  chainId: 1,
  now: START + BLOCKS * 12,
  block: BigInt(BLOCKS),
  finalBlock: BigInt(BLOCKS - 12),
  finalityDepth: 12,
})

describe('the overhead query', () => {
  it('feeRowsSql() reads blocks and transactions by index for a window at the end of 24,000 transactions', async () => {
    const clock = endClock()
    const now = clock.now
    const window = parseWindow({ window: '1h' }, now)
    const [row] = await database.db.$queryRaw<Array<{ 'QUERY PLAN': unknown }>>(
      Prisma.sql`EXPLAIN (FORMAT JSON) ${feeRowsSql(clock, window)}`,
    )
    const scans: Array<{ type: string; relation: string; index?: string }> = []
    const walk = (node: Record<string, unknown>) => {
      if (typeof node['Relation Name'] === 'string')
        scans.push({
          type: node['Node Type'] as string,
          relation: node['Relation Name'],
          index: node['Index Name'] as string | undefined,
        })
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child)
    }
    const plan = row?.['QUERY PLAN'] as Array<{ Plan: Record<string, unknown> }> | undefined
    walk(plan?.[0]?.Plan ?? {})
    const of = (relation: string) => scans.filter((s) => s.relation === relation)
    expect(of('transaction').length).toBeGreaterThan(0)
    for (const s of [...of('transaction'), ...of('block')])
      expect(s.type, JSON.stringify(s)).not.toBe('Seq Scan')
    // And it answers: one hour is 300 blocks of 4 transactions.
    const rows = await database.db.$queryRaw<Array<{ txs: number }>>(feeRowsSql(clock, window))
    expect(rows.reduce((n, r) => n + r.txs, 0)).toBe(300 * 4)
  })

  it("feeRowsSql() for one service drops the window's other transactions before it joins the channels", async () => {
    const clock = endClock()
    const window = parseWindow({ window: 'all' }, clock.now)
    type Node = Record<string, unknown> & { Plans?: Node[] }
    const flat = (n: Node): Node[] => [n, ...(n.Plans ?? []).flatMap(flat)]
    const mostJoined = async (service?: string) => {
      const [row] = await database.db.$queryRaw<Array<{ 'QUERY PLAN': Array<{ Plan: Node }> }>>(
        Prisma.sql`EXPLAIN (ANALYZE, FORMAT JSON) ${feeRowsSql(clock, window, service)}`,
      )
      const joins = flat(row?.['QUERY PLAN'][0]?.Plan ?? {}).filter((n) =>
        /Join|Nested Loop/.test(n['Node Type'] as string),
      )
      return Math.max(...joins.map((n) => n['Actual Rows'] as number))
    }
    // 0xa7 sends 480 of the 24,000 transactions and is a party to 60 channels (960 of them).
    expect(await mostJoined()).toBe(24_000)
    expect(await mostJoined('0xa7')).toBeLessThanOrEqual(480 + 960)
    // And it keeps exactly the network read's rows that touch the service.
    type Row = {
      payer: string
      consumer: string | null
      provider: string | null
      channel: string | null
      action: string
    }
    const read = async (service?: string) => {
      const rows = await database.db.$queryRaw<Row[]>(feeRowsSql(clock, window, service))
      const key = (r: Row) => `${r.payer} ${r.channel} ${r.action}`
      return rows.sort((x, y) => key(x).localeCompare(key(y)))
    }
    const mine = await read('0xa7')
    expect(mine.length).toBeGreaterThan(0)
    expect(mine).toEqual((await read()).filter((r) => [r.payer, r.consumer, r.provider].includes('0xa7')))
  })
})
