import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { PublicClient } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkKeystore, StartError } from '../../../stack/preflight'
import { memoryLogger } from '../../../test/kit/indexer'
import {
  type PaymentCores,
  startPaymentCores,
  type TestPayment,
  testSettings,
} from '../../../test/kit/payment'
import { errorBody } from '../../errors'
import { startPaymentRunner } from './instance'
import { KEYSTORE_MISMATCH } from './keystore'
import { createPaymentServer } from './server'
import { createServiceRegistry } from './services'

/*
 * Instances that share a database must share PAYMENT_KEYSTORE_SECRET: keys sealed with secret A
 * cannot be opened with B. An instance given B stops at its start with a sentence (the Payment
 * Server and npm start's preflight), and a key it meets anyway answers 503, never 500.
 */

const SECRET_A = randomBytes(32).toString('hex')
const SECRET_B = randomBytes(32).toString('hex')

let cores: PaymentCores
let a: TestPayment
beforeAll(async () => {
  cores = await startPaymentCores()
  a = await cores.core(undefined, testSettings({ keystoreSecret: SECRET_A }))
  await a.service('alpha')
})
afterAll(() => cores?.stop())

describe('the keystore secret check', () => {
  it('createPaymentServer() refuses a keystore secret that cannot open the stored keys, with the sentence', async () => {
    const started = createPaymentServer({
      db: a.database.db,
      databaseUrl: a.database.url,
      client: cores.testbed.publicClient as unknown as PublicClient,
      rpcUrl: cores.testbed.url,
      factoryAddress: cores.testbed.factory,
      settings: testSettings({ keystoreSecret: SECRET_B }),
      log: memoryLogger(),
      environment: {},
    })
    await expect(started).rejects.toMatchObject({
      status: 503,
      code: 'keystore_secret_mismatch',
      message: `${KEYSTORE_MISMATCH}.`,
    })
  })

  it("npm start's preflight stops on a keystore secret that cannot open the stored keys, and passes the right one", async () => {
    const refused = checkKeystore({ databaseUrl: a.database.url, keystoreSecret: SECRET_B })
    await expect(refused).rejects.toBeInstanceOf(StartError)
    await expect(refused).rejects.toThrow(
      'PAYMENT_KEYSTORE_SECRET cannot open the service keys stored in the database (they were sealed with another secret): give every instance the same PAYMENT_KEYSTORE_SECRET.',
    )
    await expect(
      checkKeystore({ databaseUrl: a.database.url, keystoreSecret: SECRET_A }),
    ).resolves.toBeUndefined()
  })

  it('a key sealed with another secret after the start answers 503 with a code, not 500', async () => {
    // Both start on a database with no sealed key yet, so both starts pass; then A seals one.
    const b = await cores.core(undefined, testSettings({ keystoreSecret: SECRET_B }))
    const a2 = await cores.core(b, testSettings({ keystoreSecret: SECRET_A }))
    const { service } = await a2.service('gamma')
    const opened = await b.server.services.privateKey(service).catch((error: unknown) => error)
    expect(errorBody(opened)).toEqual({
      status: 503,
      body: { error: { code: 'keystore_secret_mismatch', message: `${KEYSTORE_MISMATCH}.` } },
    })
  })

  it("startPaymentRunner() stops at once on a keystore secret that cannot open the stored keys (the runner role's start)", async () => {
    // This process's Payment Server, as a runner role configures it from its environment.
    Object.assign(process.env, {
      DATABASE_URL: a.database.url,
      RPC_URL: cores.testbed.url,
      FACTORY_ADDRESS: cores.testbed.factory,
      PAYMENT_KEYSTORE_SECRET: SECRET_B,
      PAYMENT_RECOVER_THREADS: '0',
    })
    await expect(startPaymentRunner()).rejects.toMatchObject({ code: 'keystore_secret_mismatch' })
  })

  it('a service key given by an environment variable may come from <variable>_FILE, as the secrets do', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'service-key-'))
    try {
      const key = generatePrivateKey()
      await writeFile(path.join(dir, 'key'), `${key}\n`)
      const file = path.join(dir, 'key')
      const services = createServiceRegistry({ db: a.database.db, environment: { FILED_KEY_FILE: file } })
      const { service } = await services.register({
        name: 'filed',
        team: 'team',
        key: { source: 'env', variable: 'FILED_KEY' },
      })
      expect(service.address).toBe(privateKeyToAccount(key).address.toLowerCase())
      expect(await services.privateKey(service)).toBe(key)
      const both = createServiceRegistry({
        db: a.database.db,
        environment: { FILED_KEY: key, FILED_KEY_FILE: file },
      })
      await expect(both.privateKey(service)).rejects.toMatchObject({
        status: 400,
        code: 'key_unavailable',
        message: 'FILED_KEY and FILED_KEY_FILE are both set; set only one of them.',
      })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
