import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppApi, serveAppApi } from '../test/kit/appApi'
import { createTestDatabase, type TestDatabase } from '../test/kit/database'
import { type ChannelTestbed, startChannelTestbed } from '../test/kit/testbed'
import { exampleServices } from './network'
import { type ExampleServers, startExampleServers } from './services'
import { keepExampleChannels, setupExample } from './setup'

/*
 * The example network over HTTP on the app's API (as npm start serves it) when the dev chain
 * is reset under it: the Payment Server retires the old channels, and the example's periodic
 * keepExampleChannels() funds the services again and opens new channels, so traffic goes on.
 */

const dir = mkdtempSync(path.join(tmpdir(), 'example-'))
let testbed: ChannelTestbed
let database: TestDatabase
let api: AppApi
let servers: ExampleServers | undefined
const lines: string[] = []
const log = (line: string) => lines.push(line)
const pairs = exampleServices.reduce((n, s) => n + s.calls.length, 0)

beforeAll(async () => {
  testbed = await startChannelTestbed()
  database = await createTestDatabase()
  api = await serveAppApi({ testbed, database })
})
afterAll(async () => {
  await servers?.stop()
  await api?.close()
  await database?.drop()
  await testbed?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** alice's call through charlie (and dave, deep), paid with tokens: the status. */
const run = async (n: number) =>
  (
    await fetch(`${servers?.urls.alice}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n, deep: true }),
    })
  ).status

describe('example network on a reset dev chain', () => {
  it('keepExampleChannels() opens new channels after a reset of the chain, and paid traffic goes on', async () => {
    const setup = {
      paymentUrl: api.url,
      rpcUrl: testbed.url,
      funderKey: testbed.keys[9],
      log,
    }
    const { credentials, file } = await setupExample({
      ...setup,
      adminKey: api.adminKey,
      credentialsFile: path.join(dir, 'credentials.json'),
    })
    expect(lines.filter((l) => l.startsWith('opened channel'))).toHaveLength(pairs)
    servers = await startExampleServers({ paymentUrl: api.url, credentials })
    expect(await run(1)).toBe(200)
    // Nothing to do while the channels are open.
    await keepExampleChannels({ ...setup, file })
    expect(lines.filter((l) => l.startsWith('opened channel'))).toHaveLength(pairs)

    await testbed.testClient.request({ method: 'anvil_reset', params: [] } as never)
    expect(await testbed.deployFactory()).toBe(testbed.factory)
    await keepExampleChannels({ ...setup, file })
    expect(lines.filter((l) => l.startsWith('opened channel'))).toHaveLength(2 * pairs)
    expect(lines.filter((l) => l.startsWith('funded alice'))).toHaveLength(2)
    // Paid through the new channels (the old ones are retired: a token of theirs is refused).
    expect([await run(2), await run(3)]).toEqual([200, 200])
  })
})
