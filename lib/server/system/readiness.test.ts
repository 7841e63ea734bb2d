import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { testIndexer } from '../../../test/kit/indexer'
import { type ChannelTestbed, startChannelTestbed } from '../../../test/kit/testbed'
import { createChainClient } from '../chain'
import { migrate, readMigrations } from '../db/migrate'
import { KEYSTORE_MISMATCH } from '../payment'
import { createServiceRegistry } from '../payment/services'
import { checkReadiness } from './readiness'
import { type StackStatus, writeStackStatus } from './stackStatus'

let t: ChannelTestbed
let d: TestDatabase
const statusFile = path.join(tmpdir(), `stack-status-${randomBytes(4).toString('hex')}.json`)
beforeAll(async () => {
  ;[t, d] = await Promise.all([startChannelTestbed({ chainId: 778 }), createTestDatabase()])
})
afterAll(async () => {
  await Promise.all([t.stop(), d.drop(), rm(statusFile, { force: true })])
})

const readiness = (stackStatusFile?: string) =>
  checkReadiness({ db: d.db, chain: createChainClient({ rpcUrl: t.url }), stackStatusFile })

const stackStatus = (s: Partial<StackStatus>): StackStatus => ({
  pid: process.pid,
  phase: 'running',
  parts: {},
  updatedAt: new Date().toISOString(),
  ...s,
})

