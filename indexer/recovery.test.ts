import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Address } from 'viem'
import { afterAll, describe, expect, it } from 'vitest'
import { intermediaryFactoryAbi } from '../contracts/generated'
import { readChannelState } from '../lib/channel'
import { startAnvil } from '../stack/anvil'
import { type Child, spawnChild } from '../stack/child'
import { startTestChain, type TestChain } from '../test/kit/chain'
import { createTestDatabase, type TestDatabase } from '../test/kit/database'
import {
  buildChannelHistory,
  indexedChannelState,
  indexedRows,
  indexerState,
  isCaughtUp,
  memoryLogger,
  nonCanonicalRows,
  sendCall,
  testIndexer,
  waitFor,
} from '../test/kit/indexer'
import type { Indexer, IndexerOptions } from './indexer'

/*
 * The indexer against what goes wrong in real life: the process killed at any moment, blocks
 * replaced by a reorg, a dev chain reset under it, the node gone. After each, the index must
 * hold exactly the rows a clean run over the node's current chain writes.
 */

const root = path.resolve(import.meta.dirname, '..')
const chains: TestChain[] = []
const databases: TestDatabase[] = []
const children: Child[] = []

async function chainOf(): Promise<TestChain> {
  const chain = await startTestChain()
  chains.push(chain)
  return chain
}

async function database(): Promise<TestDatabase> {
  const d = await createTestDatabase()
  databases.push(d)
  return d
}

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop(1_000)))
  await Promise.all(databases.map((d) => d.drop()))
  await Promise.all(chains.map((c) => c.stop()))
})

/** Rows of a clean, in-process run over the node's current chain into a fresh database. */
async function cleanRows(
  chain: TestChain,
  factory: { address: Address; blockNumber: bigint },
  options: Partial<IndexerOptions> = {},
) {
  const { db } = await database()
  await testIndexer({ chain, db, factory, ...options }).syncToHead()
  return indexedRows(db, chain.chain.id)
}

