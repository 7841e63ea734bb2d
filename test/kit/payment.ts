import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { PublicClient } from 'viem'
import { parseEther } from 'viem'
import { createFastPath } from '../../lib/server/payment/fastPath'
import {
  createPaymentServer,
  type PaymentServer,
  type PaymentSettings,
} from '../../lib/server/payment/server'
import type { Service } from '../../lib/server/payment/services'
import { createTestDatabase, type TestDatabase } from './database'
import { memoryLogger } from './indexer'
import { type ChannelTestbed, startChannelTestbed } from './testbed'

/** A test core's settings: no chain cache, a 50 ms runner, fresh admin key and keystore secret. */
export const testSettings = (overrides: Partial<PaymentSettings> = {}): PaymentSettings => ({
  chainCacheMs: 0,
  maxMissingRanges: 1_000,
  toleranceSeconds: 30,
  redeemAfterSeconds: 3_600,
  redeemValue: 10n ** 18n,
  intervalMs: 50,
  adminKey: `padm_${randomBytes(24).toString('base64url')}`,
  keystoreSecret: randomBytes(32).toString('hex'),
  ...overrides,
})

/**
 * A Payment Server on its own database and a channel testbed ({@link startChannelTestbed}: anvil,
 * the factory it trusts, the parties); given a testbed or a database, it shares them and leaves
 * them running at `stop()`.
 */
export async function startTestPayment({
  settings = testSettings(),
  testbed: givenTestbed,
  database: givenDatabase,
}: {
  settings?: PaymentSettings
  testbed?: ChannelTestbed
  database?: TestDatabase
} = {}) {
  const testbed = givenTestbed ?? (await startChannelTestbed())
  const database = givenDatabase ?? (await createTestDatabase())
  const log = memoryLogger()
  const server: PaymentServer = await createPaymentServer({
    db: database.db,
    databaseUrl: database.url,
    client: testbed.publicClient as unknown as PublicClient,
    rpcUrl: testbed.url,
    factoryAddress: testbed.factory,
    settings,
    log,
    environment: {},
  })

  /** Registers a service with a generated key and gives its address 100 test ether. */
  async function service(name: string, { price = 1_000n }: { price?: bigint | null } = {}) {
    const registered = await server.services.register({
      name,
      team: 'team',
      price,
      key: { source: 'generate' },
    })
    await testbed.mined(
      await testbed
        .wallet(testbed.accounts[9]!)
        .sendTransaction({ to: registered.service.address, value: parseEther('100') }),
    )
    return registered
  }

  /** Opens a channel from `consumer` to `provider` through the server (deposit in wei). */
  async function channel(
    consumer: Service,
    provider: Service,
    { deposit = 1_000_000n, costPerRequest = 1_000n } = {},
  ) {
    const { channel } = await server.channels.open({
      consumer,
      provider: provider.address,
      costPerRequest,
      deposit,
      redemptionTimeout: 60n,
      terminationTimeout: 600n,
      autoFund: null,
    })
    return channel
  }

  return {
    testbed,
    database,
    server,
    log,
    service,
    channel,
    async stop() {
      await server.close()
      if (!givenDatabase) await database.drop()
      if (!givenTestbed) await testbed.stop()
    },
  }
}

export type TestPayment = Awaited<ReturnType<typeof startTestPayment>>

/**
 * Payment Server cores on one channel testbed (a suite's, so its chain is started once):
 * `core()` starts one on a database of its own, or on `shared`'s; `stop()` stops every core
 * (those sharing a database before the one that owns it), then the testbed.
 *
 * @example
 * let cores: PaymentCores
 * beforeAll(async () => { cores = await startPaymentCores() })
 * afterAll(() => cores?.stop())
 * it('...', async () => {
 *   const a = await cores.core()
 *   const b = await cores.core(a) // same database
 * })
 */
export async function startPaymentCores(testbed?: ChannelTestbed) {
  const bed = testbed ?? (await startChannelTestbed())
  const cores: TestPayment[] = []
  return {
    testbed: bed,
    async core(shared?: TestPayment, settings = testSettings()): Promise<TestPayment> {
      const t = await startTestPayment({ testbed: bed, database: shared?.database, settings })
      cores.push(t)
      return t
    },
    async stop() {
      for (const t of cores.splice(0).reverse()) await t.stop()
      if (!testbed) await bed.stop()
    },
  }
}

export type PaymentCores = Awaited<ReturnType<typeof startPaymentCores>>

/**
 * The Payment Server's own fast path (the token calls: issue and verify) over real HTTP on a
 * port of its own, 404 for anything else: what a service's client library talks to.
 *
 * @example
 * const t = await startTestPayment()
 * const http = await servePayment(t.server)
 * createPaymentConsumer({ serverUrl: http.url, apiKey })
 * await http.close()
 */
export async function servePayment(server: PaymentServer, port = 0) {
  const fastPath = createFastPath(async () => server)
  const listener = http.createServer((req, res) => {
    if (!fastPath(req, res)) res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}`,
    listener,
    async close() {
      listener.closeAllConnections()
      await new Promise((resolve) => listener.close(resolve))
    },
  }
}
