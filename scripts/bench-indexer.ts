import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import pg from 'pg'
import { type Hex, parseEventLogs } from 'viem'
import { intermediaryAbi, intermediaryFactoryAbi } from '../contracts/generated'
import { Indexer } from '../indexer/indexer'
import { type Batch, createStore, type EventRow } from '../indexer/store'
import { channelEventTopics, decodeChannelEvent } from '../lib/channelEvents'
import { createDb, type Db } from '../lib/server/db/client'
import { migrate } from '../lib/server/db/migrate'
import { createLogger } from '../lib/server/log'
import { createRpc, hex, type RpcLog } from '../lib/server/rpc'
import { startAnvil } from '../stack/anvil'
import { freshDatabase } from './bench/database'
import { type BenchChain, createBenchChain, GAS_PER_DEPOSIT } from './bench/eventPump'

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000)
const PER_TX = Number(process.env.BENCH_EVENTS_PER_TX ?? 2_000)
/** A new channel every this many transactions (the rest deposit into the current one). */
const TX_PER_CHANNEL = 5
const LIVE_SAMPLES = Number(process.env.BENCH_LIVE_SAMPLES ?? 15)
/** Logs per eth_getLogs request in the raw measurement: the indexer's default `targetLogs`. */
const TARGET_LOGS = 5_000
/** Logs decoded for the decoder rates. */
const DECODE_SAMPLE = 20_000
/** Write a CPU profile of the (last) backfill here (open it in Chrome DevTools or speedscope). */
const PROFILE = process.env.BENCH_CPU_PROFILE
const TARGETS = { indexedPerSecond: 20_000, ratioToRaw: 0.25, liveLagMs: 1_000 }

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`
const since = (t: number) => performance.now() - t
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

/** Block ranges of about TARGET_LOGS logs each, from the per-block log counts. */
function rangesOf(perBlock: Map<bigint, number>, from: bigint, to: bigint): [bigint, bigint][] {
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
async function rawGetLogs(url: string, ranges: [bigint, bigint][], keep = false) {
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
function decodeRate(logs: RpcLog[], fn: (logs: RpcLog[]) => number): number {
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
function timeMethod<T extends object>(object: T, name: keyof T, into: { calls: number; ms: number }) {
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

async function countEvents(db: Db, chainId: number) {
  const [row] = await db.$queryRawUnsafe<{ rows: bigint; indexed: bigint }[]>(
    `SELECT (SELECT count(*) FROM "event" WHERE "chain_id" = $1) AS rows,
            (SELECT "events_indexed" FROM "indexer_state" WHERE "chain_id" = $1) AS indexed`,
    chainId,
  )
  return { rows: Number(row!.rows), indexed: Number(row!.indexed) }
}

type Timing = Record<'getLogs' | 'getBlocks' | 'getReceipts' | 'write', { calls: number; ms: number }>

/** `syncToHead()` on a new Indexer, timed, with RSS sampled and the time in RPC calls and DB writes. */
async function measureBackfill(p: {
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
async function measureWriteOnly(db: Db, chainId: number, ranges: [bigint, bigint][]): Promise<number> {
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
async function measureLiveLag(p: { chain: BenchChain; databaseUrl: string; chainId: number }) {
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

function errorText(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string; name?: string; metaMessages?: string[] }
  return [`${e.name}: ${e.shortMessage ?? e.message}`, ...(e.metaMessages ?? [])].join(' ')
}

async function main(): Promise<void> {
  const log = (line: string) => console.log(`[bench] ${line}`)
  const cleanup: (() => Promise<unknown>)[] = []
  try {
    // 1. Setup: Postgres, anvil, factory, pump, events.
    const setupStarted = performance.now()
    const database = await freshDatabase('indexer')
    cleanup.push(() => database.drop())
    await migrate({ databaseUrl: database.url })
    const gasLimit = 5_000_000n + BigInt(PER_TX) * GAS_PER_DEPOSIT
    const anvil = await startAnvil({ gasLimit: gasLimit > 30_000_000n ? gasLimit : 30_000_000n })
    cleanup.push(() => anvil.stop())
    const chain = await createBenchChain({ url: anvil.url })
    const chainId = await chain.client.getChainId()
    const perBlock = new Map<bigint, number>()
    let emitted = 0
    for (let i = 0; emitted < EVENTS; i++) {
      const deposits = Math.min(PER_TX, EVENTS - emitted)
      const { events, blockNumber } = await (i % TX_PER_CHANNEL === 0 ? chain.open : chain.pump)(deposits)
      perBlock.set(blockNumber, events)
      emitted += events
    }
    emitted += await chain.finishChannel()
    const head = await chain.client.getBlockNumber()
    const setupMs = since(setupStarted)
    log(
      `setup: ${fmt(emitted)} events in ${perBlock.size} event transactions, ${head} blocks, in ${seconds(setupMs)} (${database.where})`,
    )

    // 2. Raw eth_getLogs (pass 1 warms anvil up; the ceiling is the best of passes 2-4).
    const ranges = rangesOf(perBlock, chain.factory.blockNumber, head)
    const warm = await rawGetLogs(anvil.url, ranges)
    if (warm.count < emitted) throw new Error(`eth_getLogs returned ${warm.count} of ${emitted} logs`)
    let raw = warm
    for (let pass = 0; pass < 3; pass++) {
      const r = await rawGetLogs(anvil.url, ranges)
      if (r.ms < raw.ms || raw === warm) raw = r
    }
    const rawRate = raw.count / (raw.ms / 1000)
    log(
      `raw eth_getLogs: ${fmt(raw.count)} logs in ${ranges.length} requests (~${fmt(raw.count / ranges.length)} logs, ${mib(raw.bytes / ranges.length)} each) in ${seconds(raw.ms)}`,
    )
    const rpc = createRpc({ rpcUrl: anvil.url })
    const viaRpcStarted = performance.now()
    let viaRpcCount = 0
    for (const [from, to] of ranges) {
      viaRpcCount += (await rpc.getLogs({ fromBlock: from, toBlock: to, topics: [channelEventTopics] }))
        .length
    }
    const viaRpcRate = viaRpcCount / (since(viaRpcStarted) / 1000)

    // 3. Backfill into the fresh database, with the indexer's default settings. When that fails,
    //    once more (emptied database) with a block-range cap so that the rest can be measured.
    const db = createDb({ databaseUrl: database.url })
    cleanup.push(() => db.$disconnect())
    const factory = {
      address: chain.factory.address.toLowerCase() as Hex,
      blockNumber: chain.factory.blockNumber,
    }
    let backfill = await measureBackfill({ db, rpcUrl: anvil.url, factory })
    let settings = 'indexer defaults'
    if (backfill.error) {
      const cap = Math.max(1, Math.ceil(TARGET_LOGS / Math.max(...perBlock.values())))
      log(
        `backfill with the indexer's defaults FAILED after ${seconds(backfill.ms)}: ${errorText(backfill.error)}`,
      )
      log(`measuring again with maxBlockRange: ${cap} (a workaround: ~${fmt(TARGET_LOGS)} logs per request)`)
      await db.$executeRawUnsafe(
        'TRUNCATE "event", "transaction", "block", "recent_block", "channel", "indexer_state", "cost_hourly", "cost_daily"',
      )
      backfill = await measureBackfill({ db, rpcUrl: anvil.url, factory, maxBlockRange: cap })
      settings = `maxBlockRange ${cap}, after a failure with the defaults`
      if (backfill.error) log(`backfill FAILED again: ${errorText(backfill.error)}`)
    }
    const { indexer, ms: backfillMs, rssBefore, rssPeak, timing } = backfill
    const backfillError = backfill.error
    const counts = await countEvents(db, chainId)
    const indexedRate = counts.rows / (backfillMs / 1000)
    log(
      `backfill (${settings}): ${fmt(counts.rows)} event rows (indexer_state.events_indexed ${fmt(counts.indexed)}, expected ${fmt(emitted)}) in ${seconds(backfillMs)}; RSS ${mib(rssBefore)} before, ${mib(rssPeak)} peak`,
    )
    if (counts.rows !== emitted || counts.indexed !== emitted)
      log('MISMATCH: the index does not hold every event')
    log(
      `backfill time by part (fetches overlap writes): ` +
        Object.entries(timing)
          .map(([name, t]) => `${name} ${t.calls}x ${seconds(t.ms)}`)
          .join(', '),
    )

    const writeOnlyRate = backfillError ? Number.NaN : await measureWriteOnly(db, chainId, ranges)

    // 4. Decoders on the same logs (after the backfill, so their memory is not in its RSS); a
    //    sample keeps viem's decoder from taking longer than the rest of the run.
    const sample = (await rawGetLogs(anvil.url, ranges, true)).logs.slice(0, DECODE_SAMPLE)
    const abi = [...intermediaryAbi, ...intermediaryFactoryAbi]
    const viemRate = decodeRate(sample, (logs) => parseEventLogs({ abi, logs: logs as never }).length)
    const ownRate = decodeRate(
      sample,
      (logs) => logs.filter((l) => decodeChannelEvent(l.topics, l.data)).length,
    )
    sample.length = 0

    // 5. Live lag: run() follows the head; a transaction with a few events, then poll Postgres.
    let lags: number[] = []
    if (!backfillError) {
      await chain.open(0) // a new channel: the last one was terminated
      const stop = new AbortController()
      const running = indexer.run(stop.signal)
      cleanup.push(async () => {
        stop.abort()
        await running
      })
      lags = await measureLiveLag({ chain, databaseUrl: database.url, chainId })
      stop.abort()
    }
    lags.sort((a, b) => a - b)
    const lagP50 = lags.length ? percentile(lags, 50) : Number.NaN
    const lagMax = lags.length ? lags[lags.length - 1]! : Number.NaN
    log(`live lag over ${lags.length} blocks: ${lags.map((l) => Math.round(l)).join(', ')} ms`)

    // 6. Tables.
    const ratio = (value: number, ceiling: number) => `${((value / ceiling) * 100).toFixed(0)} %`
    console.log(
      `\n${fmt(emitted)} events, ${head} blocks, setup ${seconds(setupMs)}; ${ranges.length} getLogs ranges of ~${fmt(raw.count / ranges.length)} logs`,
    )
    console.log('\n| path | events/s | ratio to raw eth_getLogs |')
    console.log('|---|---:|---:|')
    const rows: [string, number][] = [
      ['ceiling: raw eth_getLogs (fetch + JSON.parse)', rawRate],
      ["eth_getLogs through the indexer's rpc (viem transport)", viaRpcRate],
      ['decode only: viem parseEventLogs', viemRate],
      ['decode only: decodeChannelEvent (indexer)', ownRate],
      ["write only: the indexer's store.writeBatch, rows prebuilt", writeOnlyRate],
      [`indexed end to end: syncToHead() into Postgres (${settings})`, indexedRate],
    ]
    for (const [name, value] of rows) console.log(`| ${name} | ${fmt(value)} | ${ratio(value, rawRate)} |`)
    console.log(
      `\nbackfill ${seconds(backfillMs)} (${ratio(indexedRate, writeOnlyRate)} of the write-only rate), peak RSS ${mib(rssPeak)} (${mib(rssBefore)} before); live lag p50 ${fmt(lagP50)} ms, p90 ${lags.length ? fmt(percentile(lags, 90)) : '-'} ms, max ${fmt(lagMax)} ms over ${lags.length} blocks (poll every 250 ms)`,
    )

    const targets: [string, string, string, boolean][] = [
      [
        'indexed events/s',
        fmt(indexedRate),
        `>= ${fmt(TARGETS.indexedPerSecond)}`,
        !backfillError && indexedRate >= TARGETS.indexedPerSecond,
      ],
      [
        'indexed / raw eth_getLogs',
        ratio(indexedRate, rawRate),
        `>= ${TARGETS.ratioToRaw * 100} %`,
        !backfillError && indexedRate / rawRate >= TARGETS.ratioToRaw,
      ],
      ['live lag p50', `${fmt(lagP50)} ms`, `< ${fmt(TARGETS.liveLagMs)} ms`, lagP50 < TARGETS.liveLagMs],
      [
        "backfill with the indexer's defaults",
        settings === 'indexer defaults' ? 'works' : 'fails',
        'works',
        settings === 'indexer defaults',
      ],
      ['every event indexed', `${fmt(counts.rows)} / ${fmt(emitted)}`, 'all', counts.rows === emitted],
    ]
    console.log('\n| target | measured | required | |')
    console.log('|---|---:|---:|---|')
    for (const [name, value, required, ok] of targets) {
      console.log(`| ${name} | ${value} | ${required} | ${ok ? 'pass' : 'MISSED'} |`)
    }
    const missed = targets.filter(([, , , ok]) => !ok).map(([name]) => name)
    console.log(missed.length ? `\nmissed: ${missed.join('; ')}` : '\nall targets met')
  } finally {
    for (const fn of cleanup.reverse()) await fn().catch(() => {})
  }
}

await main()
