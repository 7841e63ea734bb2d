import { randomBytes } from 'node:crypto'
import type { PublicClient } from 'viem'
import { type Address, parseEther } from 'viem'
import {
  createPaymentServer,
  type PaymentServer,
  type PaymentSettings,
} from '../../lib/server/payment/server'
import type { Service } from '../../lib/server/payment/services'
import { startTestChain } from './chain'
import { createTestDatabase, type TestDatabase } from './database'
import { memoryLogger } from './indexer'

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

export type TestChain = Awaited<ReturnType<typeof startTestChain>>

/** A Payment Server on its own anvil and database, with the factory deployed. */
export async function startTestPayment({
  settings = testSettings(),
  chain: given,
  database: givenDatabase,
  factory: givenFactory,
}: {
  settings?: PaymentSettings
  chain?: TestChain
  database?: TestDatabase
  factory?: Address
} = {}) {
  const chain = given ?? (await startTestChain())
  const database = givenDatabase ?? (await createTestDatabase())
  const factory = givenFactory ?? (await chain.deployFactory())
  const log = memoryLogger()
  const server: PaymentServer = await createPaymentServer({
    db: database.db,
    databaseUrl: database.url,
    client: chain.publicClient as unknown as PublicClient,
    rpcUrl: chain.url,
    factoryAddress: factory,
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
    await chain.mined(
      await chain
        .wallet(chain.accounts[9]!)
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
    chain,
    database,
    factory,
    server,
    log,
    service,
    channel,
    async stop() {
      await server.close()
      if (!givenDatabase) await database.drop()
      if (!given) await chain.stop()
    },
  }
}

export type TestPayment = Awaited<ReturnType<typeof startTestPayment>>
