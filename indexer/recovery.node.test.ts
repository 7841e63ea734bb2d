import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { startAnvil } from '../stack/anvil'
import {
  buildChannelHistory,
  deploymentOf,
  indexedChannelState,
  indexerState,
  isCaughtUp,
  memoryLogger,
  sendCall,
  testIndexer,
  waitFor,
} from '../test/kit/indexer'
import type { Indexer } from './indexer'
import { createIndexerMetrics } from './metrics'
import { recoveryKit } from './recovery.fixture'

/*
 * The indexer when the node does not answer: it retries with backoff, records the error,
 * and resumes where it was when the node is back (see recovery.fixture.ts).
 */

const { chains, chainOf, database, expectIndexOf } = recoveryKit()

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
      // The testbed's factory again: account 0's first transaction on a fresh chain.
      factory = { address: await chain.deployFactory(), blockNumber: 1n }
      await buildChannelHistory(chain, { rounds: 1 })
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
    const factory = deploymentOf(chain)
    await buildChannelHistory(chain, { rounds: 1 })
    const link = relay(chain.anvil.port)
    await link.open()
    const { db } = await database()
    const log = memoryLogger()
    const metrics = createIndexerMetrics()
    const indexer = testIndexer({ chain: { ...chain, url: link.url }, db, factory, log, metrics })
    const rpcErrors = async () =>
      (await metrics.registry.getSingleMetric('indexer_rpc_errors_total')!.get()).values[0]!.value
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
      const errorsBefore = await rpcErrors()
      await link.close()
      await waitFor(async () => (await state()).lastError !== null, { what: 'last_error to be recorded' })
      // Each failed round is counted in GET /metrics (indexer_rpc_errors_total).
      expect(await rpcErrors()).toBeGreaterThan(errorsBefore)
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
      const channel = await chain.open()
      await sendCall(chain, { account: chain.consumer, address: channel, functionName: 'deposit', value: 3n })
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
    const factory = { address: await chain.deployFactory(), blockNumber: 1n }
    await buildChannelHistory(chain, { rounds: 1 })
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
    const [c3, c4] = chain.accounts.slice(3, 5)
    let lost: Address
    try {
      await waitFor(caughtUp, { what: 'the first catch-up' })
      // Blocks the dump does not have, indexed, then the node crashes.
      lost = await chain.open({ consumer: c3!, provider: c4!.address, value: 9n })
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
      const channel = await chain.open()
      await sendCall(chain, { account: chain.consumer, address: channel, functionName: 'deposit', value: 4n })
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
      consumer: chain.consumer.address.toLowerCase(),
    })
    await expectIndexOf(db, chain, factory)
    await rm(dir, { recursive: true, force: true })
  })
})
