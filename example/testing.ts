import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { PublicClient } from 'viem'
import { getPaymentServer } from '../lib/server/payment/instance'
import { ensureFactoryV2 } from '../stack/deploy'
import { type AppApi, serveAppApi } from '../test/kit/appApi'
import { createTestDatabase, type TestDatabase } from '../test/kit/database'
import { type ChannelTestbed, startChannelTestbed } from '../test/kit/testbed'
import type { ExampleServers } from './services'
import { setupExample } from './setup'

/*
 * The example network's tests on what npm start runs: anvil with both channel factories (v1
 * from the testbed, IntermediaryFactoryV2 recorded as the stack records it), the app's API
 * over HTTP (test/kit/appApi), the example set up through it.
 */

/** A bed for the example network's tests; `stop()` ends what it started. */
export type ExampleBed = {
  testbed: ChannelTestbed
  database: TestDatabase
  api: AppApi
  /** Every line the example logged. */
  lines: string[]
  log: (line: string) => void
  /** The arguments of setupExample() and keepExampleChannels() on this bed. */
  setup: { paymentUrl: string; rpcUrl: string; funderKey: `0x${string}`; log: (line: string) => void }
  /** Deploys IntermediaryFactoryV2 (again after a reset: the same address, from its own key's nonce 0). */
  deployFactoryV2(): Promise<void>
  /** setupExample() on the bed: the services registered and funded, their channels open. */
  start(): ReturnType<typeof setupExample>
  /** The servers a test started, stopped with the bed. */
  servers?: ExampleServers
  stop(): Promise<void>
}

/** Starts an {@link ExampleBed}. */
export async function startExampleBed(): Promise<ExampleBed> {
  const dir = mkdtempSync(path.join(tmpdir(), 'example-'))
  const testbed = await startChannelTestbed()
  const database = await createTestDatabase()
  const lines: string[] = []
  const log = (line: string) => void lines.push(line)
  const deployFactoryV2 = async () => {
    await ensureFactoryV2({
      db: database.db,
      client: testbed.publicClient as unknown as PublicClient,
      rpcUrl: testbed.url,
      deployerKey: testbed.keys[8],
    })
  }
  await deployFactoryV2()
  const api = await serveAppApi({ testbed, database })
  const setup = { paymentUrl: api.url, rpcUrl: testbed.url, funderKey: testbed.keys[9], log }
  const bed: ExampleBed = {
    testbed,
    database,
    api,
    lines,
    log,
    setup,
    deployFactoryV2,
    start: () =>
      setupExample({ ...setup, adminKey: api.adminKey, credentialsFile: path.join(dir, 'credentials.json') }),
    async stop() {
      await bed.servers?.stop()
      await api.close()
      await database.drop()
      await testbed.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return bed
}

/**
 * Runs the in-process Payment Server's runner (serveAppApi turns its timer off) until `done()`,
 * a block mined between rounds; at most `rounds` rounds.
 */
export async function runRunnerUntil(
  bed: ExampleBed,
  done: () => Promise<boolean>,
  rounds = 6,
): Promise<void> {
  const server = await getPaymentServer()
  for (let i = 0; i < rounds && !(await done()); i++) {
    await server.runner.runOnce()
    await bed.testbed.testClient.mine({ blocks: 1 })
  }
}
