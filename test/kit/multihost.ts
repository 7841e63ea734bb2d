/**
 * The product deployed on several hosts of one machine (./netns): a Postgres host, a chain host
 * (anvil), web hosts (`npm run start:web`'s entry) and indexer hosts (`npm run
 * start:indexer`'s), each in a namespace of its own with its own address, started the way the
 * README's production section says: migrations first (the migrate role), the factory deployed
 * once, then the roles with DATABASE_URL, RPC_URL, FACTORY_ADDRESS and the shared secrets.
 */
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { createPublicClient, http } from 'viem'
import { createDb } from '../../lib/server/db/client'
import { ANVIL_KEYS, anvilBinary } from '../../stack/anvil'
import type { Child } from '../../stack/child'
import { ensureFactory } from '../../stack/deploy'
import { ensureNextBuild } from '../../stack/next'
import { createTestNetwork, type Host, type TestNetwork } from './netns'

const root = path.resolve(import.meta.dirname, '../..')
const WEB_PORT = 3000
const INDEXER_PORT = 9464

export type RoleProcess = { host: Host; child: Child; url: string; output: string[] }

export type Deployment = {
  net: TestNetwork
  databaseUrl: string
  rpcUrl: string
  factory: `0x${string}`
  adminKey: string
  webs: RoleProcess[]
  indexers: RoleProcess[]
  stop(): Promise<void>
}

/** Waits until `check` resolves true, polling every 250 ms; throws `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const answers = async (url: string) =>
  (await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => null))?.ok === true

/** Runs a role's entry point on `host`, keeping its output (for a failure's message). */
function role(
  host: Host,
  name: string,
  script: string,
  env: Record<string, string>,
  url: string,
): RoleProcess {
  const output: string[] = []
  const child = host.spawn({
    name: `${name} on ${host.name}`,
    command: process.execPath,
    args: ['--import', 'tsx', script],
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', INSTANCE_ID: host.name, ...env, NODE_ENV: 'production' },
    onLine: (line) => {
      output.push(line)
      if (output.length > 200) output.shift()
    },
  })
  return { host, child, url, output }
}

/**
 * Starts the whole deployment: hosts pg, chain, web1..webN, idx1..idxM on 10.<octet>.0.0/24.
 * Every role's environment is what the README gives an operator, plus `env`.
 */
export async function deploy({
  webs = 2,
  indexers = 2,
  octet = 77,
  env = {},
}: {
  webs?: number
  indexers?: number
  octet?: number
  env?: Record<string, string>
} = {}): Promise<Deployment> {
  // The web role serves a build and never builds: the build is made here, as `npm run build` would.
  await ensureNextBuild({ root, env: { ...process.env, NODE_ENV: 'production' }, onLine: () => {} })
  const names = [
    'pg',
    'chain',
    ...Array.from({ length: webs }, (_, i) => `web${i + 1}`),
    ...Array.from({ length: indexers }, (_, i) => `idx${i + 1}`),
  ]
  const net = await createTestNetwork(names, octet)
  const host = (name: string) => net.hosts[name] as Host
  const dataDir = path.join(root, '.data', `multihost-${randomBytes(4).toString('hex')}`)
  const started: RoleProcess[] = []
  const stop = async () => {
    await net.destroy()
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    // The Postgres host.
    const pg = host('pg')
    const databaseUrl = await new Promise<string>((resolve, reject) => {
      const child = pg.spawn({
        name: 'postgres host',
        command: process.execPath,
        args: [
          '--import',
          'tsx',
          'test/kit/hostPostgres.ts',
          dataDir,
          '5432',
          pg.address,
          `10.${octet}.0.0/24`,
        ],
        cwd: root,
        onLine: (line) => {
          if (line.startsWith('ready ')) resolve(line.slice('ready '.length))
        },
      })
      void child.exited.then((code) => reject(new Error(`the Postgres host exited (${code})`)))
    })
    // The chain host.
    const chain = host('chain')
    const rpcUrl = `http://${chain.address}:8545`
    chain.spawn({
      name: 'anvil host',
      command: anvilBinary(),
      // A block a second, as a real chain makes them (a redemption waits for a later block's time).
      args: [
        '--host',
        chain.address,
        '--port',
        '8545',
        '--chain-id',
        '31337',
        '--block-time',
        '1',
        '--silent',
      ],
    })
    const rpcAnswers = async () =>
      (
        await fetch(rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}',
          signal: AbortSignal.timeout(2_000),
        })
      ).ok
    await until('the chain host', rpcAnswers)

    // Migrations first (the migrate role, from a web host), then the factory, deployed once.
    const migrate = role(host('web1'), 'migrate', 'stack/roles/migrate.ts', { DATABASE_URL: databaseUrl }, '')
    const migrated = await migrate.child.exited
    if (migrated !== 0) throw new Error(`the migrate role exited ${migrated}: ${migrate.output.join('\n')}`)
    const db = createDb({ databaseUrl, max: 1 })
    const factory = await ensureFactory({
      db,
      client: createPublicClient({ transport: http(rpcUrl) }),
      rpcUrl,
      deployerKey: ANVIL_KEYS[0],
      log: () => {},
    })
    await db.$disconnect()

    const adminKey = `padm_${randomBytes(24).toString('base64url')}`
    const shared = {
      DATABASE_URL: databaseUrl,
      RPC_URL: rpcUrl,
      FACTORY_ADDRESS: factory.address,
      FACTORY_BLOCK: String(factory.blockNumber),
      PAYMENT_ADMIN_KEY: adminKey,
      PAYMENT_KEYSTORE_SECRET: randomBytes(32).toString('hex'),
      ...env,
    }
    const webRoles = Array.from({ length: webs }, (_, i) => {
      const h = host(`web${i + 1}`)
      return role(
        h,
        'web',
        'stack/roles/web.ts',
        { ...shared, HOST: h.address, PORT: String(WEB_PORT) },
        `http://${h.address}:${WEB_PORT}`,
      )
    })
    started.push(...webRoles)
    const indexerRoles = Array.from({ length: indexers }, (_, i) => {
      const h = host(`idx${i + 1}`)
      return role(
        h,
        'indexer',
        'indexer/main.ts',
        { ...shared, INDEXER_HOST: h.address, INDEXER_PORT: String(INDEXER_PORT) },
        `http://${h.address}:${INDEXER_PORT}`,
      )
    })
    started.push(...indexerRoles)
    for (const r of started) {
      const probe = r.url.endsWith(`:${WEB_PORT}`) ? '/api/readyz' : '/readyz'
      await until(
        `${r.child.name} to be ready`,
        async () => r.child.process.exitCode !== null || answers(`${r.url}${probe}`),
        120_000,
      )
      if (r.child.process.exitCode !== null)
        throw new Error(`${r.child.name} exited (${r.child.process.exitCode})`)
    }
    return {
      net,
      databaseUrl,
      rpcUrl,
      factory: factory.address,
      adminKey,
      webs: webRoles,
      indexers: indexerRoles,
      stop,
    }
  } catch (error) {
    const outputs = started.map((r) => `--- ${r.child.name}:\n${r.output.slice(-20).join('\n')}`).join('\n')
    await stop()
    throw new Error(`${(error as Error).message}\n${outputs}`)
  }
}
