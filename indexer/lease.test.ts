import { afterAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../test/kit/database'
import { indexedRows, memoryLogger, sendCall, testIndexer, waitFor } from '../test/kit/indexer'
import { type ChannelTestbed, startChannelTestbed } from '../test/kit/testbed'
import {
  createLease,
  instanceIdentity,
  type Lease,
  LeaseLostError,
  leaseTimings,
  stepDownReason,
  type Term,
} from './lease'

/*
 * The lease's decisions by value, and the lease itself on a real Postgres: one holder at a
 * time, a release handed over at once, and the fence refusing a deposed leader's write.
 */

describe('lease decisions', () => {
  it('instanceIdentity() takes INSTANCE_ID, else host, pid and a random part', () => {
    expect(instanceIdentity({ instanceId: 'indexer-0', host: 'h', pid: 7 })).toEqual({
      id: 'indexer-0',
      host: 'h',
      pid: 7,
    })
    expect(instanceIdentity({ host: 'h', pid: 7, random: 'ab12cd' }).id).toBe('h-7-ab12cd')
    expect(instanceIdentity({ instanceId: '', host: 'h', pid: 7, random: 'x' }).id).toBe('h-7-x')
    expect(instanceIdentity({}).id).not.toBe(instanceIdentity({}).id)
  })

  it('leaseTimings() renews at a third of the lease; a standby looks at least every second', () => {
    expect(leaseTimings(5)).toEqual({ ttlMs: 5_000, renewMs: 1_667, pollMs: 1_000 })
    expect(leaseTimings(1.5)).toEqual({ ttlMs: 1_500, renewMs: 500, pollMs: 500 })
  })

  it('stepDownReason() steps down when the lease names another, or after a whole lease unrenewed', () => {
    const ttlMs = 5_000
    expect(stepDownReason({ renewal: 'renewed', sinceRenewedMs: 1_000, ttlMs })).toBeNull()
    expect(stepDownReason({ renewal: 'failed', sinceRenewedMs: 4_999, ttlMs })).toBeNull()
    expect(stepDownReason({ renewal: 'lost', sinceRenewedMs: 0, ttlMs })).toBe(
      'another instance holds the lease now',
    )
    expect(
      stepDownReason({ renewal: 'failed', sinceRenewedMs: 5_000, ttlMs, lastError: 'connection refused' }),
    ).toBe('it could not renew the lease for 5.0 s (connection refused)')
  })
})

const databases: TestDatabase[] = []
let chain: ChannelTestbed | undefined
const stops: AbortController[] = []
afterAll(async () => {
  for (const s of stops) s.abort()
  await Promise.all(databases.map((d) => d.drop()))
  await chain?.stop()
})

async function leases(count: number, leaseSeconds = 600) {
  const d = await createTestDatabase()
  databases.push(d)
  const log = memoryLogger()
  const list: Lease[] = []
  for (let i = 0; i < count; i++) {
    list.push(createLease({ db: d.db, instance: { id: `i${i}`, host: 'test', pid: i }, leaseSeconds, log }))
  }
  return { db: d.db, log, leases: list }
}

/** acquire() on a signal of its own, aborted after the file's tests. */
function acquire(lease: Lease): Promise<Term | null> {
  const stop = new AbortController()
  stops.push(stop)
  return lease.acquire(stop.signal)
}

describe('createLease() on Postgres', () => {
  it('acquire() gives the lease to one instance; the other stands by until it is released', async () => {
    const {
      db,
      log,
      leases: [a, b],
    } = await leases(2)
    const first = await acquire(a!)
    expect(first!.epoch).toBe(1n)
    let second: Term | null | undefined
    const waiting = acquire(b!).then((t) => {
      second = t
    })
    await new Promise((r) => setTimeout(r, 300))
    expect(second).toBeUndefined()
    const standbys = await db.indexerInstance.findMany({ orderBy: { id: 'asc' } })
    expect(standbys.map((r) => [r.id, r.role])).toEqual([
      ['i0', 'leader'],
      ['i1', 'standby'],
    ])

    await first!.release()
    expect(first!.signal.aborted).toBe(true)
    await waiting
    expect(second!.epoch).toBe(2n)
    expect(await db.indexerLease.findUnique({ where: { name: 'indexer' } })).toMatchObject({
      holder: 'i1',
      epoch: 2n,
    })
    expect(log.lines, log.lines.join('\n')).toContain(
      "[indexer] instance i1 took over the indexer's lease (epoch 2) from i0, whose lease was released",
    )
  })

  it('a leader that cannot reach its database for a whole lease steps down', async () => {
    const d = await createTestDatabase()
    databases.push(d)
    const log = memoryLogger()
    const lease = createLease({
      db: d.db,
      instance: { id: 'cut', host: 'test', pid: 1 },
      leaseSeconds: 1,
      log,
    })
    const term = (await acquire(lease))!
    await d.drop()
    await waitFor(() => term.signal.aborted, { what: 'the term to end' })
    expect(log.lines.at(-1)).toMatch(
      /^\[indexer\] warn: stepping down as the indexer's leader \(epoch 1\): it could not renew the lease for \d+\.\d s \(.+\); standing by$/,
    )
  })

  it('begin(): Postgres ends a write transaction left idle longer than the lease, freeing its locks', async () => {
    const {
      db,
      leases: [a],
    } = await leases(1, 1)
    const term = (await acquire(a!))!
    let stalled: unknown
    const write = db
      .$transaction(async (tx) => {
        await term.begin(tx)
        // Locks the lease row, as fence() does, then stalls (a paused or cut-off process).
        await tx.$executeRawUnsafe(`UPDATE "indexer_lease" SET "host" = 'stalled'`)
        await new Promise((r) => setTimeout(r, 3_000))
        await tx.$executeRawUnsafe(`UPDATE "indexer_lease" SET "host" = 'late'`)
      })
      .catch((error) => {
        stalled = error
      })
    await new Promise((r) => setTimeout(r, 200))
    // Another instance's statement waits on the lock only until Postgres ends the stalled one.
    await db.$executeRawUnsafe(`UPDATE "indexer_lease" SET "host" = 'next'`)
    await write
    expect(String(stalled)).toMatch(/idle-in-transaction timeout|terminat|closed|connection error/i)
    expect((await db.indexerLease.findUniqueOrThrow({ where: { name: 'indexer' } })).host).toBe('next')
  })

  it("fence() refuses a deposed leader's write: the transaction rolls back and its term ends", async () => {
    chain = await startChannelTestbed()
    const {
      db,
      log,
      leases: [a],
    } = await leases(1)
    const term = (await acquire(a!))!
    const indexer = () => testIndexer({ chain: chain!, db, guard: term })
    await chain.open({ value: 1_000n })
    await indexer().syncToHead()
    const before = await indexedRows(db, chain.chain.id)
    expect(before.events.length).toBeGreaterThan(0)

    // Another instance takes over (as after this one was paused past its lease) ...
    await db.$executeRawUnsafe(
      `UPDATE "indexer_lease" SET "holder" = 'thief', "epoch" = "epoch" + 1, "expires_at" = now() + interval '1 hour'`,
    )
    // ... while this one has a new range to write.
    const channel = await chain.open({ value: 2_000n })
    await sendCall(chain, { account: chain.consumer, address: channel, functionName: 'deposit', value: 5n })
    await expect(indexer().syncToHead()).rejects.toBeInstanceOf(LeaseLostError)
    expect(term.signal.aborted).toBe(true)
    expect(await indexedRows(db, chain.chain.id)).toEqual(before)
    expect(log.lines).toContain(
      "[indexer] warn: stepping down as the indexer's leader (epoch 1): another instance holds the lease now (a write was refused); standing by",
    )

    // A lone indexer (no fence) writes the same range: the refusal was the fence's.
    await testIndexer({ chain, db }).syncToHead()
    expect((await indexedRows(db, chain.chain.id)).events.length).toBeGreaterThan(before.events.length)
  })
})
