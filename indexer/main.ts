/**
 * `npm run indexer`: the indexer as its own process (`npm start` runs it too). Reads
 * DATABASE_URL and RPC_URL (and INDEXER_* settings, see lib/server/env.ts and ./env.ts); the
 * factory comes from the `deployment` table the stack keeps, or FACTORY_ADDRESS and
 * FACTORY_BLOCK (without it, the factory's first event, recorded there); the v2 factory
 * (IntermediaryFactoryV2) from that table only, followed beside v1's when recorded. Any number may run
 * against one database: they elect one through a lease (./lease.ts), the others stand by.
 * Serves /livez, /readyz and /metrics on INDEXER_PORT. SIGINT/SIGTERM stop it between two
 * writes and hand the lease over.
 */
import type { Hex } from 'viem'
import { errorText } from '../lib/errorText'
import { createChainClient } from '../lib/server/chain'
import { createDb } from '../lib/server/db/client'
import { migratedReadiness } from '../lib/server/db/migrationStatus'
import { FACTORY_V2_CONTRACT, findDeployment, recordGivenFactory } from '../lib/server/deployments'
import { parseEnv } from '../lib/server/env'
import { createLogger, type Logger } from '../lib/server/log'
import { type ProbeServer, startProbeServer } from '../lib/server/system/probeServer'
import { parseIndexerEnv } from './env'
import { type FactoryRef, Indexer } from './indexer'
import { createLease, instanceIdentity, leadWhileHeld } from './lease'
import { createIndexerMetrics, type IndexerMetrics } from './metrics'

/** The probe endpoint, or null when INDEXER_PORT is 0 or its port is taken (said in the log). */
async function serveProbes(p: {
  host: string
  port: number
  ready: ReturnType<typeof migratedReadiness>
  metrics: IndexerMetrics
  log: Logger
}): Promise<ProbeServer | null> {
  if (p.port === 0) return null
  try {
    const server = await startProbeServer({
      host: p.host,
      port: p.port,
      ready: p.ready,
      metrics: async () => ({
        contentType: p.metrics.registry.contentType,
        body: await p.metrics.registry.metrics(),
      }),
      log: p.log,
    })
    p.log.info(`probes and metrics on ${server.url} (/livez, /readyz, /metrics)`)
    return server
  } catch (error) {
    // Indexing matters more than its probes: a second indexer on one host says so and goes on.
    p.log.warn(
      `cannot serve /livez, /readyz and /metrics on ${p.host}:${p.port} (${errorText(error, { short: true })}); indexing without them (set INDEXER_PORT, 0 for none)`,
    )
    return null
  }
}

async function main(): Promise<void> {
  const env = parseEnv()
  const own = parseIndexerEnv()
  const log = createLogger({ level: env.LOG_LEVEL, component: 'indexer' })
  if (!env.DATABASE_URL || !env.RPC_URL) {
    log.error('DATABASE_URL and RPC_URL must be set (`npm start` sets both for the local stack)')
    process.exit(2)
  }
  const db = createDb({ databaseUrl: env.DATABASE_URL, max: env.INDEXER_DB_POOL_SIZE })
  const rpcUrl = env.RPC_URL

  async function resolveFactory(chainId: number): Promise<FactoryRef | null> {
    const recorded = await findDeployment({ db, chainId })
    if (recorded) return { address: recorded.address.toLowerCase() as Hex, blockNumber: recorded.blockNumber }
    if (env.FACTORY_ADDRESS && env.FACTORY_BLOCK !== undefined) {
      return { address: env.FACTORY_ADDRESS, blockNumber: env.FACTORY_BLOCK }
    }
    if (env.FACTORY_ADDRESS) {
      // Without FACTORY_BLOCK: the factory's first event (logs, which a node without archive
      // state keeps), recorded once as npm start records it, so a restart does not look again.
      const client = createChainClient({ rpcUrl, timeoutMs: env.RPC_TIMEOUT_MS })
      const found = await recordGivenFactory({
        db,
        client,
        address: env.FACTORY_ADDRESS,
        log: (l) => log.info(l),
      })
      return { address: found.address.toLowerCase() as Hex, blockNumber: found.blockNumber }
    }
    return null
  }

  /** IntermediaryFactoryV2 as the stack records it (npm run deploy:factory deploys it beside v1's). */
  async function resolveFactoryV2(chainId: number): Promise<FactoryRef | null> {
    const recorded = await findDeployment({ db, chainId, contract: FACTORY_V2_CONTRACT })
    return recorded && { address: recorded.address.toLowerCase() as Hex, blockNumber: recorded.blockNumber }
  }

  const metrics = createIndexerMetrics()
  const lease = createLease({
    db,
    instance: instanceIdentity({ instanceId: own.INSTANCE_ID }),
    leaseSeconds: own.INDEXER_LEASE_SECONDS,
    log,
    onLeading: metrics.leading,
  })
  const stop = new AbortController()
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log.info(`${signal}: stopping`)
      stop.abort()
    })
  }
  const probes = await serveProbes({
    host: own.INDEXER_HOST,
    port: own.INDEXER_PORT,
    ready: migratedReadiness({ db }),
    metrics,
    log,
  })
  log.info(
    `instance ${lease.instance.id} joins the indexer's election (lease ${own.INDEXER_LEASE_SECONDS} s)`,
  )
  await leadWhileHeld({
    lease,
    signal: stop.signal,
    run: (signal, term) =>
      new Indexer({
        db,
        rpcUrl,
        rpcTimeoutMs: env.INDEXER_RPC_TIMEOUT_MS,
        resolveFactory,
        resolveFactoryV2,
        log,
        finalityDepth: env.INDEXER_FINALITY_DEPTH,
        blocks: env.INDEXER_BLOCKS,
        pollMs: env.INDEXER_POLL_MS,
        maxBlockRange: env.INDEXER_MAX_BLOCK_RANGE,
        targetLogs: env.INDEXER_TARGET_LOGS,
        guard: term,
        metrics,
      }).run(signal),
  })
  await lease.leave().catch(() => {})
  await probes?.close()
  await db.$disconnect()
}

main().catch((error) => {
  // One line naming the cause (errorText redacts URLs); the run loop retries what can be retried.
  createLogger({ level: 'error', component: 'indexer' }).error(`the indexer stopped: ${errorText(error)}`)
  process.exit(1)
})
