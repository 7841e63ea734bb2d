import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'

export type PaymentSecrets = { adminKey: string; keystoreSecret: string; file: string }

/**
 * The Payment Server's admin key and keystore secret for a local stack: taken from
 * PAYMENT_ADMIN_KEY / PAYMENT_KEYSTORE_SECRET when set, else generated once into
 * `<dataDir>/payment-secrets.json` (mode 0600, inside the ignored data folder) and reused.
 */
export async function ensurePaymentSecrets({
  dataDir,
  environment = process.env,
}: {
  dataDir: string
  environment?: Record<string, string | undefined>
}): Promise<PaymentSecrets> {
  const file = path.join(dataDir, 'payment-secrets.json')
  let stored: Partial<PaymentSecrets> = {}
  if (existsSync(file)) stored = JSON.parse(await readFile(file, 'utf8')) as Partial<PaymentSecrets>
  const secrets = {
    adminKey:
      environment.PAYMENT_ADMIN_KEY ?? stored.adminKey ?? `padm_${randomBytes(32).toString('base64url')}`,
    keystoreSecret:
      environment.PAYMENT_KEYSTORE_SECRET ?? stored.keystoreSecret ?? randomBytes(32).toString('hex'),
  }
  if (secrets.adminKey !== stored.adminKey || secrets.keystoreSecret !== stored.keystoreSecret) {
    await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 })
    await chmod(file, 0o600)
  }
  return { ...secrets, file }
}
