/**
 * The measurements of `npm run bench:indexer`: raw eth_getLogs, the decoders, a timed backfill
 * (RPC calls, writes, memory), the writes alone, and the live lag.
 */
import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import pg from 'pg'
import type { Hex } from 'viem'
import type { Batch, EventRow } from '../../indexer/batch'
import { Indexer } from '../../indexer/indexer'
import { createStore } from '../../indexer/store'
import { channelEventTopics } from '../../lib/channelEvents'
import type { Db } from '../../lib/server/db/client'
import { createLogger } from '../../lib/server/log'
import { hex, type RpcLog } from '../../lib/server/rpc'
import type { BenchChain } from './eventPump'

const _EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000)
const _PER_TX = Number(process.env.BENCH_EVENTS_PER_TX ?? 2_000)
/** A new channel every this many transactions (the rest deposit into the current one). */
const _TX_PER_CHANNEL = 5
const LIVE_SAMPLES = Number(process.env.BENCH_LIVE_SAMPLES ?? 15)
/** Logs per eth_getLogs request in the raw measurement: the indexer's default `targetLogs`. */
export const TARGET_LOGS = 5_000
/** Logs decoded for the decoder rates. */
export const DECODE_SAMPLE = 20_000
/** Write a CPU profile of the (last) backfill here (open it in Chrome DevTools or speedscope). */
const PROFILE = process.env.BENCH_CPU_PROFILE
const _TARGETS = { indexedPerSecond: 20_000, ratioToRaw: 0.25, liveLagMs: 1_000 }

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`
export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`
export const since = (t: number) => performance.now() - t
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

/** Block ranges of about TARGET_LOGS logs each, from the per-block log counts. */
export function rangesOf(perBlock: Map<bigint, number>, from: bigint, to: bigint): [bigint, bigint][] {
  const ranges: [bigint, bigint][] = []
  let start = from
  let logs = 0
  for (let n = from; n <= to; n++) {
    logs += perBlock.get(n) ?? 0
    if (logs >= TARGET_LOGS || n === to) {
      ranges.push([start, n])
      start = n + 1n
      logs = 0
    }
  }
  return ranges
}

/** eth_getLogs over `ranges` with plain fetch + JSON.parse; the logs are only counted unless `keep`. */
export async function rawGetLogs(url: string, ranges: [bigint, bigint][], keep = false) {
  const kept: RpcLog[] = []
  let count = 0
  let bytes = 0
  const started = performance.now()
  for (const [from, to] of ranges) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'eth_getLogs',
        params: [{ fromBlock: hex(from), toBlock: hex(to), topics: [channelEventTopics] }],
      }),
    })
    const text = await res.text()
    bytes += text.length
    const { result } = JSON.parse(text) as { result: RpcLog[] }
    count += result.length
    if (keep) for (const log of result) kept.push(log)
  }
  return { count, bytes, ms: since(started), logs: kept }
}

/** Rate of `fn` over the logs (best of 3 passes). */
export function decodeRate(logs: RpcLog[], fn: (logs: RpcLog[]) => number): number {
  let best = 0
  for (let pass = 0; pass < 3; pass++) {
    const started = performance.now()
    const decoded = fn(logs)
    if (decoded !== logs.length) throw new Error(`decoded ${decoded} of ${logs.length} logs`)
    best = Math.max(best, logs.length / (since(started) / 1000))
  }
  return best
}

/** Wraps `object[name]` (an async method) to add its calls and wall time to `into`. */
export function timeMethod<T extends object>(object: T, name: keyof T, into: { calls: number; ms: number }) {
  const original = object[name] as unknown as (...args: unknown[]) => Promise<unknown>
  ;(object as Record<keyof T, unknown>)[name] = async (...args: unknown[]) => {
    const started = performance.now()
    try {
      return await original.apply(object, args)
    } finally {
      into.calls++
      into.ms += since(started)
    }
  }
}

export async function countEvents(db: Db, chainId: number) {
  const [row] = await db.$queryRawUnsafe<{ rows: bigint; indexed: bigint }[]>(
    `SELECT (SELECT count(*) FROM "event" WHERE "chain_id" = $1) AS rows,
            (SELECT "events_indexed" FROM "indexer_state" WHERE "chain_id" = $1) AS indexed`,
    chainId,
  )
  return { rows: Number(row!.rows), indexed: Number(row!.indexed) }
}

export type Timing = Record<'getLogs' | 'getBlocks' | 'getReceipts' | 'write', { calls: number; ms: number }>

