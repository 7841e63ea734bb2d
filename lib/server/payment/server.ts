import os from 'node:os'
import type { Address, PublicClient } from 'viem'
import { ConflictError } from '../../errors'
import { chainFor } from '../chain'
import type { Db } from '../db/client'
import { FACTORY_V2_CONTRACT, findDeployment } from '../deployments'
import type { Logger } from '../log'
import { secp256k1 } from '../secp256k1'
import { createRecoveryPool, inlineRecovery } from '../signerRecovery'
import { tokenCryptoReady } from '../tokenCrypto'
import { createAcceptanceStore } from './acceptanceStore'
import { channelRetiredError, createChainEpoch } from './chainEpoch'
import { createChannelStateCache } from './channelStateCache'
import { createChannelRegistry } from './channels'
import { createHotSql } from './hotSql'
import { createIssuer } from './issue/issuer'
import { checkKeystoreSecret } from './keystore'
import { createPaymentMetrics } from './metrics'
import { createRateLimits, DEFAULT_RATE_LIMITS, type RateLimitSettings } from './rateLimit'
import { createRunner, type RunnerSettings } from './runner/runner'
import { createSentTransactions } from './runner/sentTransactions'
import { createServiceRegistry } from './services'
import { createAcceptanceStoreV2 } from './v2/acceptanceStoreV2'
import { createIssuerV2 } from './v2/issuerV2'
import { createPriceTables } from './v2/priceTables'
import { createVerifierV2 } from './v2/verifierV2'
import { createVerifier } from './verify/verifier'
import { createWallet } from './wallet'

export type PaymentSettings = RunnerSettings & {
  chainCacheMs: number
  maxMissingRanges: number
  /** Seconds after which a missing count is forgotten; default DEFAULT_MISSING_TTL_SECONDS of ./verifier. */
  missingTtlSeconds?: number
  /** Worker threads recovering token signatures (0: inline); default {@link defaultRecoverThreads}. */
  recoverThreads?: number
  /** Most request counts taken ahead per channel (0: none); default DEFAULT_ISSUE_AHEAD of ./issuer. */
  issueAhead?: number
  /** Most blocks one eth_getLogs may span on the node (INDEXER_MAX_BLOCK_RANGE); default 10,000. */
  logBlockRange?: number
  /** Version 2: how much of a category's demand its counts taken ahead cover (ms); default 50. */
  issueAheadMs?: number
  /**
   * Seconds a channel's last known state is served while the chain node does not answer
   * (PAYMENT_STALE_STATE_SECONDS); default 0: never.
   */
  staleStateSeconds?: number
  /** Milliseconds between checks that the chain was not reset (./chainEpoch); default 5,000. */
  chainCheckMs?: number
  /** Milliseconds an admin API call waits for its transaction's receipt; default DEFAULT_RECEIPT_TIMEOUT_MS of ./wallet. */
  receiptTimeoutMs?: number
  adminKey?: string
  keystoreSecret?: string
  /** Connections of the pool for the statements of every token (PAYMENT_DB_POOL_SIZE); default 4. */
  dbPoolSize?: number
  /** Rate limits of the API; default {@link DEFAULT_RATE_LIMITS}. */
  rateLimits?: RateLimitSettings
  /** Channels with metrics of their own; default DEFAULT_METRICS_TOP_CHANNELS of ./channelMetrics. */
  metricsTopChannels?: number
}

/** One fewer than the machine's cores (the main thread keeps one), at most 4. */
export function defaultRecoverThreads(): number {
  return Math.max(0, Math.min(4, os.availableParallelism() - 1))
}

/**
 * The Payment Server's parts wired together for one chain and one database: services and
 * their keys, channels, the issuer (consumer side), the verifier (provider side), the wallet
 * that sends transactions and the background runner. Route handlers use one per process
 * (see ./instance); tests and tools create their own.
 */
