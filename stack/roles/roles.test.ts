import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MIGRATIONS_DIR } from '../../lib/server/db/migrate'
import { createTestDatabase, type TestDatabase } from '../../test/kit/database'
import { type ChannelTestbed, startChannelTestbed } from '../../test/kit/testbed'
import { ANVIL_KEYS } from '../anvil'
import { ensureNextBuild } from '../next'
import { freePort, isListening } from '../ports'
import { type RoleProcess, runScript, runToEnd, until } from './testing'

/*
 * The roles run alone, as a deployment runs them, against one Postgres database and one anvil
 * started here: migrate once, a web server, and two payment runners of which one works.
 */

const root = path.resolve(import.meta.dirname, '..', '..')
const migrations = readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).length
let testbed: ChannelTestbed
let database: TestDatabase
let env: Record<string, string>
const running: RoleProcess[] = []

beforeAll(async () => {
  ;[testbed, database] = await Promise.all([startChannelTestbed(), createTestDatabase({ migrated: false })])
  // The web role serves a build and makes none: the test makes it (unless it is up to date).
  await ensureNextBuild({ root, env: { ...process.env, NODE_ENV: 'production' }, onLine: () => {} })
  env = {
    DATABASE_URL: database.url,
    RPC_URL: testbed.url,
    FACTORY_ADDRESS: testbed.factory,
    FACTORY_BLOCK: testbed.factoryBlock.toString(),
    PAYMENT_ADMIN_KEY: `padm_${randomBytes(24).toString('base64url')}`,
    PAYMENT_KEYSTORE_SECRET: randomBytes(32).toString('hex'),
    PAYMENT_RUNNER_INTERVAL_MS: '100',
    PAYMENT_CHAIN_CACHE_MS: '0',
  }
}, 600_000)

afterAll(async () => {
  for (const role of running) role.kill('SIGKILL')
  await Promise.all(running.map((r) => r.exited))
  await Promise.all([database?.drop(), testbed?.stop()])
})

/** Starts `npm run <script>`, stopped after the suite whatever happens. */
function start(script: string, extra: Record<string, string>): RoleProcess {
  const role = runScript(script, { ...env, ...extra })
  running.push(role)
  return role
}

