import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLease } from '../../../indexer/lease'
import { freePort } from '../../../stack/ports'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { memoryLogger, waitFor } from '../../../test/kit/indexer'
import { createChainClient } from '../chain'
import { readIndexerStatus } from './indexerStatus'

let d: TestDatabase
const stop = new AbortController()
beforeAll(async () => {
  d = await createTestDatabase()
})
afterAll(async () => {
  stop.abort()
  await d.drop()
})

describe('readIndexerStatus()', () => {
  it("readIndexerStatus() names the indexer instance that holds the lease, since when, and the standbys' count", async () => {
    // No node is needed for the election: the status then comes from the database alone.
    const chain = createChainClient({ rpcUrl: `http://127.0.0.1:${await freePort()}` })
    const status = () => readIndexerStatus({ db: d.db, chain })
    expect(await status()).toMatchObject({ leader: null, standbys: 0 })

    const lease = (id: string, pid: number) =>
      createLease({ db: d.db, instance: { id, host: 'host-1', pid }, leaseSeconds: 600, log: memoryLogger() })
    const a = (await lease('a', 11).acquire(stop.signal))!
    const b = lease('b', 12).acquire(stop.signal)
    await waitFor(async () => (await status()).standbys === 1, { what: 'b to stand by' })
    const led = await status()
    const row = await d.db.indexerLease.findUniqueOrThrow({ where: { name: 'indexer' } })
    expect(led.leader).toEqual({
      instance: 'a',
      host: 'host-1',
      pid: 11,
      epoch: '1',
      since: row.acquiredAt!.toISOString(),
      heartbeatAgeSeconds: led.leader!.heartbeatAgeSeconds,
    })
    expect(led.leader!.heartbeatAgeSeconds).toBeGreaterThanOrEqual(0)
    expect(led.leader!.heartbeatAgeSeconds).toBeLessThan(600)

    await a.release()
    const second = (await b)!
    expect(await status()).toMatchObject({ leader: { instance: 'b', pid: 12, epoch: '2' }, standbys: 0 })
    await second.release()
    expect(await status()).toMatchObject({ leader: null, standbys: 0 })
  })
})