export async function createPaymentServer({
  db,
  databaseUrl,
  client,
  rpcUrl,
  factoryAddress,
  factoryV2Address,
  settings,
  log,
  environment = process.env,
}: {
  db: Db
  databaseUrl: string
  client: PublicClient
  rpcUrl: string
  /** The factory whose channels are ours; else the deployment the stack recorded. */
  factoryAddress?: Address
  /** The IntermediaryFactoryV2 whose channels are ours too; else the deployment the stack recorded, if any. */
  factoryV2Address?: Address
  settings: PaymentSettings
  log: Logger
  environment?: Record<string, string | undefined>
}) {
  // The WebAssembly keccak compiles while the chain answers, so the first token already uses it.
  // A keystore secret that cannot open the stored keys stops the server here, with a sentence,
  // instead of a 500 on every token of a service whose key it would need.
  const [chainId] = await Promise.all([
    client.getChainId(),
    tokenCryptoReady,
    checkKeystoreSecret({ db, keystoreSecret: settings.keystoreSecret }),
  ])
  // Loads libsecp256k1 now: a SECP256K1_LIBRARY that does not load stops the start, not a token.
  log.info(`token signatures by libsecp256k1, ${secp256k1().name}`)
  const chain = chainFor({ chainId, rpcUrl })
  let factory: Address | undefined = factoryAddress?.toLowerCase() as Address | undefined
  const factoryOf = async (): Promise<Address> => {
    if (factory) return factory
    const deployment = await findDeployment({ db, chainId })
    if (!deployment) {
      throw new ConflictError({
        code: 'factory_unknown',
        message: `No channel factory is known on chain ${chainId}; set FACTORY_ADDRESS or let npm start deploy one.`,
        retryable: true,
      })
    }
    factory = deployment.address.toLowerCase() as Address
    return factory
  }
  let factoryV2: Address | undefined = factoryV2Address?.toLowerCase() as Address | undefined
  /** The IntermediaryFactoryV2 the stack recorded (looked up until there is one), or null. */
  const factoryV2Of = async (): Promise<Address | null> => {
    if (factoryV2) return factoryV2
    const deployment = await findDeployment({ db, chainId, contract: FACTORY_V2_CONTRACT })
    factoryV2 = deployment?.address.toLowerCase() as Address | undefined
    return factoryV2 ?? null
  }
  const priceTables = createPriceTables({ db, client, chainId, maxBlockRange: settings.logBlockRange, log })
  const metrics = createPaymentMetrics({ channels: { db, chainId, top: settings.metricsTopChannels } })
  const rateLimits = createRateLimits(settings.rateLimits ?? DEFAULT_RATE_LIMITS)
  const services = createServiceRegistry({ db, keystoreSecret: settings.keystoreSecret, environment })
  const channelStates = createChannelStateCache({
    client,
    ttlMs: settings.chainCacheMs,
    staleMs: (settings.staleStateSeconds ?? 0) * 1000,
    metrics,
    // The node says the channel has no code: its chain may have been reset under us.
    onNoCode: async (address) => {
      await chainEpoch.checkSoon()
      return retiredError(address)
    },
  })
  const retiredError = async (address: string) => {
    const retired = await chainEpoch.retired(address)
    return retired && channelRetiredError(retired, chainId)
  }
  const sent = createSentTransactions({ db, chainId })
  const wallet = createWallet({
    db,
    databaseUrl,
    client,
    chain,
    rpcUrl,
    services,
    sent,
    receiptTimeoutMs: settings.receiptTimeoutMs,
  })
  const channels = createChannelRegistry({
    db,
    databaseUrl,
    chainId,
    client,
    channelStates,
    factory: factoryOf,
    services,
    wallet,
    retiredError,
    factoryV2: factoryV2Of,
    priceTables,
  })
  const sql = createHotSql({ databaseUrl, max: settings.dbPoolSize })
  const recoverThreads = settings.recoverThreads ?? defaultRecoverThreads()
  const recovery =
    recoverThreads > 0
      ? createRecoveryPool({
          threads: recoverThreads,
          onFailure: (error) =>
            log.warn(
              `signature recovery workers failed (${(error as Error).message}); recovering on the main thread from now on`,
            ),
        })
      : inlineRecovery()
  const issuer = createIssuer({ sql, chainId, channelStates, services, metrics, ahead: settings.issueAhead })
  const store = createAcceptanceStore({ sql, chainId, metrics })
  const issuerV2 = createIssuerV2({
    sql,
    chainId,
    channelStates,
    services,
    metrics,
    priceTables,
    ahead: settings.issueAhead,
    aheadMs: settings.issueAheadMs,
  })
  const storeV2 = createAcceptanceStoreV2({ sql, chainId })
  const verifierV2 = createVerifierV2({
    store: storeV2,
    chainId,
    channelStates,
    channels,
    priceTables,
    metrics,
    toleranceSeconds: settings.toleranceSeconds,
    maxMissingRanges: settings.maxMissingRanges,
    lookups: rateLimits.lookup,
  })
  const verifier = createVerifier({
    v2: verifierV2,
    store,
    chainId,
    channelStates,
    channels,
    metrics,
    recovery,
    toleranceSeconds: settings.toleranceSeconds,
    maxMissingRanges: settings.maxMissingRanges,
    missingTtlSeconds: settings.missingTtlSeconds,
    lookups: rateLimits.lookup,
  })
  const chainEpoch = createChainEpoch({
    db,
    client,
    chainId,
    factory: factoryOf,
    log,
    metrics,
    onRetired: () => {
      channels.forget()
      channelStates.clear()
      issuer.forgetAll()
      store.forgetAll()
      issuerV2.forgetAll()
      priceTables.forget()
    },
  })
  // A chain reset while this database was away (npm start on a fresh anvil) is found before
  // the first call; later ones by the background check, or by a read that finds no code.
  await chainEpoch.check().catch((error: Error) => log.warn(`chain reset check failed: ${error.message}`))
  chainEpoch.start(settings.chainCheckMs ?? 5_000)
  const runner = createRunner({
    db,
    databaseUrl,
    client,
    sent,
    chainId,
    channelStates,
    channels,
    services,
    store,
    storeV2,
    priceTables,
    metrics,
    settings,
    log,
  })
  return {
    chainId,
    db,
    client,
    settings,
    metrics,
    rateLimits,
    services,
    channelStates,
    wallet,
    sent,
    channels,
    issuer,
    verifier,
    /** Version 2 channels: tokens per category (the verifier hands v2 tokens to verifierV2). */
    issuerV2,
    verifierV2,
    storeV2,
    priceTables,
    runner,
    chainEpoch,
    factory: factoryOf,
    factoryV2: factoryV2Of,
    /**
     * Gives back the request counts taken ahead, stops the runner, the recovery workers and the
     * token statements' pool (the Prisma client is the caller's).
     */
    async close(): Promise<void> {
      chainEpoch.stop()
      await issuer.close()
      await runner.stop()
      await recovery.close()
      await sql.close()
    },
  }
}

export type PaymentServer = Awaited<ReturnType<typeof createPaymentServer>>
