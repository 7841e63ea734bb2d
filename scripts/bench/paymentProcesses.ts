/**
 * The processes of scripts/bench-payment.ts: a private stack (`stack/start.ts`, the one `npm
 * start` runs) in its own DATA_DIR on free ports, the example network against it, and a CPU
 * sampler that says which of them the machine's cores were busy with.
 */
import { existsSync } from 'node:fs'
import { readdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { ANVIL_KEYS } from '../../stack/anvil'
import { type Child, startNodeScript } from '../../stack/child'
import { stopOrphan, stopStackOrphans } from '../../stack/orphans'
import { freePort } from '../../stack/ports'
import { socketDirFor } from '../../stack/postgres'
import { ENDPOINT_PROVIDER, ENDPOINT_V2 } from './paymentReport'

/** Variables that would point the private stack at someone else's database, chain or keys. */
const FOREIGN = [
  'DATABASE_URL',
  'RPC_URL',
  'FACTORY_ADDRESS',
  'FACTORY_BLOCK',
  'DEPLOYER_PRIVATE_KEY',
  'PAYMENT_ADMIN_KEY',
  'PAYMENT_KEYSTORE_SECRET',
  'PAYMENT_URL',
  'EXAMPLE_FUNDER_KEY',
]

/** Children spawned and not yet exited, so that a Ctrl-C during a start still stops them. */
const running = new Set<() => Promise<void>>()

/** Keeps `child` in `running` until it exits; returns its stop (SIGTERM, SIGKILL after `graceMs`). */
export function register(child: Child, graceMs: number): () => Promise<void> {
  const stop = () => child.stop(graceMs)
  running.add(stop)
  void child.exited.then(() => running.delete(stop))
  return stop
}

/** Stops every child still running, the last started first. */
export async function stopChildren(): Promise<void> {
  for (const stop of [...running].reverse()) await stop().catch(() => {})
}

export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  // A secret may also come as <NAME>_FILE (lib/server/env.ts): those point elsewhere too.
  for (const name of FOREIGN) {
    delete env[name]
    delete env[`${name}_FILE`]
  }
  return { ...env, ...extra }
}

/** The last `n` output lines of a child, for an error message. */
function tail(n: number) {
  const lines: string[] = []
  return {
    lines,
    push(line: string) {
      if (!line.trim()) return
      lines.push(line)
      if (lines.length > n) lines.shift()
    },
    text: () => lines.join('\n'),
  }
}

