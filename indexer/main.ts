/**
 * `npm run indexer`: the indexer as its own process (`npm start` runs it too). Reads
 * DATABASE_URL and RPC_URL (and INDEXER_* settings, see lib/server/env.ts); the factory comes
 * from the `deployment` table the stack keeps, or FACTORY_ADDRESS and FACTORY_BLOCK.
 * SIGINT/SIGTERM stop it between two writes.
 */
import type { Hex } from 'viem'
import { errorText } from '../lib/errorText'
import { createDb } from '../lib/server/db/client'
import { findDeployment } from '../lib/server/deployments'
import { parseEnv } from '../lib/server/env'
import { createLogger } from '../lib/server/log'
import { type FactoryRef, Indexer } from './indexer'

async function main(): Promise<void> {
  const env = parseEnv()
  const log = createLogger({ level: env.LOG_LEVEL, component: 'indexer' })
  if (!env.DATABASE_URL || !env.RPC_URL) {
    log.error('DATABASE_URL and RPC_URL must be set (`npm start` sets both for the local stack)')
    process.exit(2)
  }
  const db = createDb({ databaseUrl: env.DATABASE_URL, max: 3 })
  const rpcUrl = env.RPC_URL

  async function resolveFactory(chainId: number): Promise<FactoryRef | null> {
    const recorded = await findDeployment({ db, chainId })
    if (recorded) return { address: recorded.address.toLowerCase() as Hex, blockNumber: recorded.blockNumber }
    if (env.FACTORY_ADDRESS && env.FACTORY_BLOCK !== undefined) {
      return { address: env.FACTORY_ADDRESS, blockNumber: env.FACTORY_BLOCK }
    }
    if (env.FACTORY_ADDRESS)
      log.warn('FACTORY_ADDRESS is set without FACTORY_BLOCK; set the block it was deployed in')
    return null
  }

  const indexer = new Indexer({
    db,
    rpcUrl,
    resolveFactory,
    log,
    finalityDepth: env.INDEXER_FINALITY_DEPTH,
    blocks: env.INDEXER_BLOCKS,
    pollMs: env.INDEXER_POLL_MS,
    maxBlockRange: env.INDEXER_MAX_BLOCK_RANGE,
    targetLogs: env.INDEXER_TARGET_LOGS,
  })
  const stop = new AbortController()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log.info(`${signal}: stopping`)
      stop.abort()
    })
  }
  await indexer.run(stop.signal)
  await db.$disconnect()
}

main().catch((error) => {
  // One line naming the cause (errorText redacts URLs); the run loop retries what can be retried.
  console.error(`[indexer] error: the indexer stopped: ${errorText(error)}`)
  process.exit(1)
})
