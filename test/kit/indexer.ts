import type { Address, Hex } from 'viem'
import { Indexer, type IndexerOptions } from '../../indexer/indexer'
import { readChannelState } from '../../lib/channel'
import type { Db } from '../../lib/server/db/client'
import { createLogger, type Logger } from '../../lib/server/log'
import type { startTestChain } from './chain'

type TestChain = Awaited<ReturnType<typeof startTestChain>>

/** A logger that keeps every line (tests assert on the reorg and reset messages). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const make = (component: string): Logger => ({
    debug: (m) => lines.push(`[${component}] debug: ${m}`),
    info: (m) => lines.push(`[${component}] ${m}`),
    warn: (m) => lines.push(`[${component}] warn: ${m}`),
    error: (m) => lines.push(`[${component}] error: ${m}`),
    child: (name) => make(name),
  })
  return Object.assign(make('indexer'), { lines })
}

/** An indexer on the test chain and database, for a factory at a known block. */
export function testIndexer(
  p: {
    chain: TestChain
    db: Db
    factory:
      | { address: Address; blockNumber: bigint }
      | (() => { address: Address; blockNumber: bigint } | null)
    log?: Logger
  } & Partial<IndexerOptions>,
): Indexer {
  const { chain, db, factory, log, ...options } = p
  return new Indexer({
    db,
    rpcUrl: chain.url,
    resolveFactory: async () => {
      const f = typeof factory === 'function' ? factory() : factory
      return f ? { address: f.address.toLowerCase() as Hex, blockNumber: f.blockNumber } : null
    },
    log: log ?? createLogger({ level: 'error', component: 'indexer' }),
    pollMs: 20,
    ...options,
  })
}

/**
 * Every indexed row of a chain, in a stable order and as plain JSON (uint256 as strings), for
 * row-for-row comparisons between runs. Progress bookkeeping (timestamps, counters of past
 * reorgs and resets) is left out; the cursor and event count are in.
 */
export async function indexedRows(db: Db, chainId: number) {
  const q = (sql: string) => db.$queryRawUnsafe<Record<string, unknown>[]>(sql, chainId)
  const rows = {
    blocks: await q(`SELECT * FROM "block" WHERE "chain_id" = $1 ORDER BY "number"`),
    transactions: await q(
      `SELECT * FROM "transaction" WHERE "chain_id" = $1 ORDER BY "block_number", "tx_index"`,
    ),
    events: await q(`SELECT * FROM "event" WHERE "chain_id" = $1 ORDER BY "block_number", "log_index"`),
    channels: await q(`SELECT * FROM "channel" WHERE "chain_id" = $1 ORDER BY "address"`),
    state: await q(
      `SELECT "factory_address", "factory_block", "cursor_number", "cursor_hash", "events_indexed" FROM "indexer_state" WHERE "chain_id" = $1`,
    ),
  }
  return JSON.parse(
    JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
  ) as typeof rows
}

/** The indexed state of a channel in the contract's own terms (for comparison with readChannelState). */
export async function indexedChannelState(db: Db, chainId: number, address: Address) {
  const row = await db.channel.findUnique({
    where: { chainId_address: { chainId, address: address.toLowerCase() } },
  })
  if (!row) return null
  const big = (d: { toFixed(): string }) => BigInt(d.toFixed())
  return {
    address: row.address,
    consumer: row.consumer,
    provider: row.provider,
    costPerRequest: big(row.costPerRequest),
    redemptionTimeout: big(row.redemptionTimeout),
    terminationTimeout: big(row.terminationTimeout),
    consumerFunds: big(row.consumerFunds),
    providerFunds: big(row.providerFunds),
    activeTokenId: big(row.activeTokenId),
    expiringTokenId: big(row.expiringTokenId),
    redeemableAt: big(row.redeemableAt),
    lastTokenId: big(row.lastTokenId),
    terminatesAt: big(row.terminatesAt),
    terminated: row.terminated,
  }
}

/** What the contract itself reports, with addresses lowercase like the index keeps them. */
export async function contractChannelState(chain: TestChain, address: Address, blockNumber?: bigint) {
  const s = await readChannelState({ client: chain.publicClient, address, blockNumber })
  return {
    ...s,
    address: s.address.toLowerCase(),
    consumer: s.consumer.toLowerCase(),
    provider: s.provider.toLowerCase(),
  }
}
