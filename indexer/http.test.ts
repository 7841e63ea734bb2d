import net from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { readMigrations } from '../lib/server/db/migrate'
import { freePort } from '../stack/ports'
import { createTestDatabase } from '../test/kit/database'
import { waitFor } from '../test/kit/indexer'
import { eventChain, spawnIndexer, waitForLine } from './lease.fixture'
import { recoveryKit } from './recovery.fixture'

/*
 * The indexer process's own HTTP endpoint (INDEXER_PORT): /livez, /readyz (the database
 * reachable and migrated, leader or standby) and /metrics (Prometheus text, indexer_* names).
 */

const { children, database } = recoveryKit()
const chains: { stop(): Promise<unknown> }[] = []
const unmigrated: { drop(): Promise<void> }[] = []
afterAll(async () => {
  await Promise.all([...chains.map((c) => c.stop()), ...unmigrated.map((d) => d.drop())])
})

async function get(base: string, path: string) {
  const response = await fetch(`${base}${path}`)
  const text = await response.text()
  return { status: response.status, type: response.headers.get('content-type'), text }
}

/** The samples of a Prometheus text answer without labels, by name. */
function samples(text: string): Map<string, number> {
  const values = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^([a-z_:][a-z0-9_:]*) (\S+)$/i.exec(line)
    if (m) values.set(m[1]!, Number(m[2]))
  }
  return values
}

describe('the indexer process on INDEXER_PORT', () => {
  it('answers /livez, /readyz and /metrics on leader and standby; /readyz 503 once the database is gone', async () => {
    const chain = await eventChain({ transactions: 2 })
    chains.push(chain)
    const chainId = await chain.client.getChainId()
    const testDatabase = await database()
    const { db, url } = testDatabase
    const spawn = async (id: string) => {
      const port = await freePort()
      const child = spawnIndexer(children, {
        id,
        databaseUrl: url,
        rpcUrl: chain.url,
        factory: chain.factory,
        env: { INDEXER_PORT: String(port), INDEXER_LEASE_SECONDS: '2' },
      })
      return Object.assign(child, { base: `http://127.0.0.1:${port}` })
    }
    const leader = await spawn('leader')
    await waitForLine(leader, "instance leader took over the indexer's lease")
    const standby = await spawn('standby')
    await waitForLine(standby, 'standing by: instance leader leads the indexer')
    const head = await chain.client.getBlockNumber()
    await waitFor(
      async () => (await db.indexerState.findUnique({ where: { chainId } }))?.cursorNumber === head,
      {
        what: 'the leader to index the chain',
      },
    )

    for (const p of [leader, standby]) {
      expect(await get(p.base, '/livez')).toMatchObject({ status: 200, text: '{"live":true}' })
      expect(await get(p.base, '/readyz')).toMatchObject({ status: 200, text: '{"ready":true,"reasons":[]}' })
    }
    const metricsOf = async (base: string) => {
      const answer = await get(base, '/metrics')
      expect(answer.status).toBe(200)
      expect(answer.type).toMatch(/^text\/plain/)
      expect(answer.text).not.toMatch(/indexer_indexer_|indexer_process_process_/)
      return samples(answer.text)
    }
    const led = await metricsOf(leader.base)
    expect({
      leader: led.get('indexer_leader'),
      head: led.get('indexer_head_block'),
      indexed: led.get('indexer_indexed_block'),
      lag: led.get('indexer_lag_blocks'),
      events: led.get('indexer_events_total'),
      blocks: led.get('indexer_blocks_total'),
      reorgs: led.get('indexer_reorgs_total'),
      rpcErrors: led.get('indexer_rpc_errors_total'),
      takeovers: led.get('indexer_lease_takeovers_total'),
    }).toEqual({
      leader: 1,
      head: Number(head),
      indexed: Number(head),
      lag: 0,
      events: chain.events,
      blocks: Number(head - chain.factory.blockNumber) + 1,
      reorgs: 0,
      rpcErrors: 0,
      takeovers: 1,
    })
    expect(led.get('indexer_lag_seconds')).toBeGreaterThanOrEqual(0)
    expect(led.get('indexer_process_cpu_user_seconds_total')).toBeGreaterThan(0)
    const stood = await metricsOf(standby.base)
    expect([stood.get('indexer_leader'), stood.get('indexer_lease_takeovers_total')]).toEqual([0, 0])
    expect(stood.get('indexer_events_total')).toBe(0)
    // A standby reads nothing, so its view of the chain is unknown (NaN), not zero.
    expect(stood.get('indexer_lag_blocks')).toBeNaN()

    // Another instance takes the lease over (as after this one was cut off): the leader sees
    // it at its next renewal, steps down and says so in its metrics.
    await db.$executeRawUnsafe(
      `UPDATE "indexer_lease" SET "holder" = 'elsewhere', "epoch" = "epoch" + 1, "expires_at" = now() + interval '1 hour'`,
    )
    await waitForLine(
      leader,
      "stepping down as the indexer's leader (epoch 1): another instance holds the lease now",
    )
    expect((await metricsOf(leader.base)).get('indexer_leader')).toBe(0)
    expect((await get(leader.base, '/readyz')).status).toBe(200)

    // The database goes away: both stay live and answer not ready, with the reason.
    await testDatabase.drop()
    for (const p of [leader, standby]) {
      const ready = await get(p.base, '/readyz')
      expect(ready.status).toBe(503)
      const body = JSON.parse(ready.text) as { ready: boolean; reasons: string[] }
      expect(body.ready).toBe(false)
      expect(body.reasons).toHaveLength(1)
      expect(body.reasons[0]).toMatch(/^database does not answer \(.*does not exist\)$/)
      expect((await get(p.base, '/livez')).status).toBe(200)
    }
  })

  it('indexes without the endpoint, and says so, when its port is taken', async () => {
    const chain = await eventChain({ transactions: 1 })
    chains.push(chain)
    const { db, url } = await database()
    const taken = net.createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as net.AddressInfo).port
    try {
      const p = spawnIndexer(children, {
        id: 'second',
        databaseUrl: url,
        rpcUrl: chain.url,
        factory: chain.factory,
        env: { INDEXER_PORT: String(port) },
      })
      await waitForLine(p, `cannot serve /livez, /readyz and /metrics on 127.0.0.1:${port}`)
      const chainId = await chain.client.getChainId()
      const head = await chain.client.getBlockNumber()
      await waitFor(
        async () => (await db.indexerState.findUnique({ where: { chainId } }))?.cursorNumber === head,
        {
          what: 'the indexer to index the chain',
        },
      )
    } finally {
      taken.close()
    }
  })

  it('answers /readyz 503 on a database that is not migrated', async () => {
    const chain = await eventChain({ transactions: 1 })
    chains.push(chain)
    const empty = await createTestDatabase({ migrated: false })
    unmigrated.push(empty)
    const { url } = empty
    const port = await freePort()
    const p = spawnIndexer(children, {
      id: 'early',
      databaseUrl: url,
      rpcUrl: chain.url,
      factory: chain.factory,
      env: { INDEXER_PORT: String(port) },
    })
    await waitForLine(p, "cannot take part in the indexer's election")
    const ready = await get(`http://127.0.0.1:${port}`, '/readyz')
    expect(ready).toMatchObject({
      status: 503,
      text: JSON.stringify({
        ready: false,
        reasons: [`database is ${(await readMigrations()).length} migrations behind; run npm run migrate`],
      }),
    })
  })
})
