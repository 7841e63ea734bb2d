import type { IndexedChannel } from '../lib/channelEvents'
import { errorText } from '../lib/errorText'
import type { Db } from '../lib/server/db/client'
import type { Logger } from '../lib/server/log'
import { createRpc, type Rpc, type RpcBlock } from '../lib/server/rpc'
import type { Batch, Cursor } from './batch'
import {
  adoptFactoryV2,
  deployedFactory,
  type FactoryRef,
  followedFactories,
  sameFactory,
  WaitingError,
} from './factories'
import { fetchRange, type RangeData, RangeSizer } from './fetch'
import type { IndexerMetrics } from './metrics'
import { big, DivergedError, rangeToBatch } from './rangeToBatch'
import { type CreateStoreParameters, createStore, type Store } from './store'

export { type FactoryRef, WaitingError } from './factories'

export type IndexerOptions = {
  db: Db
  rpcUrl: string
  /** Milliseconds one JSON-RPC call (or batch) may take (INDEXER_RPC_TIMEOUT_MS); default 30,000. */
  rpcTimeoutMs?: number
  /** Where the factory is; null while it is not known or not deployed (the indexer waits). */
  resolveFactory: (chainId: number) => Promise<FactoryRef | null>
  /**
   * Where IntermediaryFactoryV2 is (version 2 channels), followed beside v1's; null or absent:
   * the chain has none (v1 channels only). Asked again while none is known, so a v2 factory
   * deployed later is followed from its block on.
   */
  resolveFactoryV2?: (chainId: number) => Promise<FactoryRef | null>
  /** Milliseconds between two looks for a v2 factory while none is followed (at the head); default 2,000. */
  factoryV2CheckMs?: number
  log: Logger
  finalityDepth?: number
  blocks?: 'all' | 'relevant'
  pollMs?: number
  maxBlockRange?: number
  targetLogs?: number
  /** Blocks per range when every block is fetched (`blocks: 'all'`). */
  maxBlocksPerRange?: number
  /** The lease's guard around every write (./lease.ts), refusing a deposed leader's writes. */
  guard?: CreateStoreParameters['guard']
  /** Where progress is counted for GET /metrics (./metrics.ts). */
  metrics?: IndexerMetrics
}

/**
 * Reads the factory's and its channels' blocks, transactions and events into Postgres, then
 * follows the head. See indexer/README.md for the guarantees and how they are kept.
 */
export class Indexer {
  readonly rpc: Rpc
  private readonly finality: number
  private readonly mode: 'all' | 'relevant'
  private readonly pollMs: number
  private readonly sizer: RangeSizer
  private store: Store | undefined
  private chainId = 0
  private factory: FactoryRef | undefined
  private factoryV2: FactoryRef | null = null
  private followed: ReturnType<typeof followedFactories> | undefined
  private lastV2Check = 0
  /** A recorded v2 factory without code on the chain, said once. */
  private missingV2: string | undefined
  private cursor: Cursor | null = null
  private channels = new Map<string, IndexedChannel>()
  private ready = false
  private phase: 'backfill' | 'live' = 'backfill'
  private lastHeartbeat = 0
  private progress = { at: 0, events: 0, started: 0, startBlock: 0n }

  constructor(private readonly options: IndexerOptions) {
    this.rpc = createRpc({ rpcUrl: options.rpcUrl, timeoutMs: options.rpcTimeoutMs })
    this.finality = options.finalityDepth ?? 12
    this.mode = options.blocks ?? 'all'
    this.pollMs = options.pollMs ?? 250
    this.sizer = new RangeSizer(options.maxBlockRange ?? 10_000, options.targetLogs ?? 5_000)
  }

  private get log(): Logger {
    return this.options.log
  }

