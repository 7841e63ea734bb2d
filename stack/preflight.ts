/**
 * What `npm start` checks before it starts anything, so that a setting it cannot start with
 * stops it at once with one sentence naming the cause and what to do (a {@link StartError}),
 * instead of a stack trace, a false "running" or a wait: the data folder, the ports it will
 * listen on, and the node and database it is given.
 */
import { constants } from 'node:fs'
import { access, mkdir } from 'node:fs/promises'
import net from 'node:net'
import pg from 'pg'
import { createPublicClient, formatEther, type Hex, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getHttpRpcClient } from 'viem/utils'
import { accountFunding, exampleServices } from '../example/network'
import { errorText, redactUrl, redactUrls } from '../lib/errorText'
import { createDb } from '../lib/server/db/client'
import { checkKeystoreSecret, KeystoreMismatchError } from '../lib/server/payment/keystore'

/** A start that cannot go on; its message is the one sentence the operator reads. */
export class StartError extends Error {
  override name = 'StartError'
}

/** How long the node and the database may take to answer the first call. */
const ANSWER_TIMEOUT_MS = 10_000

const FS_REASONS: Record<string, string> = {
  ENOTDIR: 'a part of its path is a file',
  EEXIST: 'a file of that name is in the way',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
}

/** Creates `dir` (DATA_DIR) and makes sure this process may write there. */
export async function ensureDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true })
    await access(dir, constants.W_OK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? ''
    const reason = FS_REASONS[code] ? `${code}: ${FS_REASONS[code]}` : errorText(error)
    throw new StartError(
      `DATA_DIR ${dir} cannot be created (${reason}); set DATA_DIR to a folder this user can write to.`,
    )
  }
}

export type EnsurePortFreeParameters = {
  port: number
  host?: string
  /** The setting that chose the port, e.g. `PORT`. */
  setting: string
  /** What cannot start, e.g. `the web app`. */
  what: string
  /** What to do when another server holds it, e.g. `stop that server or set PORT to a free port`. */
  todo: string
}

/**
 * Fails when `port` cannot be listened on, by trying to (as the server will): a server already
 * there, even one that answers like ours, is found before anything is started or built.
 */
export async function ensurePortFree({
  port,
  host = '127.0.0.1',
  setting,
  what,
  todo,
}: EnsurePortFreeParameters): Promise<void> {
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const server = net.createServer()
    server.once('error', resolve)
    server.listen(port, host, () => server.close(() => resolve(undefined)))
  })
  if (!error) return
  const on = setting === 'PORT' ? ` on ${host}` : ''
  if (error.code === 'EADDRINUSE') {
    throw new StartError(
      `${setting} ${port}${on} is taken by another server, so ${what} cannot start; ${todo}.`,
    )
  }
  throw new StartError(
    `${setting} ${port}${on} cannot be listened on (${errorText(error)}), so ${what} cannot start; set ${setting} to another port.`,
  )
}

/** The innermost cause of an error (fetch wraps the refused connection twice). */
function rootCause(error: unknown): unknown {
  let e = error
  for (let depth = 0; depth < 5 && (e as { cause?: unknown })?.cause; depth++)
    e = (e as { cause: unknown }).cause
  return e
}

/**
 * Asks the node at `rpcUrl` for its chain id before anything relies on it: a node that does not
 * answer, refuses, or answers JSON that is not JSON-RPC (viem then fails deep inside with
 * "Cannot convert undefined to a BigInt") each get their sentence. The URL is shown redacted.
 */
