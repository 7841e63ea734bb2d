import { afterAll, describe, expect, it } from 'vitest'
import { indexerState, waitFor } from '../test/kit/indexer'
import { chainLogs, eventChain, indexedLogs, spawnIndexer, waitForLine } from './lease.fixture'
import { recoveryKit } from './recovery.fixture'

/*
 * Two indexer processes on one database: one leads, the other stands by and takes over when
 * the leader is killed (kill -9: its lease runs out) or stops (SIGTERM: it hands the lease
 * over), resuming from the cursor with every event indexed exactly once.
 */

const { children, database } = recoveryKit()
const chains: { stop(): Promise<unknown> }[] = []
afterAll(async () => {
  await Promise.all(chains.map((c) => c.stop()))
})

describe('two indexer processes on one database', () => {
  it('kill -9 of the leader mid-backfill: the standby takes over and every event is indexed exactly once', async () => {
    // 40 transactions of 301 events, each followed by 3 empty blocks: 12,040 events in 160 blocks.
    const chain = await eventChain({ transactions: 40, emptyBlocks: 3 })
    chains.push(chain)
    const chainId = await chain.client.getChainId()
    const head = await chain.client.getBlockNumber()
    const { db, url } = await database()
    const spawn = (id: string) =>
      spawnIndexer(children, {
        id,
        databaseUrl: url,
        rpcUrl: chain.url,
        factory: chain.factory,
        env: { INDEXER_LEASE_SECONDS: '2' },
      })
    const cursor = async () => (await db.indexerState.findUnique({ where: { chainId } }))?.cursorNumber ?? -1n

    const a = spawn('a')
    await waitForLine(a, "instance a took over the indexer's lease (epoch 1) as the first holder")
    const b = spawn('b')
    await waitForLine(b, 'standing by: instance a leads the indexer')

    const target = chain.factory.blockNumber + (head - chain.factory.blockNumber) / 3n
    await waitFor(async () => (await cursor()) >= target, { timeoutMs: 120_000, what: `cursor at ${target}` })
    process.kill(-a.process.pid!, 'SIGKILL')
    await a.exited
    const killedAt = await cursor()
    // Killed in the middle of the backfill.
    expect(killedAt).toBeLessThan(head)

    await waitForLine(b, "instance b took over the indexer's lease (epoch 2) from a, whose lease expired")
    await waitFor(async () => (await cursor()) === head, { timeoutMs: 120_000, what: 'cursor at the head' })
    // b resumed at a's cursor: nothing read again from the factory's block, nothing skipped.
    expect(
      b.lines.filter((l) => l.includes('indexing chain')).map((l) => l.match(/from .*block \d+/)?.[0]),
    ).toEqual([`from block ${killedAt + 1n}`])

    const logs = await chainLogs(chain, head)
    expect(logs).toHaveLength(chain.events)
    expect(await indexedLogs(db, chainId)).toEqual(logs)
    const state = await indexerState(db, chainId)
    expect({
      cursor: state.cursorNumber,
      hash: state.cursorHash,
      events: state.eventsIndexed,
      error: state.lastError,
    }).toEqual({
      cursor: head,
      hash: (await chain.client.getBlock({ blockNumber: head })).hash,
      events: BigInt(chain.events),
      error: null,
    })
    const blocks = await db.block.count({ where: { chainId } })
    expect(blocks).toBe(Number(head - chain.factory.blockNumber) + 1)
  })

  it('a leader paused past its lease (SIGSTOP) writes nothing once resumed: it steps down, the cursor stays', async () => {
    const chain = await eventChain({ transactions: 20, emptyBlocks: 3 })
    chains.push(chain)
    const chainId = await chain.client.getChainId()
    const { db, url } = await database()
    const spawn = (id: string) =>
      spawnIndexer(children, {
        id,
        databaseUrl: url,
        rpcUrl: chain.url,
        factory: chain.factory,
        env: { INDEXER_LEASE_SECONDS: '2' },
      })
    const state = () => indexerState(db, chainId)
    const a = spawn('a')
    await waitForLine(a, "instance a took over the indexer's lease (epoch 1)")
    const b = spawn('b')
    await waitForLine(b, 'standing by: instance a leads the indexer')
    const first = await chain.client.getBlockNumber()
    const target = chain.factory.blockNumber + (first - chain.factory.blockNumber) / 3n
    await waitFor(async () => ((await state()).cursorNumber ?? -1n) >= target, {
      what: `cursor at ${target}`,
    })
    // Paused in the middle of its pipeline. Where the pause lands decides what refuses its
    // stale write on resuming: the fence (a range read, written after), or Postgres ending its
    // idle transaction (paused inside a write); lease.test.ts checks each alone.
    process.kill(-a.process.pid!, 'SIGSTOP')
    try {
      await waitForLine(b, "instance b took over the indexer's lease (epoch 2) from a, whose lease expired")
      await chain.pump()
      const head = await chain.client.getBlockNumber()
      await waitFor(async () => (await state()).cursorNumber === head, { what: 'b to index up to the head' })
    } finally {
      process.kill(-a.process.pid!, 'SIGCONT')
    }
    await waitForLine(a, "stepping down as the indexer's leader (epoch 1)")
    await waitForLine(a, 'standing by: instance b leads the indexer')

    // a's old ranges, had one been written, would have moved the cursor back below the head.
    const head = await chain.client.getBlockNumber()
    const after = await state()
    expect([after.cursorNumber, after.cursorHash]).toEqual([
      head,
      (await chain.client.getBlock({ blockNumber: head })).hash,
    ])
    const logs = await chainLogs(chain, head)
    expect(await indexedLogs(db, chainId)).toEqual(logs)
    expect(after.eventsIndexed).toBe(BigInt(logs.length))
  })

  it('SIGTERM of the leader hands the lease over: the standby takes over at once, not when it expires', async () => {
    const chain = await eventChain({ transactions: 2 })
    chains.push(chain)
    const chainId = await chain.client.getChainId()
    const { db, url } = await database()
    // A lease of 10 minutes: only a release lets the standby take over within the test.
    const spawn = (id: string) =>
      spawnIndexer(children, {
        id,
        databaseUrl: url,
        rpcUrl: chain.url,
        factory: chain.factory,
        env: { INDEXER_LEASE_SECONDS: '600' },
      })
    const p = spawn('p')
    await waitForLine(p, "instance p took over the indexer's lease (epoch 1)")
    const q = spawn('q')
    await waitForLine(q, 'standing by: instance p leads the indexer')
    await waitFor(async () => (await db.indexerState.findUnique({ where: { chainId } }))?.phase === 'live', {
      what: 'p to follow the head',
    })

    await p.stop(10_000)
    expect(p.process.exitCode).toBe(0)
    expect(p.has("released the indexer's lease (epoch 1): a standby takes over at once")).toBe(true)
    await waitForLine(
      q,
      "instance q took over the indexer's lease (epoch 2) from p, whose lease was released",
      60_000,
    )
    expect(await db.indexerInstance.findMany({ select: { id: true, role: true } })).toEqual([
      { id: 'q', role: 'leader' },
    ])

    // q indexes what comes next.
    const { events } = await chain.pump()
    const head = await chain.client.getBlockNumber()
    await waitFor(
      async () => (await db.indexerState.findUnique({ where: { chainId } }))?.cursorNumber === head,
      {
        what: 'q to index the new block',
      },
    )
    expect(await indexedLogs(db, chainId)).toEqual(await chainLogs(chain, head))
    expect(await db.event.count({ where: { chainId } })).toBe(chain.events + events)
  })
})
