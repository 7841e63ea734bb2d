import type { PublicClient } from 'viem'
import { createChainClient } from './chain'
import { createDb, type Db } from './db/client'
import { env } from './env'

export type ServerContext = {
  db: Db
  chain: PublicClient
  rpcUrl: string
  /**
   * Set when `db` is a transaction of one answer's snapshot (lib/server/costs/clock.ts): the
   * shared database, which reads that are not bound to a block and their caches use instead.
   */
  shared?: Db
}

const globalForContext = globalThis as unknown as { __serverContext?: ServerContext }

/**
 * The web process's database and chain clients, created on first use and shared by every
 * route handler and server component (kept on globalThis so `next dev` reloads reuse them).
 */
export function serverContext(): ServerContext {
  if (!globalForContext.__serverContext) {
    const { DATABASE_URL, RPC_URL, DATABASE_POOL_SIZE, RPC_TIMEOUT_MS } = env()
    if (!DATABASE_URL || !RPC_URL) {
      throw new Error('DATABASE_URL and RPC_URL must be set for the web app (npm start sets both).')
    }
    globalForContext.__serverContext = {
      db: createDb({ databaseUrl: DATABASE_URL, max: DATABASE_POOL_SIZE }),
      chain: createChainClient({ rpcUrl: RPC_URL, timeoutMs: RPC_TIMEOUT_MS }),
      rpcUrl: RPC_URL,
    }
  }
  return globalForContext.__serverContext
}
