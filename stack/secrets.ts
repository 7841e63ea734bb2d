import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { type Env, SECRET_VARIABLES } from '../lib/server/env'

export type PaymentSecrets = {
  adminKey: string
  keystoreSecret: string
  /** Where the admin key comes from, as the start's summary says it: the file, or the environment. */
  adminKeyFrom: { file: string } | 'environment'
}

type Stored = { adminKey?: string; keystoreSecret?: string }

/**
 * The Payment Server's admin key and keystore secret. Each one given (PAYMENT_ADMIN_KEY,
 * PAYMENT_KEYSTORE_SECRET, directly or as a `_FILE`: `given` is the parsed environment) is used
 * as given and never written anywhere: an operator's secret lives where the operator keeps it.
 * Only the local default, a secret not given, is generated once into
 * `<dataDir>/payment-secrets.json` (mode 0600, inside the ignored data folder) and reused.
 */
export async function ensurePaymentSecrets({
  dataDir,
  given,
}: {
  dataDir: string
  given: Pick<Env, 'PAYMENT_ADMIN_KEY' | 'PAYMENT_KEYSTORE_SECRET'>
}): Promise<PaymentSecrets> {
  const file = path.join(dataDir, 'payment-secrets.json')
  const adminKey = given.PAYMENT_ADMIN_KEY
  const keystoreSecret = given.PAYMENT_KEYSTORE_SECRET
  if (adminKey !== undefined && keystoreSecret !== undefined)
    return { adminKey, keystoreSecret, adminKeyFrom: 'environment' }

  const stored: Stored = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Stored) : {}
  // The file keeps only generated ones: a secret given now is not copied into it, and a keystore
  // secret generated earlier stays while another is given (only it opens the keys it sealed).
  const generated: Stored = {
    adminKey:
      adminKey === undefined
        ? (stored.adminKey ?? `padm_${randomBytes(32).toString('base64url')}`)
        : undefined,
    keystoreSecret:
      keystoreSecret === undefined
        ? (stored.keystoreSecret ?? randomBytes(32).toString('hex'))
        : stored.keystoreSecret,
  }
  if (generated.adminKey !== stored.adminKey || generated.keystoreSecret !== stored.keystoreSecret) {
    await writeFile(file, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600 })
    await chmod(file, 0o600)
  }
  return {
    adminKey: adminKey ?? (generated.adminKey as string),
    keystoreSecret: keystoreSecret ?? (generated.keystoreSecret as string),
    adminKeyFrom: adminKey === undefined ? { file } : 'environment',
  }
}

/**
 * `environment` for a child the start passes secrets to itself: the `<NAME>_FILE` of every
 * secret it sets is dropped (the child would refuse a secret given both ways), and any other
 * `_FILE` stays for the child to read, so a secret it does not set never enters an environment.
 */
export function withoutSettledSecretFiles<E extends Record<string, string | undefined>>(environment: E): E {
  const settled = { ...environment }
  for (const name of SECRET_VARIABLES) if (settled[name] !== undefined) delete settled[`${name}_FILE`]
  return settled
}
