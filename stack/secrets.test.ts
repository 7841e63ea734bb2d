import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseEnv } from '../lib/server/env'
import { ensurePaymentSecrets, withoutSettledSecretFiles } from './secrets'

let root: string
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'stack-secrets-'))
})
afterAll(() => rm(root, { recursive: true, force: true }))

const newSecrets = () => ({
  PAYMENT_ADMIN_KEY: `padm_${randomBytes(32).toString('base64url')}`,
  PAYMENT_KEYSTORE_SECRET: randomBytes(32).toString('hex'),
})

/** Every file under `dir` whose content holds `value` (as `grep -rl value dir` lists them). */
async function filesHolding(dir: string, value: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir, { recursive: true })) {
    const file = path.join(dir, entry)
    if ((await stat(file)).isFile() && (await readFile(file, 'utf8')).includes(value)) found.push(entry)
  }
  return found
}

describe('ensurePaymentSecrets()', () => {
  it('ensurePaymentSecrets() writes no secret given in the environment to DATA_DIR', async () => {
    const dataDir = await mkdtemp(path.join(root, 'data-'))
    const given = newSecrets()
    const secrets = await ensurePaymentSecrets({ dataDir, given: parseEnv(given) })
    expect(secrets).toEqual({
      adminKey: given.PAYMENT_ADMIN_KEY,
      keystoreSecret: given.PAYMENT_KEYSTORE_SECRET,
      adminKeyFrom: 'environment',
    })
    expect(await readdir(dataDir, { recursive: true })).toEqual([])
  })

  it('ensurePaymentSecrets() writes no secret given as <NAME>_FILE to DATA_DIR', async () => {
    const dataDir = await mkdtemp(path.join(root, 'data-'))
    const given = newSecrets()
    const mounted = await mkdtemp(path.join(root, 'mounted-'))
    for (const [name, value] of Object.entries(given)) await writeFile(path.join(mounted, name), `${value}\n`)
    // Something else in DATA_DIR already (a previous local run's file): it is left as it was.
    await writeFile(
      path.join(dataDir, 'payment-secrets.json'),
      '{"adminKey":"padm_old_local_key_0123456789abcdef"}\n',
    )
    const env = parseEnv({
      PAYMENT_ADMIN_KEY_FILE: path.join(mounted, 'PAYMENT_ADMIN_KEY'),
      PAYMENT_KEYSTORE_SECRET_FILE: path.join(mounted, 'PAYMENT_KEYSTORE_SECRET'),
    })
    const secrets = await ensurePaymentSecrets({ dataDir, given: env })
    expect([secrets.adminKey, secrets.keystoreSecret, secrets.adminKeyFrom]).toEqual([
      given.PAYMENT_ADMIN_KEY,
      given.PAYMENT_KEYSTORE_SECRET,
      'environment',
    ])
    expect(await filesHolding(dataDir, given.PAYMENT_ADMIN_KEY)).toEqual([])
    expect(await filesHolding(dataDir, given.PAYMENT_KEYSTORE_SECRET)).toEqual([])
    expect(await readFile(path.join(dataDir, 'payment-secrets.json'), 'utf8')).toBe(
      '{"adminKey":"padm_old_local_key_0123456789abcdef"}\n',
    )
  })

  it('ensurePaymentSecrets() generates the local default once, and stores only what it generated', async () => {
    const dataDir = await mkdtemp(path.join(root, 'data-'))
    const file = path.join(dataDir, 'payment-secrets.json')
    const first = await ensurePaymentSecrets({ dataDir, given: {} })
    expect(first.adminKey).toMatch(/^padm_[\w-]{43}$/)
    expect(first.keystoreSecret).toMatch(/^[0-9a-f]{64}$/)
    expect(first.adminKeyFrom).toEqual({ file })
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await ensurePaymentSecrets({ dataDir, given: {} })).toEqual(first)

    // The admin key given, the keystore secret not: the file keeps the generated secret only.
    const { PAYMENT_ADMIN_KEY } = newSecrets()
    const mixed = await ensurePaymentSecrets({ dataDir, given: { PAYMENT_ADMIN_KEY } })
    expect(mixed).toEqual({
      adminKey: PAYMENT_ADMIN_KEY,
      keystoreSecret: first.keystoreSecret,
      adminKeyFrom: 'environment',
    })
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ keystoreSecret: first.keystoreSecret })
    expect(await filesHolding(dataDir, PAYMENT_ADMIN_KEY)).toEqual([])

    // Another keystore secret given (and refused later by the keystore check): the stored one
    // stays, so that once it is unset again the keys it sealed still open.
    const { PAYMENT_KEYSTORE_SECRET } = newSecrets()
    await ensurePaymentSecrets({ dataDir, given: { PAYMENT_KEYSTORE_SECRET } })
    expect(JSON.parse(await readFile(file, 'utf8')).keystoreSecret).toBe(first.keystoreSecret)
    expect(await filesHolding(dataDir, PAYMENT_KEYSTORE_SECRET)).toEqual([])
    expect((await ensurePaymentSecrets({ dataDir, given: {} })).keystoreSecret).toBe(first.keystoreSecret)
  })
})

describe('withoutSettledSecretFiles()', () => {
  it('withoutSettledSecretFiles() drops the _FILE of a secret the start sets and keeps the others', () => {
    expect(
      withoutSettledSecretFiles({
        DATABASE_URL: 'postgresql://embedded',
        DATABASE_URL_FILE: '/run/secrets/db',
        RPC_URL_FILE: '/run/secrets/rpc',
        PORT: '3000',
      }),
    ).toEqual({ DATABASE_URL: 'postgresql://embedded', RPC_URL_FILE: '/run/secrets/rpc', PORT: '3000' })
  })
})