  /** Runs until `signal` aborts: catches up, then polls the head. Errors are logged, recorded and retried with backoff. */
  async run(signal: AbortSignal): Promise<void> {
    let backoff = 0
    let lastMessage = ''
    let lastLogged = 0
    while (!signal.aborted) {
      try {
        const result = await this.step(signal)
        if (backoff > 0) this.log.info('recovered; indexing again')
        backoff = 0
        lastMessage = ''
        if (result === 'idle') await sleep(this.pollMs, signal)
      } catch (error) {
        if (signal.aborted) break
        this.options.metrics?.failed(error)
        this.ready = false
        backoff = Math.min(Math.max(500, backoff * 2), 30_000)
        // Logged and kept in last_error (shown in the UI): errorText redacts the RPC URL's API key.
        const message = errorText(error, { short: true, maxLength: 500 })
        // Log a repeated error once per 30 s, not once per retry.
        if (message !== lastMessage || Date.now() - lastLogged > 30_000) {
          this.log.warn(`${message} (retrying in ${(backoff / 1000).toFixed(1)} s)`)
          lastMessage = message
          lastLogged = Date.now()
        }
        await this.store?.recordError(message).catch(() => {})
        await sleep(backoff, signal)
      }
    }
  }

  /** Indexes up to the current head (tests and benchmarks); throws on errors instead of retrying. */
  async syncToHead(): Promise<void> {
    while ((await this.step()) !== 'idle') {}
  }

  /** One round: start if needed, compare with the head, index what is new (stops between ranges on `signal`). */
  async step(signal?: AbortSignal): Promise<'idle' | 'progress'> {
    if (!this.ready) await this.start()
    const head = await this.rpc.latest()
    const headNumber = big(head.number)
    this.options.metrics?.head(headNumber)
    const cursor = this.cursor
    if (cursor) {
      if (headNumber < cursor.number || (headNumber === cursor.number && head.hash !== cursor.hash)) {
        await this.handleDivergence(headNumber)
        return 'progress'
      }
      if (headNumber === cursor.number) {
        this.setPhase('live')
        if (await this.factoryV2Appeared()) return 'progress'
        if (Date.now() - this.lastHeartbeat > 2_000) {
          this.lastHeartbeat = Date.now()
          await this.store!.heartbeat({
            head: { number: headNumber, timestamp: big(head.timestamp) },
            phase: 'live',
          })
        }
        return 'idle'
      }
    }
    try {
      await this.syncRanges(head, signal)
    } catch (error) {
      if (!(error instanceof DivergedError)) throw error
      await this.handleDivergence(headNumber)
    }
    return 'progress'
  }

  /** Resolves chain and factory, loads the cursor and channels; clears the data of another factory. */
  private async start(): Promise<void> {
    this.chainId = await this.rpc.chainId()
    this.store = createStore({ db: this.options.db, chainId: this.chainId, guard: this.options.guard })
    const given = await this.options.resolveFactory(this.chainId)
    if (!given)
      throw new WaitingError(`no factory deployment is known for chain ${this.chainId}; waiting for one`)
    const factory = await deployedFactory(this.rpc, this.chainId, given, 'factory')
    const factoryV2 = await this.deployedV2()
    await this.store.initState({ factory: factory.address, factoryBlock: factory.blockNumber, factoryV2 })
    let state = await this.store.loadState()
    if (state && (state.factoryAddress !== factory.address || state.factoryBlock !== factory.blockNumber)) {
      this.log.warn(
        `the factory changed from ${state.factoryAddress} (block ${state.factoryBlock}) to ${factory.address} (block ${factory.blockNumber}); clearing the indexed data of chain ${this.chainId} and indexing again`,
      )
      await this.store.clearChain({
        factory: factory.address,
        factoryBlock: factory.blockNumber,
        factoryV2,
        reset: false,
      })
      state = await this.store.loadState()
    } else if (state && !sameFactory(state.factoryV2, factoryV2)) {
      await adoptFactoryV2({
        store: this.store,
        rpc: this.rpc,
        log: this.log,
        chainId: this.chainId,
        factory,
        was: state.factoryV2,
        now: factoryV2,
        cursor: state.cursor,
      })
      state = await this.store.loadState()
    }
    this.factory = factory
    this.factoryV2 = factoryV2
    this.followed = undefined
    this.cursor = state?.cursor ?? null
    this.channels = await this.store.loadChannels()
    this.options.metrics?.indexed(this.cursor)
    this.ready = true
    const { firstBlock } = this.factories
    const at = this.cursor
      ? `from block ${this.cursor.number + 1n}`
      : `from the factory's block ${firstBlock}`
    const v2 = factoryV2 ? ` and factory v2 ${factoryV2.address}` : ''
    this.log.info(
      `indexing chain ${this.chainId}, factory ${factory.address}${v2}, ${at} (${this.channels.size} channels known, finality ${this.finality} blocks, ${this.mode} blocks)`,
    )
    this.progress = {
      at: Date.now(),
      events: 0,
      started: Date.now(),
      startBlock: this.cursor?.number ?? firstBlock,
    }
  }