/** `syncToHead()` on a new Indexer, timed, with RSS sampled and the time in RPC calls and DB writes. */
export async function measureBackfill(p: {
  db: Db
  rpcUrl: string
  factory: { address: Hex; blockNumber: bigint }
  maxBlockRange?: number
}) {
  const indexer = new Indexer({
    db: p.db,
    rpcUrl: p.rpcUrl,
    resolveFactory: async () => p.factory,
    log: createLogger({ level: 'warn', component: 'indexer' }),
    maxBlockRange: p.maxBlockRange,
  })
  const timing: Timing = {
    getLogs: { calls: 0, ms: 0 },
    getBlocks: { calls: 0, ms: 0 },
    getReceipts: { calls: 0, ms: 0 },
    write: { calls: 0, ms: 0 },
  }
  timeMethod(indexer.rpc, 'getLogs', timing.getLogs)
  timeMethod(indexer.rpc, 'getBlocks', timing.getBlocks)
  timeMethod(indexer.rpc, 'getReceipts', timing.getReceipts)
  // The store writes each range in one interactive transaction.
  const transaction = p.db.$transaction
  timeMethod(p.db, '$transaction', timing.write)
  const rssBefore = process.memoryUsage().rss
  let rssPeak = rssBefore
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
  }, 20)
  const profiler = PROFILE ? new Session() : undefined
  if (profiler) {
    profiler.connect()
    await profiler.post('Profiler.enable')
    await profiler.post('Profiler.start')
  }
  const started = performance.now()
  let error: unknown
  await indexer.syncToHead().catch((e) => {
    error = e
  })
  const ms = since(started)
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop')
    await writeFile(PROFILE!, JSON.stringify(profile))
    profiler.disconnect()
  }
  clearInterval(sampler)
  p.db.$transaction = transaction
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
  return { indexer, ms, error, rssBefore, rssPeak, timing }
}

/**
 * The indexer's store alone: `writeBatch` of the event rows the backfill wrote (read back, so
 * no RPC or decoding), one batch per range of `ranges`, under another chain id. The ceiling of
 * the write half of the pipeline.
 */
export async function measureWriteOnly(db: Db, chainId: number, ranges: [bigint, bigint][]): Promise<number> {
  const rows = await db.$queryRawUnsafe<
    {
      block_hash: Hex
      log_index: number
      block_number: bigint
      block_timestamp: bigint
      tx_hash: Hex
      tx_index: number
      address: Hex
      channel: Hex
      name: string
      args: unknown
      topics: Hex[]
      data: Hex
    }[]
  >(`SELECT * FROM "event" WHERE "chain_id" = $1 ORDER BY "block_number", "log_index"`, chainId)
  const copyChain = chainId + 1_000_000
  const store = createStore({ db, chainId: copyChain })
  await store.initState({ factory: '0x0000000000000000000000000000000000000001', factoryBlock: 0n })
  const batches: Batch[] = ranges.map(([from, to]) => {
    const events: EventRow[] = rows
      .filter((r) => r.block_number >= from && r.block_number <= to)
      .map((r) => ({
        blockHash: r.block_hash,
        logIndex: r.log_index,
        blockNumber: r.block_number,
        blockTimestamp: r.block_timestamp,
        txHash: r.tx_hash,
        txIndex: r.tx_index,
        address: r.address,
        channel: r.channel,
        name: r.name,
        args: r.args as Record<string, unknown>,
        topics: r.topics,
        data: r.data,
      }))
    const cursor = { number: to, hash: events.at(-1)?.blockHash ?? '0x', timestamp: 0n }
    return {
      blocks: [],
      recent: [],
      transactions: [],
      events,
      channels: [],
      cursor,
      head: { number: to, timestamp: 0n },
      phase: 'backfill',
      recentFrom: 0n,
    }
  })
  const started = performance.now()
  for (const batch of batches) await store.writeBatch(batch)
  const ms = since(started)
  await db.$executeRawUnsafe('DELETE FROM "event" WHERE "chain_id" = $1', copyChain)
  await db.$executeRawUnsafe('DELETE FROM "indexer_state" WHERE "chain_id" = $1', copyChain)
  return rows.length / (ms / 1000)
}

/**
 * Milliseconds from a transaction's receipt (its block is mined) until its events are rows in
 * Postgres, for LIVE_SAMPLES transactions of 10 deposits; a block not indexed within 10 s
 * counts as 10 s and ends the measurement.
 */
export async function measureLiveLag(p: { chain: BenchChain; databaseUrl: string; chainId: number }) {
  const watcher = new pg.Client({ connectionString: p.databaseUrl })
  await watcher.connect()
  const lags: number[] = []
  try {
    await sleep(300)
    for (let i = 0; i < LIVE_SAMPLES; i++) {
      await sleep((i * 97) % 250) // spread the samples over the indexer's poll interval
      const { events, blockNumber } = await p.chain.pump(10)
      const mined = performance.now()
      for (;;) {
        const { rows } = await watcher.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "event" WHERE "chain_id" = $1 AND "block_number" = $2`,
          [p.chainId, blockNumber.toString()],
        )
        if (rows[0]!.n >= events || since(mined) > 10_000) break
        await sleep(2)
      }
      lags.push(since(mined))
      if (since(mined) > 10_000) break
    }
  } finally {
    await watcher.end()
  }
  return lags
}
