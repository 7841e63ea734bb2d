import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { testIndexer } from '../../../test/kit/indexer'
import { type ChannelTestbed, startChannelTestbed } from '../../../test/kit/testbed'
import { createChainClient } from '../chain'
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
  it('checkReadiness() says the indexer has not started, then is ready once it follows the head', async () => {
    const before = await readiness()
    expect(before.ready).toBe(false)
    expect(before.waiting).toEqual(['indexer: not started yet (nothing indexed for this chain)'])
    expect(before.parts.map((p) => [p.name, p.ready])).toEqual([
      ['database', true],
      ['chain node', true],
      ['indexer', false],
    ])

    await testIndexer({ chain: t, db: d.db }).syncToHead()
    const head = await t.publicClient.getBlockNumber({ cacheTime: 0 })
    const after = await readiness()
    expect(after).toMatchObject({ ready: true, waiting: [] })
    expect(after.parts[2]).toEqual({ name: 'indexer', ready: true, state: `live at block ${head}` })
  })

  it('checkReadiness() says how far a backfilling indexer is', async () => {
    const cursor = await t.publicClient.getBlockNumber({ cacheTime: 0 })
    await t.testClient.mine({ blocks: 5 })
    // Where an indexer stands between two ranges of its backfill.
    await d.db.indexerState.update({ where: { chainId: 778 }, data: { phase: 'backfill' } })
    expect((await readiness()).waiting).toEqual([`indexer: backfilling, block ${cursor} of ${cursor + 5n}`])
    await testIndexer({ chain: t, db: d.db }).syncToHead()
  })

  it("checkReadiness() waits for the stack's parts and phase from its status file", async () => {
    expect((await readiness(statusFile)).waiting).toEqual([
      'stack: has not said how far it is (no status file yet)',
    ])
    await writeStackStatus(
      statusFile,
      stackStatus({
        phase: 'starting',
        parts: { 'example network': { ready: false, state: 'not yet serving' } },
      }),
    )
    const starting = await readiness(statusFile)
    expect(starting.ready).toBe(false)
    expect(starting.waiting).toEqual(['example network: not yet serving', 'stack: starting'])

    await writeStackStatus(
      statusFile,
      stackStatus({ parts: { 'example network': { ready: true, state: 'serving' } } }),
    )
    expect(await readiness(statusFile)).toMatchObject({ ready: true, waiting: [] })

    // A file left by a run whose process is gone says nothing about this one.
    const gone = spawnSync('true').pid
    await writeStackStatus(statusFile, stackStatus({ pid: gone }))
    expect((await readiness(statusFile)).waiting).toEqual([`stack: not running (process ${gone} is gone)`])
  })

  it('checkReadiness() names a dependency that does not answer', async () => {
    const down = createChainClient({ rpcUrl: 'http://127.0.0.1:1/v2/SECRETKEY123' })
    const answer = await checkReadiness({ db: d.db, chain: down })
    expect(answer.ready).toBe(false)
    expect(answer.waiting[0]).toMatch(/^chain node: does not answer \(.+\)$/)
    expect(JSON.stringify(answer)).not.toContain('SECRETKEY123')
  })
})