  /**
   * The v2 factory if one is known and its code is on the chain; null otherwise. A recorded one
   * without code (a reset chain whose stack had no key to redeploy it) does not hold up v1's
   * channels: it is said once and left out until it is there.
   */
  private async deployedV2(): Promise<FactoryRef | null> {
    this.lastV2Check = Date.now()
    const found = (await this.options.resolveFactoryV2?.(this.chainId)) ?? null
    if (!found) return null
    try {
      return await deployedFactory(this.rpc, this.chainId, found, 'v2 factory')
    } catch (error) {
      if (!(error instanceof WaitingError)) throw error
      if (this.missingV2 !== found.address) this.log.warn(`${error.message}; indexing without it meanwhile`)
      this.missingV2 = found.address
      return null
    }
  }

  /** While no v2 factory is followed, looks for one every few seconds; true when one is there (the next round adopts it). */
  private async factoryV2Appeared(): Promise<boolean> {
    const every = this.options.factoryV2CheckMs ?? 2_000
    if (this.factoryV2 || !this.options.resolveFactoryV2 || Date.now() - this.lastV2Check < every)
      return false
    if (!(await this.deployedV2())) return false
    this.ready = false
    return true
  }

  /** The followed factories (see ./factories.ts), as of the last start. */
  private get factories(): ReturnType<typeof followedFactories> {
    this.followed ??= followedFactories(this.factory!, this.factoryV2)
    return this.followed
  }

  /** Fetches ranges up to `head` (the next one while the current one is written) and writes them. */
  private async syncRanges(head: RpcBlock, signal?: AbortSignal): Promise<void> {
    const headNumber = big(head.number)
    const fetch = (from: bigint) => {
      const promise = fetchRange({
        rpc: this.rpc,
        from,
        maxTo: headNumber,
        factories: this.factories.list,
        isChannel: (a) => this.channels.has(a),
        mode: this.mode,
        windowStart: headNumber - BigInt(this.finality),
        sizer: this.sizer,
        maxBlocksPerRange: this.options.maxBlocksPerRange,
      })
      promise.catch(() => {}) // awaited below; a failure while the previous range is written must not go unhandled
      return promise
    }
    let pending: Promise<RangeData> | undefined = fetch(
      this.cursor ? this.cursor.number + 1n : this.factories.firstBlock,
    )
    // Three stages overlap: the node reads range k+1, this process turns range k into rows,
    // Postgres writes range k-1. Writes stay in order, one at a time, so the cursor only
    // ever moves forward over committed rows.
    let previous = this.cursor
    let writing: Promise<void> | undefined
    try {
      while (pending) {
        const data: RangeData = await pending
        const batch = rangeToBatch({
          data,
          head,
          cursor: previous,
          factories: this.factories.versions,
          channels: this.channels,
          finality: this.finality,
        })
        previous = batch.cursor
        pending = data.to < headNumber && !signal?.aborted ? fetch(data.to + 1n) : undefined
        await writing
        writing = this.write(batch, headNumber)
        writing.catch(() => {}) // awaited on the next turn or below
      }
      await writing
    } catch (error) {
      this.ready = false // in-memory channel states may be ahead of the database now
      await writing?.catch(() => {})
      throw error
    }
  }

