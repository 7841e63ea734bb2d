import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppApi, serveAppApi } from '../../../test/kit/appApi'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { type ChannelTestbed, startChannelTestbed } from '../../../test/kit/testbed'
import { migrate, readMigrations } from '../db/migrate'

/*
 * GET /api/livez and /api/readyz over HTTP, as a load balancer or a kubelet asks them, through
 * one web process's life: a database not migrated yet, migrated, the chain node gone, the
 * database gone. In that order: the process's context is made once, as a web server's is.
 */

let t: ChannelTestbed
let d: TestDatabase
let api: AppApi
let nodeStopped = false
let dropped = false
beforeAll(async () => {
  ;[t, d] = await Promise.all([
    startChannelTestbed({ chainId: 779 }),
    createTestDatabase({ migrated: false }),
  ])
  api = await serveAppApi({ testbed: t, database: d })
})
afterAll(async () => {
  await api.close()
  await Promise.all([nodeStopped ? undefined : t.stop(), dropped ? undefined : d.drop()])
})

const get = async (path: string) => {
  const res = await fetch(`${api.url}${path}`)
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('GET /api/livez and /api/readyz', () => {
  it('a database behind the migrations: live, and not ready with the reason', async () => {
    expect(await get('/api/livez')).toEqual({ status: 200, body: { live: true } })
    const total = (await readMigrations()).length
    expect(await get('/api/readyz')).toMatchObject({
      status: 503,
      body: {
        ready: false,
        degraded: false,
        reasons: [`database is ${total} migrations behind; run npm run migrate`],
      },
    })
  })

  it('migrated: ready, degraded while nothing is indexed yet', async () => {
    await migrate({ databaseUrl: d.url })
    expect(await get('/api/readyz')).toEqual({
      status: 200,
      body: {
        ready: true,
        degraded: true,
        reasons: ['indexer not started yet (nothing indexed for this chain)'],
        parts: [
          { name: 'database', ready: true, state: 'answers' },
          { name: 'migrations', ready: true, state: `all ${(await readMigrations()).length} applied` },
          { name: 'service keys', ready: true, state: 'open with PAYMENT_KEYSTORE_SECRET' },
          { name: 'chain node', ready: true, state: 'answers' },
          { name: 'indexer', ready: false, state: 'not started yet (nothing indexed for this chain)' },
        ],
      },
    })
  })

  it('the chain node down: still ready (200), degraded, naming the node', async () => {
    await t.stop()
    nodeStopped = true
    const { status, body } = await get('/api/readyz')
    expect([status, body.ready, body.degraded]).toEqual([200, true, true])
    expect(body.reasons).toEqual([
      expect.stringMatching(/^chain node does not answer \(.+\)$/),
      'indexer not started yet (nothing indexed for this chain)',
    ])
  })

  it('the database gone: livez still 200 (no dependency asked), readyz 503 naming the database', async () => {
    await d.drop()
    dropped = true
    expect(await get('/api/livez')).toEqual({ status: 200, body: { live: true } })
    const { status, body } = await get('/api/readyz')
    expect([status, body.ready]).toEqual([503, false])
    expect((body.reasons as string[])[0]).toMatch(/^database does not answer \(.+\)$/)
  })
})
