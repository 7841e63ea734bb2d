import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseEnv, SECRET_VARIABLES } from './env'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'env-secrets-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const ADMIN_KEY = `padm_${'k'.repeat(40)}`
const KEYSTORE = 'ab'.repeat(32)

/** The message parseEnv() throws for `source`, or '' when it parses. */
function refusal(source: Record<string, string>): string {
  try {
    parseEnv(source)
    return ''
  } catch (error) {
    return (error as Error).message
  }
}

describe('parseEnv() with <NAME>_FILE', () => {
  it('parseEnv() reads each secret from the file its _FILE names, one trailing newline trimmed', async () => {
    const files = {
      DATABASE_URL: 'postgresql://app:pw@db:5432/app\n',
      RPC_URL: 'https://node.example/v2/KEY\r\n',
      DEPLOYER_PRIVATE_KEY: `0x${'11'.repeat(32)}\n`,
      PAYMENT_ADMIN_KEY: `${ADMIN_KEY}\n`,
      PAYMENT_KEYSTORE_SECRET: KEYSTORE,
      EXAMPLE_FUNDER_KEY: `0x${'22'.repeat(32)}\n`,
    }
    const source: Record<string, string> = {}
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(dir, name.toLowerCase())
      await writeFile(file, content)
      source[`${name}_FILE`] = file
    }
    expect(Object.keys(files).sort()).toEqual([...SECRET_VARIABLES].sort())
    expect(parseEnv(source)).toMatchObject({
      DATABASE_URL: 'postgresql://app:pw@db:5432/app',
      RPC_URL: 'https://node.example/v2/KEY',
      DEPLOYER_PRIVATE_KEY: `0x${'11'.repeat(32)}`,
      PAYMENT_ADMIN_KEY: ADMIN_KEY,
      PAYMENT_KEYSTORE_SECRET: KEYSTORE,
      EXAMPLE_FUNDER_KEY: `0x${'22'.repeat(32)}`,
    })
  })

  it('parseEnv() refuses a secret given both ways, with a sentence', async () => {
    const file = path.join(dir, 'admin-both')
    await writeFile(file, ADMIN_KEY)
    expect(refusal({ PAYMENT_ADMIN_KEY: ADMIN_KEY, PAYMENT_ADMIN_KEY_FILE: file })).toBe(
      'Invalid environment:\n  PAYMENT_ADMIN_KEY and PAYMENT_ADMIN_KEY_FILE are both set; set only one of them',
    )
  })

  it('parseEnv() names the variable and path of a file it cannot read, and never a secret from one', async () => {
    const missing = path.join(dir, 'nothing-here')
    expect(refusal({ PAYMENT_KEYSTORE_SECRET_FILE: missing })).toBe(
      `Invalid environment:\n  PAYMENT_KEYSTORE_SECRET_FILE names ${missing}, which cannot be read (ENOENT: no such file or directory, open '${missing}')`,
    )
    // A file whose content is not a valid secret: the variable and the rule, not the content.
    const wrong = path.join(dir, 'wrong-secret')
    await writeFile(wrong, 'hunter2-not-hex\n')
    const message = refusal({ PAYMENT_KEYSTORE_SECRET_FILE: wrong })
    expect(message).toBe('Invalid environment:\n  PAYMENT_KEYSTORE_SECRET: must be 32 bytes of hex')
    expect(message).not.toContain('hunter2')
  })
})