  private async write(batch: Batch, headNumber: bigint): Promise<void> {
    const events = await this.store!.writeBatch(batch)
    const from = this.cursor?.number ?? this.factories.firstBlock - 1n
    this.options.metrics?.indexed(batch.cursor, { events, blocks: batch.cursor.number - from })
    this.cursor = batch.cursor
    this.reportProgress(batch, headNumber)
  }

  /**
   * The node no longer has the indexed blocks: roll back to the newest recent block it still
   * has (a reorg), or, when none is left within the finality window, start over (a reset).
   */
  private async handleDivergence(headNumber: bigint): Promise<void> {
    const store = this.store!
    const cursor = this.cursor!
    const recent = (await store.recentBlocks()).filter((r) => r.number <= headNumber)
    const onNode = await this.rpc.getBlocks(
      recent.map((r) => r.number),
      false,
    )
    const ancestor = recent.find((r, i) => onNode[i]?.hash === r.hash)
    if (!ancestor) {
      const why =
        headNumber + BigInt(this.finality) < cursor.number
          ? `its head went back from ${cursor.number} to ${headNumber}, past the finality depth of ${this.finality}`
          : `none of the last ${recent.length} indexed blocks up to ${cursor.number} is on it any more`
      this.log.warn(
        `chain ${this.chainId} was reset (${why}); clearing its indexed data and indexing it again from the factory`,
      )
      await store.clearChain({
        factory: this.factory!.address,
        factoryBlock: this.factory!.blockNumber,
        factoryV2: this.factoryV2,
      })
      this.ready = false // resolves the factory again: a reset chain may have it elsewhere
      this.cursor = null
      return
    }
    const removed = await store.rollbackTo(ancestor)
    this.options.metrics?.reorg()
    this.log.warn(
      `reorg: blocks ${ancestor.number + 1n}..${cursor.number} were replaced; rolled back to block ${ancestor.number} (${removed.events} events, ${removed.blocks} blocks removed, ${removed.channels} channels recomputed); indexing the new blocks`,
    )
    this.ready = false // the next round reloads the cursor and the channels from the database
  }

  private setPhase(phase: 'backfill' | 'live'): void {
    if (phase === this.phase) return
    this.phase = phase
    if (phase === 'live') {
      const seconds = (Date.now() - this.progress.started) / 1000
      this.log.info(
        `caught up at block ${this.cursor?.number}: ${this.progress.events} events in ${seconds.toFixed(1)} s; following the head`,
      )
    }
  }

  private reportProgress(batch: Batch, headNumber: bigint): void {
    this.progress.events += batch.events.length
    if (batch.phase === 'live') {
      if (this.phase === 'live' && batch.events.length > 0) {
        this.log.debug(`block ${batch.cursor.number}: ${batch.events.length} events`)
      }
      this.setPhase('live')
      return
    }
    this.phase = 'backfill'
    if (Date.now() - this.progress.at < 2_000) return
    this.progress.at = Date.now()
    const done = Number(batch.cursor.number - this.progress.startBlock)
    const total = Math.max(1, Number(headNumber - this.progress.startBlock))
    const rate = this.progress.events / Math.max(0.001, (Date.now() - this.progress.started) / 1000)
    this.log.info(
      `backfill: block ${batch.cursor.number} of ${headNumber} (${((100 * done) / total).toFixed(1)}%), ${this.progress.events} events, ${Math.round(rate)} events/s`,
    )
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