export async function checkNode(rpcUrl: string): Promise<void> {
  const shown = redactUrl(rpcUrl)
  const notANode = (what: string) =>
    new StartError(
      `RPC_URL ${shown} answered eth_chainId ${what}, so it is not an Ethereum JSON-RPC node; point RPC_URL at the node's JSON-RPC endpoint.`,
    )
  let response: { result?: unknown; error?: unknown }
  try {
    const client = getHttpRpcClient(rpcUrl, { timeout: ANSWER_TIMEOUT_MS })
    response = await client.request({ body: { method: 'eth_chainId' } })
  } catch (error) {
    const status = (error as { status?: unknown }).status
    if (typeof status === 'number')
      throw new StartError(
        `RPC_URL ${shown} answered HTTP ${status} to eth_chainId; check the URL and its API key.`,
      )
    const cause = rootCause(error)
    if (cause instanceof SyntaxError) throw notANode('with something that is not JSON')
    throw new StartError(
      `RPC_URL ${shown} does not answer (${errorText(cause)}); start the node or fix RPC_URL.`,
    )
  }
  if (response.error !== undefined) {
    throw new StartError(
      `RPC_URL ${shown} refused eth_chainId (${errorText(response.error)}); check the URL and its API key.`,
    )
  }
  if (typeof response.result !== 'string' || !/^0x[0-9a-f]+$/i.test(response.result)) {
    throw notANode(`without a chain id (${redactUrls(JSON.stringify(response)).slice(0, 80)})`)
  }
}

/** Errors that mean nothing answered at the database's address (else it answered and refused). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOENT'])

/** Connects to the database of DATABASE_URL once, so that a database that is down says so. */
export async function checkDatabase(databaseUrl: string): Promise<void> {
  const shown = `The database of DATABASE_URL (${redactUrl(databaseUrl)})`
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: ANSWER_TIMEOUT_MS })
  try {
    await client.connect()
    await client.query('SELECT 1')
  } catch (error) {
    const inner = (error as { errors?: unknown[] }).errors?.[0] ?? error
    const code = (inner as { code?: unknown }).code
    const unreachable =
      (typeof code === 'string' && UNREACHABLE.has(code)) || /timeout/i.test(errorText(error))
    throw new StartError(
      unreachable
        ? `${shown} does not answer (${errorText(error)}); start it or fix DATABASE_URL.`
        : `${shown} refused the connection (${errorText(error)}); check the user, password and database name in DATABASE_URL.`,
    )
  } finally {
    await client.end().catch(() => {})
  }
}

/**
 * Stops the start when `keystoreSecret` cannot open the service keys the database holds (they
 * were sealed by an instance with another secret, or the local secrets file was lost): every
 * token call of such a service would fail, so the start does not begin serving them.
 */
export async function checkKeystore({
  databaseUrl,
  keystoreSecret,
}: {
  databaseUrl: string
  keystoreSecret: string | undefined
}): Promise<void> {
  const db = createDb({ databaseUrl, max: 1 })
  try {
    await checkKeystoreSecret({ db, keystoreSecret })
  } catch (error) {
    if (error instanceof KeystoreMismatchError) throw new StartError(error.message)
    throw error
  } finally {
    await db.$disconnect()
  }
}

/**
 * The example network on a chain given by RPC_URL (EXAMPLE=on) pays its services' ether from
 * EXAMPLE_FUNDER_KEY's account: without the key, or with an account that cannot pay one
 * service's share, it would exit after the start ("cannot pay the value and gas"), so the
 * start stops first, saying what to set. The key is never shown; its account's address is.
 */
export async function checkExampleFunder({
  rpcUrl,
  funderKey,
}: {
  rpcUrl: string
  funderKey: Hex | undefined
}): Promise<void> {
  const needed = `${formatEther(accountFunding)} ETH for each of its ${exampleServices.length} services' accounts, plus gas`
  if (!funderKey)
    throw new StartError(
      `EXAMPLE=on with RPC_URL needs EXAMPLE_FUNDER_KEY, the private key of an account that gives the example services their ether (${needed}); set it, or set EXAMPLE=off.`,
    )
  const { address } = privateKeyToAccount(funderKey)
  const client = createPublicClient({
    transport: http(rpcUrl, { timeout: ANSWER_TIMEOUT_MS, retryCount: 0 }),
  })
  const balance = await client.getBalance({ address })
  if (balance < accountFunding)
    throw new StartError(
      `EXAMPLE_FUNDER_KEY's account ${address} holds ${formatEther(balance)} ETH on the chain of RPC_URL, and the example network needs ${needed}; send it ether, or set EXAMPLE=off.`,
    )
}