describe('checkReadiness()', () => {
  it('checkReadiness() leaves the web role ready but degraded until the indexer follows the head', async () => {
    const before = await readiness()
    expect(before).toMatchObject({ ready: true, degraded: true })
    expect(before.reasons).toEqual(['indexer not started yet (nothing indexed for this chain)'])
    expect(before.parts.map((p) => [p.name, p.ready])).toEqual([
      ['database', true],
      ['migrations', true],
      ['chain node', true],
      ['indexer', false],
    ])

    await testIndexer({ chain: t, db: d.db }).syncToHead()
    const head = await t.publicClient.getBlockNumber({ cacheTime: 0 })
    const after = await readiness()
    expect(after).toMatchObject({ ready: true, degraded: false, reasons: [] })
    expect(after.parts[3]).toEqual({ name: 'indexer', ready: true, state: `live at block ${head}` })
  })

  it('checkReadiness() says how far a backfilling indexer is', async () => {
    const cursor = await t.publicClient.getBlockNumber({ cacheTime: 0 })
    await t.testClient.mine({ blocks: 5 })
    // Where an indexer stands between two ranges of its backfill.
    await d.db.indexerState.update({ where: { chainId: 778 }, data: { phase: 'backfill' } })
    expect((await readiness()).reasons).toEqual([`indexer backfilling, block ${cursor} of ${cursor + 5n}`])
    await testIndexer({ chain: t, db: d.db }).syncToHead()
  })

  it("checkReadiness() under npm start waits for the stack's parts and phase from its status file", async () => {
    expect(await readiness(statusFile)).toMatchObject({
      ready: false,
      reasons: ['stack has not said how far it is (no status file yet)'],
    })
    await writeStackStatus(
      statusFile,
      stackStatus({
        phase: 'starting',
        parts: { 'example network': { ready: false, state: 'not yet serving' } },
      }),
    )
    const starting = await readiness(statusFile)
    expect(starting.ready).toBe(false)
    expect(starting.reasons).toEqual(['example network not yet serving', 'stack starting'])

    await writeStackStatus(
      statusFile,
      stackStatus({ parts: { 'example network': { ready: true, state: 'serving' } } }),
    )
    expect(await readiness(statusFile)).toMatchObject({ ready: true, degraded: false, reasons: [] })

    // A process the stack keeps restarting because it exits right after each start.
    const lastExit = { code: 1, signal: null, at: '2026-12-07T10:00:00.000Z' }
    await writeStackStatus(
      statusFile,
      stackStatus({ children: { indexer: { state: 'failing', restarts: 5, lastExit, upSince: null } } }),
    )
    expect(await readiness(statusFile)).toMatchObject({
      ready: false,
      reasons: [
        'indexer process failing: it exits again right after each start (5 restarts, last exit code 1 at 2026-12-07T10:00:00.000Z); the stack keeps restarting it with backoff',
      ],
    })

    // A file left by a run whose process is gone says nothing about this one.
    const gone = spawnSync('true').pid
    await writeStackStatus(statusFile, stackStatus({ pid: gone }))
    expect((await readiness(statusFile)).reasons).toEqual([`stack not running (process ${gone} is gone)`])
  })

  it('checkReadiness() stays ready but degraded while the chain node does not answer, naming it', async () => {
    const down = createChainClient({ rpcUrl: 'http://127.0.0.1:1/v2/SECRETKEY123' })
    const answer = await checkReadiness({ db: d.db, chain: down })
    expect(answer).toMatchObject({ ready: true, degraded: true })
    expect(answer.reasons[0]).toMatch(/^chain node does not answer \(.+\)$/)
    expect(JSON.stringify(answer)).not.toContain('SECRETKEY123')
  })

  it('checkReadiness() is not ready while the database is behind the migrations of this build', async () => {
    const bare = await createTestDatabase({ migrated: false })
    try {
      const chain = createChainClient({ rpcUrl: t.url })
      const total = (await readMigrations()).length
      const fresh = await checkReadiness({ db: bare.db, chain })
      expect(fresh).toMatchObject({
        ready: false,
        degraded: false,
        reasons: [`database is ${total} migrations behind; run npm run migrate`],
      })
      await migrate({ databaseUrl: bare.url })
      // One migration of this build the database has not had (as after an upgrade of the code).
      await bare.db.$executeRaw`DELETE FROM "_migrations" WHERE name = (SELECT max(name) FROM "_migrations")`
      const behind = await checkReadiness({ db: bare.db, chain })
      expect(behind.ready).toBe(false)
      expect(behind.reasons).toContain('database is 1 migration behind; run npm run migrate')
      expect(behind.parts[1]).toEqual({
        name: 'migrations',
        ready: false,
        state: `1 of ${total} not applied`,
      })
    } finally {
      await bare.drop()
    }
  })

  it('checkReadiness() is not ready while PAYMENT_KEYSTORE_SECRET cannot open the stored service keys', async () => {
    const [secretA, secretB] = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')]
    await createServiceRegistry({ db: d.db, keystoreSecret: secretA }).register({
      name: 'sealed',
      team: 'team',
      key: { source: 'generate' },
    })
    const chain = createChainClient({ rpcUrl: t.url })
    const other = await checkReadiness({ db: d.db, chain, keystoreSecret: secretB })
    expect(other).toMatchObject({ ready: false, reasons: [KEYSTORE_MISMATCH] })
    expect(other.parts[2]).toEqual({
      name: 'service keys',
      ready: false,
      state: 'sealed with another PAYMENT_KEYSTORE_SECRET',
    })
    const same = await checkReadiness({ db: d.db, chain, keystoreSecret: secretA })
    expect(same.ready).toBe(true)
    expect(same.parts[2]).toEqual({
      name: 'service keys',
      ready: true,
      state: 'open with PAYMENT_KEYSTORE_SECRET',
    })
  })

  it('checkReadiness() answers, ready but degraded, while the chain node hangs', async () => {
    // A node cut off by a firewall: connections are taken and never answered.
    const held: net.Socket[] = []
    const silent = net.createServer((socket) => held.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = silent.address() as net.AddressInfo
      const chain = createChainClient({ rpcUrl: `http://127.0.0.1:${port}` })
      const answer = await checkReadiness({ db: d.db, chain })
      expect(answer).toMatchObject({ ready: true, degraded: true })
      expect(answer.reasons).toEqual([expect.stringMatching(/^chain node does not answer \(.+\)$/)])
    } finally {
      for (const s of held) s.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  })
})
