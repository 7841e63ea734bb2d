import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureFactory } from '../../../stack/deploy'
import { freePort } from '../../../stack/ports'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { type ChannelTestbed, startChannelTestbed } from '../../../test/kit/testbed'
import { createChainClient } from '../chain'
import { createDb } from '../db/client'
import { checkHealth } from './health'
import { writeStackStatus } from './stackStatus'

let t: ChannelTestbed
let d: TestDatabase
beforeAll(async () => {
  ;[t, d] = await Promise.all([startChannelTestbed({ chainId: 777 }), createTestDatabase()])
})
afterAll(async () => {
  await Promise.all([t.stop(), d.drop()])
})

describe('checkHealth()', () => {
  it('checkHealth() reports ok with chain id, head block and the recorded factory', async () => {
    const factory = await ensureFactory({
      db: d.db,
      client: t.publicClient,
      rpcUrl: t.url,
      // Records the testbed's factory (and finds its block) as the stack does with FACTORY_ADDRESS.
      factoryAddress: t.factory,
    })
    await t.testClient.mine({ blocks: 3 })
    const head = await t.publicClient.getBlockNumber({ cacheTime: 0 })
    const health = await checkHealth({ db: d.db, chain: createChainClient({ rpcUrl: t.url }) })
    expect(health.status).toBe('ok')
    expect(health.database.ok).toBe(true)
    expect(health.chain).toMatchObject({ ok: true, chainId: 777, headBlock: head.toString() })
    expect(health.factory).toEqual({
      address: factory.address,
      deploymentBlock: factory.blockNumber.toString(),
    })
  })

  it("checkHealth() lists npm start's processes with their restarts from its status file, and null without one", async () => {
    const ctx = { db: d.db, chain: createChainClient({ rpcUrl: t.url }) }
    expect((await checkHealth(ctx)).stack).toBeNull()
    const file = path.join(tmpdir(), `stack-status-${randomBytes(4).toString('hex')}.json`)
    const lastExit = { code: null, signal: 'SIGKILL', at: '2026-12-07T10:00:00.000Z' }
    const upSince = '2026-12-07T10:00:01.000Z'
    await writeStackStatus(file, {
      pid: process.pid,
      phase: 'running',
      parts: {},
      children: { indexer: { state: 'running', restarts: 1, lastExit, upSince } },
      updatedAt: upSince,
    })
    try {
      expect((await checkHealth(ctx, undefined, file)).stack).toEqual({
        pid: process.pid,
        phase: 'running',
        children: [{ name: 'indexer', state: 'running', restarts: 1, lastExit, upSince }],
      })
    } finally {
      await rm(file, { force: true })
    }
  })

  it('checkHealth() is degraded, with the reason, when the chain node is down', async () => {
    // Nothing listens there; the path carries a provider-style API key.
    const down = `http://127.0.0.1:${await freePort()}/v2/SECRETKEY123`
    const health = await checkHealth({ db: d.db, chain: createChainClient({ rpcUrl: down }) })
    expect(health.status).toBe('degraded')
    expect(health.database.ok).toBe(true)
    expect(health.chain.ok).toBe(false)
    expect(health.chain.error).toBeTruthy()
    expect(health.chain.chainId).toBeUndefined()
    expect(JSON.stringify(health)).not.toContain('SECRETKEY123')
  })

  it('checkHealth() is degraded, without leaking the URL, when the database is unreachable', async () => {
    const url = 'postgresql://postgres:s3cret@127.0.0.1:1/app'
    const db = createDb({ databaseUrl: url })
    try {
      const health = await checkHealth({ db, chain: createChainClient({ rpcUrl: t.url }) })
      expect(health.status).toBe('degraded')
      expect(health.database.ok).toBe(false)
      expect(health.chain.ok).toBe(true)
      // Prisma's message starts with a newline and a header: the cause, not "".
      expect(health.database.error).toBe("Can't reach database server at 127.0.0.1:1")
      expect(JSON.stringify(health)).not.toContain('s3cret')
    } finally {
      await db.$disconnect()
    }
  })
})