/** Resolves when `test` matches a line of `child`'s output; rejects when it exits first or after `ms`. */
function waitForLine(
  child: Child,
  output: ReturnType<typeof tail>,
  onLine: { listener?: (line: string) => void },
  test: (line: string) => boolean,
  ms: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${child.name} not ready after ${ms / 1000} s:\n${output.text()}`)),
      ms,
    )
    onLine.listener = (line) => {
      if (!test(line)) return
      clearTimeout(timer)
      resolve(line)
    }
    void child.exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`${child.name} exited (code ${code}) before it was ready:\n${output.text()}`))
    })
  })
}

/** The label of the web server's process in {@link BenchStack.pids}. */
export const WEB_LABEL = 'web app + Payment Server (stack/web.ts)'

export type BenchStack = {
  url: string
  rpcUrl: string
  /** The stack's embedded Postgres, as its own processes reach it (over its Unix socket where it can). */
  databaseUrl: string
  adminKey: string
  /** The keystore secret the stack generated: a second web instance needs the same. */
  keystoreSecret: string
  child: Child
  /** Seconds from spawn to 'Press Ctrl-C' (a `next build` of changed sources included). */
  readySeconds: number
  /** The stack's last output lines (its warnings and errors at LOG_LEVEL=warn). */
  output(): string
  /** Pids of the stack's parts, for the CPU sampler. */
  pids(): Promise<Record<string, number>>
  stop(): Promise<void>
}

/** Stops what a killed earlier run left running in `dataDir` (each pid checked against its command line). */
export async function stopLeftovers(dataDir: string): Promise<void> {
  await stopStackOrphans(dataDir)
  // SIGINT: Postgres's fast shutdown.
  await stopOrphan({
    pidFile: path.join(dataDir, 'postgres', 'data', 'postmaster.pid'),
    mustContain: ['postgres', dataDir],
    signal: 'SIGINT',
  })
}

/**
 * Starts `node --import tsx stack/start.ts` with DATA_DIR=`dataDir` (emptied first), free ports,
 * no example network, a block per transaction and redemptions an hour apart (none during the
 * run); resolves once it prints 'Press Ctrl-C'.
 */
export async function startBenchStack({
  root,
  dataDir,
}: {
  root: string
  dataDir: string
}): Promise<BenchStack> {
  await stopLeftovers(dataDir)
  await rm(dataDir, { recursive: true, force: true })
  const [port, anvilPort, pgPort] = [await freePort(), await freePort(), await freePort()]
  const output = tail(60)
  const onLine: { listener?: (line: string) => void } = {}
  const started = performance.now()
  const child = startNodeScript({
    name: 'stack',
    root,
    script: 'stack/start.ts',
    env: cleanEnv({
      DATA_DIR: path.relative(root, dataDir),
      HOST: '127.0.0.1',
      PORT: String(port),
      ANVIL_PORT: String(anvilPort),
      EMBEDDED_PG_PORT: String(pgPort),
      EXAMPLE: 'off',
      ANVIL_BLOCK_TIME: '0',
      LOG_LEVEL: 'warn',
      PAYMENT_REDEEM_AFTER_SECONDS: '3600',
    }),
    onLine: (line) => {
      output.push(line)
      onLine.listener?.(line)
    },
  })
  const stop = register(child, 30_000)
  try {
    await waitForLine(child, output, onLine, (line) => line.includes('Press Ctrl-C'), 600_000)
  } catch (error) {
    await stop()
    throw error
  }
  const readySeconds = (performance.now() - started) / 1000
  const secrets = JSON.parse(await readFile(path.join(dataDir, 'payment-secrets.json'), 'utf8')) as {
    adminKey: string
    keystoreSecret: string
  }
  const pidIn = async (file: string): Promise<number | undefined> => {
    if (!existsSync(file)) return undefined
    const pid = Number.parseInt((await readFile(file, 'utf8')).split('\n')[0] ?? '', 10)
    return Number.isInteger(pid) ? pid : undefined
  }
  const pgDir = path.join(dataDir, 'postgres')
  const pgCredentials = JSON.parse(await readFile(path.join(pgDir, 'credentials.json'), 'utf8')) as {
    user: string
    password: string
  }
  const socketDir = socketDirFor(pgDir, pgPort)
  const pgBase = `postgresql://${pgCredentials.user}:${encodeURIComponent(pgCredentials.password)}@127.0.0.1:${pgPort}/app`
  return {
    url: `http://127.0.0.1:${port}`,
    rpcUrl: `http://127.0.0.1:${anvilPort}`,
    databaseUrl: socketDir ? `${pgBase}?host=${encodeURIComponent(socketDir)}` : pgBase,
    adminKey: secrets.adminKey,
    keystoreSecret: secrets.keystoreSecret,
    child,
    readySeconds,
    output: output.text,
    async pids() {
      const entries: [string, number | undefined][] = [
        [WEB_LABEL, await pidIn(path.join(dataDir, 'web.pid'))],
        ['postgres', await pidIn(path.join(dataDir, 'postgres', 'data', 'postmaster.pid'))],
        ['anvil', await pidIn(path.join(dataDir, 'anvil', 'anvil.pid'))],
        ['indexer', await pidIn(path.join(dataDir, 'indexer.pid'))],
        ['stack supervisor', child.process.pid],
      ]
      return Object.fromEntries(entries.filter((e): e is [string, number] => e[1] !== undefined))
    },
    stop,
  }
}

/**
 * The API keys of the example network's `public` (a consumer), ENDPOINT_PROVIDER (its provider
 * on a version 1 channel) and ENDPOINT_V2's provider (on a version 2 channel).
 */
export async function exampleKeys(
  dataDir: string,
): Promise<{ publicKey: string; providerKey: string; v2ProviderKey: string }> {
  const { services } = JSON.parse(await readFile(path.join(dataDir, 'example-credentials.json'), 'utf8')) as {
    services: Record<string, { apiKey: string }>
  }
  const publicKey = services.public?.apiKey
  const providerKey = services[ENDPOINT_PROVIDER]?.apiKey
  const v2ProviderKey = services[ENDPOINT_V2.provider]?.apiKey
  if (!publicKey || !providerKey || !v2ProviderKey)
    throw new Error(`example-credentials.json lacks public, ${ENDPOINT_PROVIDER} or ${ENDPOINT_V2.provider}`)
  return { publicKey, providerKey, v2ProviderKey }
}

export type ExampleNetwork = { publicUrl: string; child: Child; output(): string; stop(): Promise<void> }

/**
 * Starts the example network (`node --import tsx example/main.ts`) against the stack, with or
 * without payments, with `trafficPerSecond` of its own live traffic (default none); resolves
 * with the `public` service's URL once it serves.
 */