describe('indexer process killed with SIGKILL', () => {
  it('main.ts resumes after kill -9 mid-backfill and ends with the rows of a clean run', async () => {
    const chain = await chainOf()
    const address = await chain.deployFactory()
    const factory = { address, blockNumber: await chain.publicClient.getBlockNumber() }
    await buildChannelHistory(chain, { factory: address, rounds: 3, emptyBlocks: 120 })
    const head = await chain.publicClient.getBlockNumber()
    expect(head - factory.blockNumber).toBeGreaterThan(300n)

    const { db, url } = await database()
    const output: string[] = []
    const spawnIndexer = () => {
      const child = spawnChild({
        name: 'indexer',
        command: process.execPath,
        args: ['--import', 'tsx', 'indexer/main.ts'],
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: url,
          RPC_URL: chain.url,
          FACTORY_ADDRESS: factory.address,
          FACTORY_BLOCK: factory.blockNumber.toString(),
          // One block per range: hundreds of small transactions to be killed in the middle of.
          INDEXER_MAX_BLOCK_RANGE: '1',
          INDEXER_TARGET_LOGS: '10',
          INDEXER_POLL_MS: '20',
          LOG_LEVEL: 'info',
        },
        onLine: (line) => output.push(line),
      })
      children.push(child)
      return child
    }
    const cursor = async () =>
      (await db.indexerState.findUnique({ where: { chainId: chain.chain.id } }))?.cursorNumber ?? null

    const span = head - factory.blockNumber
    const killedAt: bigint[] = []
    for (const share of [20n, 45n, 70n]) {
      const target = factory.blockNumber + (span * share) / 100n
      const child = spawnIndexer()
      await waitFor(async () => ((await cursor()) ?? -1n) >= target, {
        what: `cursor to reach ${target}`,
      })
      process.kill(-child.process.pid!, 'SIGKILL')
      await child.exited
      expect(child.process.signalCode).toBe('SIGKILL')
      const at = (await cursor())!
      // Killed partway: past the previous kill, short of the head.
      expect(at).toBeGreaterThan(killedAt.at(-1) ?? factory.blockNumber)
      expect(at).toBeLessThan(head)
      killedAt.push(at)
    }

    const last = spawnIndexer()
    await waitFor(
      async () => {
        const s = await db.indexerState.findUnique({ where: { chainId: chain.chain.id } })
        return s?.cursorNumber === head && s.phase === 'live'
      },
      { what: 'the restarted indexer to reach the head' },
    )
    await last.stop(10_000)
    expect(last.process.signalCode).toBeNull()
    expect(last.process.exitCode).toBe(0)
    // Each restart resumed from its cursor instead of starting over.
    expect(
      output
        .filter((l) => l.includes('indexing chain'))
        .map((l) => l.match(/from (the factory's )?block \d+/)?.[0]),
    ).toEqual([
      `from the factory's block ${factory.blockNumber}`,
      ...killedAt.map((n) => `from block ${n + 1n}`),
    ])

    const rows = await indexedRows(db, chain.chain.id)
    expect(rows).toEqual(await cleanRows(chain, factory))
    expect(rows.blocks).toHaveLength(Number(span) + 1)
    expect((await indexerState(db, chain.chain.id)).lastError).toBeNull()
  })
})

/**
 * The index holds the node's current chain and nothing else: cursor at the head, no row of a
 * replaced block, exactly the channels the factory opened on this chain with the contract's
 * state, and the rows of a clean run.
 */
async function expectIndexOf(
  db: TestDatabase['db'],
  chain: TestChain,
  factory: { address: Address; blockNumber: bigint },
  options: Partial<IndexerOptions> = {},
) {
  const chainId = chain.chain.id
  const head = await chain.publicClient.getBlock()
  const state = await indexerState(db, chainId)
  expect({ number: state.cursorNumber, hash: state.cursorHash }).toEqual({
    number: head.number,
    hash: head.hash,
  })
  expect(await nonCanonicalRows(db, chain)).toEqual({ blocks: [], transactions: [], events: [], recent: [] })
  const opened = await chain.publicClient.getContractEvents({
    address: factory.address,
    abi: intermediaryFactoryAbi,
    eventName: 'ChannelOpened',
    fromBlock: factory.blockNumber,
  })
  const channels = await db.channel.findMany({ where: { chainId }, orderBy: { address: 'asc' } })
  expect(channels.map((c) => c.address)).toEqual(opened.map((e) => e.args.channel!.toLowerCase()).sort())
  for (const { address } of channels) {
    expect(await indexedChannelState(db, chainId, address as Address)).toEqual(
      await readChannelState({
        client: chain.publicClient,
        address: address as Address,
        blockNumber: head.number,
      }),
    )
  }
  expect(await indexedRows(db, chainId)).toEqual(await cleanRows(chain, factory, options))
}

/** A chain with a factory and one funded channel between accounts 1 and 2. */
async function chainWithChannel() {
  const chain = await chainOf()
  const address = await chain.deployFactory()
  const factory = { address, blockNumber: await chain.publicClient.getBlockNumber() }
  const [, c1, c2, c3, c4, stranger] = chain.accounts as [never, ...(typeof chain.accounts)[number][]]
  const { channel: a } = await chain.openChannel({
    factory: address,
    consumer: c1!,
    provider: c2!.address,
    value: 10_000n,
  })
  await sendCall(chain, { account: c1!, address: a, functionName: 'deposit', value: 1_000n })
  await chain.testClient.mine({ blocks: 2 })
  const call = (
    account: typeof c1,
    address: Address,
    functionName: string,
    args?: unknown[],
    value?: bigint,
  ) => sendCall(chain, { account: account!, address, functionName, args, value })

  /** The branch that gets replaced: two channels opened, a deposit and a redemption on `a` (5 blocks). */
  async function orphanBranch() {
    const { channel: x1 } = await chain.openChannel({
      factory: address,
      consumer: c3!,
      provider: c4!.address,
      value: 5_000n,
    })
    const { channel: x2 } = await chain.openChannel({
      factory: address,
      consumer: c4!,
      provider: c3!.address,
    })
    await call(c1, a, 'deposit', [], 2_000n)
    await call(c2, a, 'startRedemption', [2n])
    await call(c3, x1, 'deposit', [], 300n)
    return [x1, x2]
  }
  return { chain, factory, a, accounts: { c1, c2, c3, c4, stranger }, call, orphanBranch }
}

describe('indexer on a reorg', () => {
  it.for(['all', 'relevant'] as const)(
    'syncToHead() drops the replaced blocks when the new branch is longer, as long, or shorter (%s blocks)',
    async (blocks) => {
      const { chain, factory, a, accounts, call, orphanBranch } = await chainWithChannel()
      const { c1, c2, c3, stranger } = accounts
      const { db } = await database()
      const log = memoryLogger()
      const indexer = testIndexer({ chain, db, factory, log, blocks })
      await indexer.syncToHead()
      const base = await chain.publicClient.getBlockNumber()
      let snapshot = await chain.testClient.snapshot()

      const branches = {
        /** Different events and more blocks. */
        longer: async () => {
          await call(c1, a, 'deposit', [], 700n)
          // The factory's next channel: the address x1 had on the orphaned branch, other parties and terms.
          await chain.openChannel({
            factory: factory.address,
            consumer: c2!,
            provider: c1!.address,
            costPerRequest: 7n,
          })
          await call(c2, a, 'startRedemption', [9n])
          await chain.testClient.mine({ blocks: 6 })
        },
        /** As many blocks as the orphaned branch (the head's hash differs, not its number). */
        equal: async () => {
          await chain.openChannel({
            factory: factory.address,
            consumer: c3!,
            provider: c1!.address,
            value: 1n,
          })
          await call(stranger, a, 'deposit', [], 5n) // reverts
          await call(c1, a, 'deposit', [], 900n)
          await call(c2, a, 'startRedemption', [3n])
          await call(c2, a, 'withdraw') // reverts: nothing to withdraw
        },
        /** Fewer blocks: the head goes back below the cursor. */
        shorter: async () => {
          await call(c1, a, 'deposit', [], 123n)
          await call(c1, a, 'startTermination')
        },
      }
      for (const [name, branch] of Object.entries(branches)) {
        await chain.testClient.revert({ id: snapshot })
        snapshot = await chain.testClient.snapshot()
        const [x1, x2] = await orphanBranch()
        const orphanHead = await chain.publicClient.getBlockNumber()
        await indexer.syncToHead()
        expect(await indexedChannelState(db, chain.chain.id, x2!), name).not.toBeNull()
        expect((await indexedChannelState(db, chain.chain.id, x1!))?.consumerFunds, name).toBe(5_300n)
        expect((await indexedChannelState(db, chain.chain.id, a))?.expiringTokenId, name).toBe(1n)

        await chain.testClient.revert({ id: snapshot })
        snapshot = await chain.testClient.snapshot()
        await branch()
        const head = await chain.publicClient.getBlockNumber()
        expect(Math.sign(Number(head - orphanHead)), name).toBe({ longer: 1, equal: 0, shorter: -1 }[name])
        const reorgsBefore = log.lines.filter((l) => l.includes('reorg:')).length
        await indexer.syncToHead()

        const reorgs = log.lines.filter((l) => l.includes('reorg:'))
        expect(reorgs.length, name).toBe(reorgsBefore + 1)
        expect(reorgs.at(-1), name).toContain(`rolled back to block ${base} `)
        expect(
          log.lines.some((l) => l.includes('was reset')),
          name,
        ).toBe(false)
        expect(await indexedChannelState(db, chain.chain.id, x2!), name).toBeNull()
        await expectIndexOf(db, chain, factory, { blocks })
      }
      const state = await indexerState(db, chain.chain.id)
      // Three replaced orphaned branches, and the branches replaced by the next orphaned one.
      expect(state.reorgs).toBe(5)
      expect(state.resets).toBe(0)
    },
  )

  it('run() notices a reorg by itself and rolls back', async () => {
    const { chain, factory, a, accounts, call, orphanBranch } = await chainWithChannel()
    const { c1, c2 } = accounts
    const { db } = await database()
    const log = memoryLogger()
    const stop = new AbortController()
    const running = testIndexer({ chain, db, factory, log }).run(stop.signal)
    const caughtUp = () => isCaughtUp(db, chain)
    try {
      await waitFor(caughtUp, { what: 'the first catch-up' })
      const base = await chain.publicClient.getBlockNumber()
      const snapshot = await chain.testClient.snapshot()
      const [, x2] = await orphanBranch()
      await waitFor(caughtUp, { what: 'indexing the orphaned branch' })
      expect(await indexedChannelState(db, chain.chain.id, x2!)).not.toBeNull()

      await chain.testClient.revert({ id: snapshot })
      await call(c1, a, 'deposit', [], 77n)
      await call(c2, a, 'startRedemption', [4n])
      await chain.testClient.mine({ blocks: 8 })
      await waitFor(async () => log.lines.some((l) => l.includes('reorg:')) && (await caughtUp()), {
        what: 'the reorg to be handled',
      })
      expect(log.lines.filter((l) => l.includes('reorg:')).join('\n')).toContain(
        `rolled back to block ${base} `,
      )
    } finally {
      stop.abort()
      await running
    }
    expect(log.lines.filter((l) => l.includes('was reset'))).toEqual([])
    expect(await indexedChannelState(db, chain.chain.id, a)).toMatchObject({
      consumerFunds: 11_077n,
      activeTokenId: 4n,
    })
    await expectIndexOf(db, chain, factory)
  })
})

/** `anvil_reset` without parameters: a new genesis (a new hash), no contracts, nonces at 0. */
async function resetChain(chain: TestChain) {
  const genesis = await chain.publicClient.getBlock({ blockNumber: 0n })
  await chain.testClient.request({ method: 'anvil_reset', params: [] } as never)
  expect(await chain.publicClient.getBlockNumber()).toBe(0n)
  expect((await chain.publicClient.getBlock({ blockNumber: 0n })).hash).not.toBe(genesis.hash)
}

describe('indexer on a reset dev chain', () => {
  it('syncToHead() clears a reset chain and indexes the new one, with its factory at another block', async () => {
    const chain = await chainOf()
    const address = await chain.deployFactory()
    let factory = { address, blockNumber: await chain.publicClient.getBlockNumber() }
    const old = await buildChannelHistory(chain, { factory: address, rounds: 2 })
    const { db } = await database()
    const log = memoryLogger()
    const indexer = testIndexer({ chain, db, factory: () => factory, log })
    await indexer.syncToHead()
    const oldCursor = (await indexerState(db, chain.chain.id)).cursorNumber!
    expect(await db.channel.count()).toBe(3)

    // A new history: the factory (same deployer, same address) three blocks later, two channels
    // at the addresses of the old first two with other parties, and a head above the old cursor.
    await resetChain(chain)
    await chain.testClient.mine({ blocks: 3 })
    expect(await chain.deployFactory()).toBe(address)
    factory = { address, blockNumber: 4n }
    const [, c1, c2, c3, c4] = chain.accounts
    const { channel: y1 } = await chain.openChannel({
      factory: address,
      consumer: c4!,
      provider: c3!.address,
      value: 42n,
    })
    const { channel: y2 } = await chain.openChannel({
      factory: address,
      consumer: c3!,
      provider: c1!.address,
    })
    expect([y1, y2]).toEqual(old.channels.slice(0, 2))
    await sendCall(chain, { account: c4!, address: y1, functionName: 'deposit', value: 8n })
    await sendCall(chain, { account: c2!, address: y1, functionName: 'deposit', value: 8n }) // reverts
    await chain.testClient.mine({ blocks: Number(oldCursor) })
    await indexer.syncToHead()

    expect(log.lines.filter((l) => l.includes('was reset')).join('\n')).toMatch(
      /chain 31337 was reset \(none of the last \d+ indexed blocks up to \d+ is on it any more\)/,
    )
    expect(await indexedChannelState(db, chain.chain.id, old.channels[2]!)).toBeNull()
    expect(await indexedChannelState(db, chain.chain.id, y1)).toMatchObject({
      consumer: c4!.address.toLowerCase(),
      consumerFunds: 50n,
    })
    await expectIndexOf(db, chain, factory)

    // Reset again and stay short: the head goes back further than the finality depth.
    const cursor = (await indexerState(db, chain.chain.id)).cursorNumber!
    await resetChain(chain)
    expect(await chain.deployFactory()).toBe(address)
    factory = { address, blockNumber: 1n }
    await chain.openChannel({ factory: address, consumer: c1!, provider: c2!.address, value: 5n })
    const head = await chain.publicClient.getBlockNumber()
    expect(head + 12n).toBeLessThan(cursor)
    await indexer.syncToHead()
    expect(log.lines.filter((l) => l.includes('was reset')).at(-1)).toContain(
      `chain 31337 was reset (its head went back from ${cursor} to ${head}, past the finality depth of 12)`,
    )
    expect(log.lines.some((l) => l.includes('reorg:'))).toBe(false)
    await expectIndexOf(db, chain, factory)
    // Two chain resets; the factory moving with the first is not counted as one.
    expect(await indexerState(db, chain.chain.id)).toMatchObject({ resets: 2, reorgs: 0 })
  })

  it('run() clears a reset chain, waits and reports while its factory is missing, then indexes it', async () => {
    const chain = await chainOf()
    const address = await chain.deployFactory()
    let factory = { address, blockNumber: await chain.publicClient.getBlockNumber() }
    await buildChannelHistory(chain, { factory: address, rounds: 1 })
    const { db } = await database()
    const log = memoryLogger()
    const stop = new AbortController()
    let settled: unknown = false
    const running = testIndexer({ chain, db, factory: () => factory, log })
      .run(stop.signal)
      .then(
        () => (settled = 'resolved'),
        (error) => (settled = error),
      )
    const state = () => db.indexerState.findUnique({ where: { chainId: chain.chain.id } })
    const caughtUp = () => isCaughtUp(db, chain, { clean: true })
    try {
      await waitFor(caughtUp, { what: 'the first catch-up' })
      expect((await indexedRows(db, chain.chain.id)).events.length).toBeGreaterThan(10)

      await resetChain(chain)
      await waitFor(async () => (await state())?.lastError?.includes('is not deployed') === true, {
        what: 'last_error to report the missing factory',
      })
      expect(log.lines.some((l) => l.includes('chain 31337 was reset'))).toBe(true)
      // The old chain's rows are gone while the indexer waits, and it is still running.
      const waiting = await indexedRows(db, chain.chain.id)
      expect([waiting.blocks, waiting.transactions, waiting.events, waiting.channels]).toEqual([
        [],
        [],
        [],
        [],
      ])
      expect(waiting.state[0]!.cursor_number).toBeNull()
      expect(settled).toBe(false)

      await chain.testClient.mine({ blocks: 2 })
      factory = { address, blockNumber: 3n }
      expect(await chain.deployFactory()).toBe(address)
      await buildChannelHistory(chain, { factory: address, rounds: 1 })
      await waitFor(caughtUp, { what: 'indexing the new chain' })
    } finally {
      stop.abort()
      await running
    }
    expect(settled).toBe('resolved')
    await expectIndexOf(db, chain, factory)
  })
})

/** Counts the indexer's JSON-RPC calls (each method of its `rpc`), with their times. */
function countRpcCalls(indexer: Indexer): { method: string; at: number }[] {
  const calls: { method: string; at: number }[] = []
  const rpc = indexer.rpc as unknown as Record<string, unknown>
  for (const [method, fn] of Object.entries(rpc)) {
    if (typeof fn !== 'function') continue
    rpc[method] = (...args: unknown[]) => {
      calls.push({ method, at: Date.now() })
      return (fn as (...a: unknown[]) => unknown).apply(rpc, args)
    }
  }
  return calls
}

/** A TCP relay to `target` that can be closed (connections refused, open ones cut) and reopened on its port. */
function relay(target: number) {
  const sockets = new Set<net.Socket>()
  let server: net.Server | undefined
  let port = 0
  return {
    get url() {
      return `http://127.0.0.1:${port}`
    },
    open: () =>
      new Promise<void>((resolve, reject) => {
        server = net.createServer((client) => {
          const upstream = net.connect(target, '127.0.0.1')
          for (const s of [client, upstream]) {
            sockets.add(s)
            s.on('error', () => {})
            s.on('close', () => {
              client.destroy()
              upstream.destroy()
              sockets.delete(s)
            })
          }
          client.pipe(upstream).pipe(client)
        })
        server.once('error', reject)
        server.listen(port, '127.0.0.1', () => {
          port = (server!.address() as net.AddressInfo).port
          resolve()
        })
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        if (!server) return resolve()
        server.close(() => resolve())
      }),
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('indexer when the node does not answer', () => {
  it('run() keeps retrying with backoff while nothing listens on the RPC port, then starts', async () => {
    const chain = await chainOf()
    const port = chain.anvil.port
    await chain.stop()
    const { db } = await database()
    const log = memoryLogger()
    let factory: { address: Address; blockNumber: bigint } | null = null
    const indexer = testIndexer({ chain, db, factory: () => factory, log })
    const calls = countRpcCalls(indexer)
    const stop = new AbortController()
    let settled: unknown = false
    const running = indexer.run(stop.signal).then(
      () => (settled = 'resolved'),
      (error) => (settled = error),
    )
    try {
      await sleep(2_000)
      expect(settled).toBe(false)
      // Backoff from 0.5 s doubling: a handful of attempts in 2 s, not a tight loop.
      expect(calls.length).toBeGreaterThanOrEqual(2)
      expect(calls.length).toBeLessThanOrEqual(5)
      const warnings = log.lines.filter((l) => l.includes('warn:'))
      expect(warnings.length).toBeGreaterThanOrEqual(1)
      expect(warnings.length).toBeLessThanOrEqual(calls.length)
      expect(warnings[0]).toMatch(/retrying in 0\.5 s/)

      // A node comes up on the port: a fresh anvil with the factory deployed.
      const anvil = await startAnvil({ port })
      chains.push({ ...chain, stop: () => anvil.stop() })
      const address = await chain.deployFactory()
      factory = { address, blockNumber: 1n }
      await buildChannelHistory(chain, { factory: address, rounds: 1 })
      await waitFor(() => isCaughtUp(db, chain), { what: 'indexing once the node is up' })
    } finally {
      stop.abort()
      await running
    }
    expect(settled).toBe('resolved')
    expect(log.lines).toContain('[indexer] recovered; indexing again')
    expect((await indexerState(db, chain.chain.id)).lastError).toBeNull()
    await expectIndexOf(db, chain, factory!)
  })

  /** An indexer on `chain` through a relay, caught up and running; `down()` cuts the node off. */
  async function throughRelay() {
    const chain = await chainOf()
    const address = await chain.deployFactory()
    const factory = { address, blockNumber: await chain.publicClient.getBlockNumber() }
    await buildChannelHistory(chain, { factory: address, rounds: 1 })
    const link = relay(chain.anvil.port)
    await link.open()
    const { db } = await database()
    const log = memoryLogger()
    const indexer = testIndexer({ chain: { ...chain, url: link.url }, db, factory, log })
    const calls = countRpcCalls(indexer)
    const stop = new AbortController()
    let settled: unknown = false
    const running = indexer.run(stop.signal).then(
      () => (settled = 'resolved'),
      (error) => (settled = error),
    )
    const state = () => indexerState(db, chain.chain.id)
    const caughtUp = () => isCaughtUp(db, chain)
    await waitFor(caughtUp, { what: 'the first catch-up' })
    expect((await state()).lastError).toBeNull()

    /** Cuts the node off until last_error is recorded; checks the retries over 2 s. */
    async function outage() {
      await link.close()
      await waitFor(async () => (await state()).lastError !== null, { what: 'last_error to be recorded' })
      const s = await state()
      expect(s.lastError).toMatch(/HTTP request failed|fetch failed|ECONNREFUSED|socket/i)
      expect(s.lastErrorAt).not.toBeNull()
      const before = calls.length
      await sleep(2_000)
      expect(settled).toBe(false)
      // One attempt (a failing eth_chainId) per retry, with a doubling backoff from 0.5 s.
      expect(calls.length - before).toBeGreaterThanOrEqual(1)
      expect(calls.length - before).toBeLessThanOrEqual(4)
      const warnings = log.lines.filter((l) => l.includes('warn:'))
      expect(warnings.length).toBeLessThanOrEqual(2) // a repeated error is logged once
    }
    async function finish() {
      stop.abort()
      await running
      await link.close()
      expect(settled).toBe('resolved')
      expect(log.lines.filter((l) => l.includes('reorg:') || l.includes('was reset'))).toEqual([])
    }
    return { chain, factory, db, log, link, state, caughtUp, outage, finish }
  }

  it('run() records last_error while the node is unreachable and resumes where it was when it is back', async () => {
    const { chain, factory, db, log, link, state, caughtUp, outage, finish } = await throughRelay()
    try {
      await outage()
      // The chain moves on while the indexer cannot see it.
      const [, c1, c2] = chain.accounts
      const { channel } = await chain.openChannel({
        factory: factory.address,
        consumer: c1!,
        provider: c2!.address,
      })
      await sendCall(chain, { account: c1!, address: channel, functionName: 'deposit', value: 3n })
      await link.open()
      await waitFor(async () => (await caughtUp()) && (await state()).lastError === null, {
        what: 'indexing after the node is back',
      })
      expect(log.lines).toContain('[indexer] recovered; indexing again')
    } finally {
      await finish()
    }
    await expectIndexOf(db, chain, factory)
  })

  it('run() clears last_error once the node is back, even when no block came in the meantime', async () => {
    const { db, chain, factory, log, link, state, caughtUp, outage, finish } = await throughRelay()
    try {
      await outage()
      await link.open()
      await waitFor(() => log.lines.includes('[indexer] recovered; indexing again'), {
        what: 'the indexer to recover',
      })
      expect(await caughtUp()).toBe(true)
      // Live at the head again and healthy (a heartbeat is written every 2 s): the error must not
      // stay reported until the next block happens to come.
      await waitFor(async () => (await state()).lastError === null, {
        timeoutMs: 5_000,
        what: 'last_error to be cleared after recovery',
      })
    } finally {
      await finish()
    }
    await expectIndexOf(db, chain, factory)
  })

  it('run() follows anvil killed with SIGKILL and restarted from an older state dump (a reorg)', async () => {
    const chain = await chainOf()
    const port = chain.anvil.port
    await chain.stop()
    const dir = await mkdtemp(path.join(tmpdir(), 'anvil-state-'))
    let anvil = await startAnvil({ port, statePath: path.join(dir, 'live.json') })
    chains.push({ ...chain, stop: () => anvil.stop() })
    const address = await chain.deployFactory()
    const factory = { address, blockNumber: 1n }
    await buildChannelHistory(chain, { factory: address, rounds: 1 })
    // A clean stop dumps the state; a copy of that dump is what the crashed node comes back from.
    await anvil.stop()
    await copyFile(path.join(dir, 'live.json'), path.join(dir, 'dump.json'))
    anvil = await startAnvil({ port, statePath: path.join(dir, 'live.json') })
    const dumped = await chain.publicClient.getBlock()

    const { db } = await database()
    const log = memoryLogger()
    const stop = new AbortController()
    const running = testIndexer({ chain, db, factory, log }).run(stop.signal)
    const caughtUp = () => isCaughtUp(db, chain, { clean: true })
    const [, c1, c2, c3, c4] = chain.accounts
    let lost: Address
    try {
      await waitFor(caughtUp, { what: 'the first catch-up' })
      // Blocks the dump does not have, indexed, then the node crashes.
      lost = (await chain.openChannel({ factory: address, consumer: c3!, provider: c4!.address, value: 9n }))
        .channel
      await chain.testClient.mine({ blocks: 2 })
      await waitFor(caughtUp, { what: 'indexing the blocks the node will lose' })
      expect(await indexedChannelState(db, chain.chain.id, lost)).not.toBeNull()
      process.kill(-anvil.process.pid!, 'SIGKILL')
      await anvil.exited
      await waitFor(
        async () =>
          (await db.indexerState.findUnique({ where: { chainId: chain.chain.id } }))?.lastError !== null,
        { what: 'last_error while the node is down' },
      )

      anvil = await startAnvil({ port, statePath: path.join(dir, 'dump.json') })
      expect((await chain.publicClient.getBlock()).hash).toBe(dumped.hash)
      const { channel } = await chain.openChannel({ factory: address, consumer: c1!, provider: c2!.address })
      await sendCall(chain, { account: c1!, address: channel, functionName: 'deposit', value: 4n })
      await waitFor(async () => log.lines.some((l) => l.includes('reorg:')) && (await caughtUp()), {
        what: 'the indexer to follow the restarted node',
      })
    } finally {
      stop.abort()
      await running
    }
    expect(log.lines.filter((l) => l.includes('reorg:')).at(-1)).toContain(
      `rolled back to block ${dumped.number} `,
    )
    expect(await indexedChannelState(db, chain.chain.id, lost)).toMatchObject({
      consumer: c1!.address.toLowerCase(),
    })
    await expectIndexOf(db, chain, factory)
    await rm(dir, { recursive: true, force: true })
  })
})