/** JSON of a call to the web role's Payment Server API with `key`. */
async function api(base: string, route: string, key: string, body?: unknown) {
  const res = await fetch(`${base}/api/payment${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  // biome-ignore lint/suspicious/noExplicitAny: the answers' shapes are the API's, asserted on below
  return { status: res.status, body: (await res.json()) as Record<string, any> }
}

/** `payment_runner_leader` of a runner's /metrics (undefined while it does not answer). */
async function leader(port: number): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  const value = /^payment_runner_leader (\d)$/m.exec(text)?.[1]
  return value === undefined ? undefined : Number(value)
}

describe('roles', () => {
  it('npm run migrate applies every migration and exits 0, and again 0 with nothing to do', async () => {
    const first = await runToEnd('migrate', env)
    expect(first.code, first.output).toBe(0)
    expect(first.output).toContain(`${migrations} applied now, 0 already applied`)
    const again = await runToEnd('migrate', env)
    expect(again.code, again.output).toBe(0)
    expect(again.output).toContain(`0 applied now, ${migrations} already applied`)
  })

  it('npm run migrate without DATABASE_URL exits 2 with a sentence', async () => {
    const refused = await runToEnd('migrate', { DATABASE_URL: '' })
    expect(refused.code).toBe(2)
    expect(refused.output).toContain('npm run migrate needs DATABASE_URL')
  })

  it('npm run start:web serves /api/health and a paid call from the build, with nothing of its own started', async () => {
    // On the database the first test migrated (a deployment's order: migrate, then the roles).
    const port = await freePort()
    const web = start('start:web', { PORT: String(port), PAYMENT_RUNNER: 'off' })
    const base = `http://127.0.0.1:${port}`
    const health = await until(async () => {
      const res = await fetch(`${base}/api/health`)
      return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined
    })
    expect(health).toMatchObject({
      status: 'ok',
      chain: { ok: true, chainId: await testbed.publicClient.getChainId() },
      stack: null,
    })

    // Keys registered through the admin API; a channel; a token issued and accepted.
    const admin = env.PAYMENT_ADMIN_KEY as string
    const provider = await api(base, '/services', admin, {
      name: 'web-role-provider',
      team: 't',
      price: '1000',
    })
    const consumer = await api(base, '/services', admin, { name: 'web-role-consumer', team: 't' })
    expect([provider.status, consumer.status]).toEqual([201, 201])
    await testbed.mined(
      await testbed
        .wallet(testbed.accounts[9] as never)
        .sendTransaction({ to: consumer.body.service.address, value: parseEther('1') }),
    )
    const opened = await api(base, '/channels', consumer.body.apiKey, {
      provider: 'web-role-provider',
      deposit: '1000000',
    })
    expect(opened.status, JSON.stringify(opened.body)).toBe(201)
    const issued = await api(base, '/tokens', consumer.body.apiKey, { provider: 'web-role-provider' })
    expect(issued.status, JSON.stringify(issued.body)).toBe(200)
    const verified = await api(base, '/tokens/verify', provider.body.apiKey, { token: issued.body.tokens[0] })
    expect(verified.body).toMatchObject({ accepted: true, requests: '1', value: '1000' })

    // SIGTERM to the group (npm itself then ends by the signal): the server stops cleanly.
    web.kill('SIGTERM')
    await web.exited
    expect(await isListening(port)).toBe(false)
    expect(web.output()).not.toMatch(/error|next build|Creating an optimized/i)
  }, 300_000)

  it('npm run start:web without a build stops with a sentence naming npm run build', async () => {
    // A checkout without .next: this one's files hard-linked into a folder of its own.
    const copy = await mkdtemp(path.join(root, '.data', 'test-no-build-'))
    try {
      for (const name of readdirSync(root)) {
        if (!['.next', '.data', '.git', '.scratch'].includes(name))
          execFileSync('cp', ['-al', path.join(root, name), copy])
      }
      const refused = await runToEnd('start:web', { ...env, PORT: String(await freePort()) }, copy)
      expect(refused.code, refused.output).toBe(1)
      expect(refused.output).toContain(
        `There is no production build of the web app in ${path.join(copy, '.next')}; run npm run build first`,
      )
    } finally {
      await rm(copy, { recursive: true, force: true })
    }
  })

  it('npm run start:runner twice: one holds the runner lock, the other takes it when the first is killed', async () => {
    const ports = [await freePort(), await freePort()] as const
    const runners = ports.map((port) => start('start:runner', { RUNNER_PORT: String(port) }))
    // Both ready (a standby is ready to take over); exactly one active.
    for (const port of ports) {
      const ready = await until(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`)
        return res.status === 200 ? await res.json() : undefined
      })
      expect(ready).toEqual({ ready: true, reasons: [] })
    }
    const states = await until(async () => {
      const both = await Promise.all(ports.map(leader))
      return both.includes(1) ? both : undefined
    })
    expect([...states].sort()).toEqual([0, 1])
    const active = states.indexOf(1)
    const standby = 1 - active

    runners[active]?.kill('SIGKILL')
    await runners[active]?.exited
    // The database drops the dead holder's session, and its lock with it: the standby takes over.
    expect(await until(async () => ((await leader(ports[standby] as number)) === 1 ? 1 : undefined))).toBe(1)
    expect(runners[standby]?.output()).toContain('runner: this process now runs the background work')

    // SIGTERM stops the one left cleanly: its lock is given back, its probes close.
    runners[standby]?.kill('SIGTERM')
    await runners[standby]?.exited
    expect(runners[standby]?.output()).toContain(
      "SIGTERM: stopping (the runner's lock is released for a standby)",
    )
    expect(runners[standby]?.output()).not.toMatch(/did not stop cleanly|error/i)
    expect(await isListening(ports[standby] as number)).toBe(false)
  }, 300_000)

  it('npm run deploy:factory deploys the factory once, records it where the roles find it, and needs a key or an address', async () => {
    const fresh = await createTestDatabase()
    try {
      // Neither FACTORY_ADDRESS nor DEPLOYER_PRIVATE_KEY (the suite's env gives the first).
      const own = { DATABASE_URL: fresh.url, RPC_URL: testbed.url }
      const refused = await runToEnd('deploy:factory', own)
      expect(refused.code, refused.output).toBe(2)
      expect(refused.output).toContain('npm run deploy:factory needs DEPLOYER_PRIVATE_KEY')

      const deployed = await runToEnd('deploy:factory', { ...own, DEPLOYER_PRIVATE_KEY: ANVIL_KEYS[0] })
      expect(deployed.code, deployed.output).toBe(0)
      const line =
        /factory deployed on chain (\d+): FACTORY_ADDRESS=(0x[0-9a-fA-F]{40}) FACTORY_BLOCK=(\d+)/.exec(
          deployed.output,
        )
      expect(line, deployed.output).not.toBeNull()
      const [, chainId, address, block] = line as unknown as [string, string, string, string]
      expect(Number(chainId)).toBe(await testbed.publicClient.getChainId())
      expect(await testbed.publicClient.getCode({ address: address as `0x${string}` })).toMatch(
        /^0x[0-9a-f]{2,}/,
      )
      const recorded = await fresh.db.deployment.findFirst({ where: { chainId: Number(chainId) } })
      expect({ address: recorded?.address.toLowerCase(), block: recorded?.blockNumber.toString() }).toEqual({
        address: address.toLowerCase(),
        block,
      })

      const again = await runToEnd('deploy:factory', { ...own, DEPLOYER_PRIVATE_KEY: ANVIL_KEYS[0] })
      expect(again.code, again.output).toBe(0)
      expect(again.output).toContain(`factory recorded on chain ${chainId}: FACTORY_ADDRESS=${address}`)
    } finally {
      await fresh.drop()
    }
  }, 120_000)
})
