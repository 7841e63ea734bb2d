import type { Address } from 'viem'
import { serverContext } from '../context'
import { env } from '../env'
import { createLogger } from '../log'
import { KeystoreMismatchError } from './keystore'
import { rateLimitsOf } from './rateLimit'
import { createPaymentServer, type PaymentServer } from './server'
import { registerShutdownHook } from './webHooks'

const globalForPayment = globalThis as unknown as {
  __paymentServer?: Promise<PaymentServer>
  /** The same server once created, for synchronous readers ({@link paymentStaleState}). */
  __paymentServerCreated?: PaymentServer
}

/**
 * This process's Payment Server, configured from the environment (README, "Configuration"),
 * created on first use and shared by every route handler (kept on globalThis so `next dev`
 * reloads reuse it). A failed creation is not cached: the next request tries again.
 */
export function getPaymentServer(): Promise<PaymentServer> {
  if (!globalForPayment.__paymentServer) {
    const e = env()
    const { db, chain, rpcUrl } = serverContext()
    const created = createPaymentServer({
      db,
      databaseUrl: e.DATABASE_URL as string,
      client: chain,
      rpcUrl,
      factoryAddress: e.FACTORY_ADDRESS as Address | undefined,
      settings: {
        adminKey: e.PAYMENT_ADMIN_KEY,
        keystoreSecret: e.PAYMENT_KEYSTORE_SECRET,
        dbPoolSize: e.PAYMENT_DB_POOL_SIZE,
        toleranceSeconds: e.PAYMENT_TOLERANCE_SECONDS,
        chainCacheMs: e.PAYMENT_CHAIN_CACHE_MS,
        maxMissingRanges: e.PAYMENT_MAX_MISSING_RANGES,
        missingTtlSeconds: e.PAYMENT_MISSING_TTL_SECONDS,
        staleStateSeconds: e.PAYMENT_STALE_STATE_SECONDS,
        recoverThreads: e.PAYMENT_RECOVER_THREADS,
        issueAhead: e.PAYMENT_ISSUE_AHEAD,
        logBlockRange: e.INDEXER_MAX_BLOCK_RANGE,
        redeemAfterSeconds: e.PAYMENT_REDEEM_AFTER_SECONDS,
        redeemValue: e.PAYMENT_REDEEM_VALUE_WEI,
        intervalMs: e.PAYMENT_RUNNER_INTERVAL_MS,
        confirmations: e.PAYMENT_CONFIRMATIONS,
        dropAfterBlocks: e.PAYMENT_DROP_AFTER_BLOCKS,
        replaceAfterBlocks: e.PAYMENT_REPLACE_AFTER_BLOCKS,
        receiptTimeoutMs: e.PAYMENT_RECEIPT_TIMEOUT_MS,
        metricsTopChannels: e.PAYMENT_METRICS_TOP_CHANNELS,
        rateLimits: rateLimitsOf(e),
      },
      log: createLogger({ level: e.LOG_LEVEL, component: 'payment' }),
    })
    created.then(
      (server) => {
        globalForPayment.__paymentServerCreated = server
      },
      () => {
        globalForPayment.__paymentServer = undefined
      },
    )
    globalForPayment.__paymentServer = created
  }
  return globalForPayment.__paymentServer
}

/**
 * Whether this process's Payment Server (if one was created) answers from channels' last known
 * state because the node does not answer: since when, for how many channels; null otherwise.
 * Never creates one.
 */
export const paymentStaleState = () => staleStateOf(globalForPayment.__paymentServerCreated)

/** {@link paymentStaleState} of a given Payment Server. */
export function staleStateOf(server: PaymentServer | undefined): { since: string; channels: number } | null {
  const stale = server?.channelStates.stale() ?? []
  const first = stale[0]
  return first ? { since: first.since.toISOString(), channels: stale.length } : null
}

/**
 * Makes closing this process's Payment Server available to the web server (stack/web.ts),
 * which calls it when it stops: the request counts taken ahead are given back then.
 */
export function registerPaymentShutdown(): void {
  registerShutdownHook(async () => {
    const server = await globalForPayment.__paymentServer?.catch(() => undefined)
    globalForPayment.__paymentServer = undefined
    globalForPayment.__paymentServerCreated = undefined
    await server?.close()
  })
}

/**
 * Starts the background runner of this process's Payment Server unless PAYMENT_RUNNER=off
 * (`always`: whatever it says, as the runner role does), creating the server first and
 * retrying that until the chain and the database answer (1 s doubling to 30 s; `onRetry`
 * hears why each time; a keystore secret that cannot open the stored keys rejects at once).
 * Resolves with the server once its runner runs (undefined when off).
 */
export async function startPaymentRunner({
  always = false,
  onRetry,
}: {
  always?: boolean
  onRetry?: (error: unknown, delayMs: number) => void
} = {}): Promise<PaymentServer | undefined> {
  if (!always && env().PAYMENT_RUNNER === 'off') return undefined
  for (let delay = 1_000; ; delay = Math.min(delay * 2, 30_000)) {
    try {
      const server = await getPaymentServer()
      server.runner.start()
      return server
    } catch (error) {
      // A keystore secret that cannot open the stored keys will not open them later either.
      if (error instanceof KeystoreMismatchError) throw error
      onRetry?.(error, delay)
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
}