export async function startExampleNetwork({
  root,
  dataDir,
  stack,
  payments,
  trafficPerSecond = 0,
}: {
  root: string
  dataDir: string
  stack: BenchStack
  payments: boolean
  trafficPerSecond?: number
}): Promise<ExampleNetwork> {
  const output = tail(40)
  const onLine: { listener?: (line: string) => void } = {}
  const child = startNodeScript({
    name: `example (payments ${payments ? 'on' : 'off'})`,
    root,
    script: 'example/main.ts',
    env: cleanEnv({
      NODE_ENV: 'production',
      DATA_DIR: path.relative(root, dataDir),
      PAYMENT_URL: stack.url,
      RPC_URL: stack.rpcUrl,
      EXAMPLE_FUNDER_KEY: ANVIL_KEYS[9],
      EXAMPLE_TRAFFIC_PER_SECOND: String(trafficPerSecond),
      EXAMPLE_PAYMENTS: payments ? 'on' : 'off',
      LOG_LEVEL: 'warn',
    }),
    onLine: (line) => {
      output.push(line)
      onLine.listener?.(line)
    },
  })
  const stop = register(child, 10_000)
  try {
    const line = await waitForLine(child, output, onLine, (l) => l.startsWith('[example] serving '), 120_000)
    const publicUrl = /\bpublic (http:\/\/[^\s,]+)/.exec(line)?.[1]
    if (!publicUrl) throw new Error(`no public URL in: ${line}`)
    return { publicUrl, child, output: output.text, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

export type VerifyGauge = { url: string; child: Child; stop(): Promise<void> }

/**
 * Starts the verify endpoint's gauge (./verifyGauge.ts: bare node:http, the same recovery and
 * acceptance statement, nothing else) on the stack's database, for tokens of `channel` signed
 * by `consumer`; resolves once it serves.
 */
export async function startVerifyGauge({
  root,
  stack,
  chainId,
  channel,
  consumer,
}: {
  root: string
  stack: BenchStack
  chainId: number
  channel: string
  consumer: string
}): Promise<VerifyGauge> {
  const port = await freePort()
  const output = tail(20)
  const onLine: { listener?: (line: string) => void } = {}
  const child = startNodeScript({
    name: 'verify gauge',
    root,
    script: 'scripts/bench/verifyGauge.ts',
    env: cleanEnv({
      NODE_ENV: 'production',
      GAUGE_DATABASE_URL: stack.databaseUrl,
      GAUGE_CHAIN_ID: String(chainId),
      GAUGE_CHANNEL: channel,
      GAUGE_CONSUMER: consumer,
      GAUGE_PORT: String(port),
    }),
    onLine: (line) => {
      output.push(line)
      onLine.listener?.(line)
    },
  })
  const stop = register(child, 5_000)
  try {
    await waitForLine(child, output, onLine, (l) => l.startsWith('gauge listening'), 60_000)
    return { url: `http://127.0.0.1:${port}`, child, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** CPU seconds (user + system) of every process, with its parent. Linux only (/proc). */
export type CpuSnapshot = Map<number, { ppid: number; seconds: number }>

const TICKS_PER_SECOND = 100 // USER_HZ, 100 on every Linux build that matters

export async function cpuSnapshot(): Promise<CpuSnapshot> {
  const snapshot: CpuSnapshot = new Map()
  const names = await readdir('/proc').catch(() => [] as string[])
  await Promise.all(
    names
      .filter((n) => /^\d+$/.test(n))
      .map(async (name) => {
        const stat = await statOf(`/proc/${name}/stat`)
        if (stat) snapshot.set(Number(name), stat)
      }),
  )
  return snapshot
}

/**
 * CPU seconds of a process's main thread (its event loop, for Node), without its worker and
 * V8 helper threads; null when it cannot be read.
 */
export async function mainThreadSeconds(pid: number): Promise<number | null> {
  return (await statOf(`/proc/${pid}/task/${pid}/stat`))?.seconds ?? null
}

/** Parent and CPU seconds (user + system) from a /proc stat file. */
async function statOf(file: string): Promise<{ ppid: number; seconds: number } | null> {
  const stat = await readFile(file, 'utf8').catch(() => '')
  // Fields after the command (which may hold spaces): state ppid ... utime(14) stime(15).
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  if (rest.length < 13) return null
  return { ppid: Number(rest[1]), seconds: (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND }
}

/**
 * CPU seconds spent between two snapshots, per labelled root: each process counts for its
 * nearest labelled ancestor (itself included); processes under none count as 'other'.
 * Processes that ended in between are not counted.
 */
export function cpuByRoot(
  before: CpuSnapshot,
  after: CpuSnapshot,
  roots: Record<string, number>,
): Map<string, number> {
  const labelOf = new Map<number, string>(Object.entries(roots).map(([label, pid]) => [pid, label]))
  const out = new Map<string, number>([...Object.keys(roots), 'other'].map((l) => [l, 0]))
  for (const [pid, now] of after) {
    const spent = now.seconds - (before.get(pid)?.seconds ?? 0)
    if (spent <= 0) continue
    let label = 'other'
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      const found = labelOf.get(p)
      if (found) {
        label = found
        break
      }
      p = after.get(p)?.ppid ?? 0
    }
    out.set(label, (out.get(label) ?? 0) + spent)
  }
  return out
}
