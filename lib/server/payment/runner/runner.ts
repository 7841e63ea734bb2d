import pg from 'pg'
import type { PublicClient } from 'viem'
import { errorText } from '../../../errorText'
import type { Db } from '../../db/client'
import type { Logger } from '../../log'
import type { AcceptanceStore } from '../acceptanceStore'
import type { ChannelSnapshot, ChannelStateCache } from '../channelStateCache'
import type { ChannelRecord, ChannelRegistry } from '../channels'
import type { PaymentMetrics } from '../metrics'
import type { Service, ServiceRegistry } from '../services'
import type { AcceptanceStoreV2 } from '../v2/acceptanceStoreV2'
import type { PriceTables } from '../v2/priceTables'
import type { Replacement } from '../wallet'
import { createLeaderDuties, type LeaderDuty } from './leaderDuties'
import { createRedemptions, isRedemption } from './redemptions'
import { consumerDuties, type ProviderDutySettings, providerDuties, type RunnerAction } from './runnerDuties'
import { revertedMessage, type SentTransactions, type SentTx } from './sentTransactions'
import { createTxWatcher, type WatchReport, type WatchSettings } from './txWatcher'

export type RunnerSettings = ProviderDutySettings & WatchSettings & { intervalMs: number }

const MAX_BACKOFF_MS = 10 * 60_000

/**
 * TCP keepalive of the runner lock's connection, seconds: the database ends the session of a
 * holder that stopped answering (its host cut off) after about idle + interval × count, so a
 * standby takes over within about 11 s instead of the system default's two hours.
 */
const LOCK_KEEPALIVE = { idle: 5, interval: 2, count: 3 }

/**
 * The Payment Server's background work, for every channel one of our services is a party of:
 * - provider: close the expiring token ID when its tolerance window ends and redeem its highest
 *   accepted token when due (or close the redemption with 0 requests when nothing was accepted);
 *   start a redemption regularly, by age and by value; when the consumer starts termination,
 *   put the last token into redemption, then terminate; withdraw earnings once terminated;
 * - consumer: terminate after its termination deadline and withdraw the refund; deposit when
 *   the funds left fall below the auto-funding threshold.
 * What is due is decided by {@link providerDuties} and {@link consumerDuties} (pure); this
 * reads what they need, sends their actions and keeps the books.
 * A round never waits for a receipt: it sends, records (`payment_sent_tx`) and moves on. Each
 * round starts with the watcher ({@link createTxWatcher}): receipts settle pending
 * transactions (a redemption's amount is recorded then), transactions gone from the node or
 * reorged out of the chain are noticed within a few blocks and their channel decided again
 * from the chain. A channel with a transaction pending gets no new one, others go on; one
 * stuck in the mempool is replaced (same nonce, higher fees) by what its channel's duties
 * decide again.
 * Exactly one process runs it at a time: it holds a session-level Postgres advisory lock on a
 * connection of its own, which the database releases if the process dies. Every decision is
 * taken from the chain's and the database's state, never from memory, so a restart picks up
 * where the last holder stopped. Transactions are simulated first (Wallet); a failure backs off
 * per channel (5 s doubling to 10 min) and is kept in `payment_channel.last_error`.
 */
export function createRunner({
  db,
  databaseUrl,
  chainId,
  client,
  sent,
  channelStates,
  channels,
  services,
  store,
  storeV2,
  priceTables,
  metrics,
  settings,
  log,
}: {
  db: Db
  databaseUrl: string
  chainId: number
  client: PublicClient
  /** The transactions sent (the runner's and the API's): the watcher follows them all. */
  sent: SentTransactions
  channelStates: ChannelStateCache
  channels: ChannelRegistry
  services: ServiceRegistry
  /** What the provider accepted; closing and redeeming a token ID go through it. */
  store: AcceptanceStore
  /** What the provider accepted on version 2 channels. */
  storeV2?: AcceptanceStoreV2
  /** Version 2 channels' price tables (what was issued is worth). */
  priceTables?: PriceTables
  metrics: PaymentMetrics
  settings: RunnerSettings
  log: Logger
}) {
  let lockClient: pg.Client | null = null
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  let leader = false
  /** The round in progress: its statements use the store's pool, which closes after stop(). */
  let inFlight: Promise<unknown> = Promise.resolve()
  // On their own timer: the channels' pass never waits for an alert's webhook.
  const duties = createLeaderDuties({ isLeader: () => leader, intervalMs: settings.intervalMs, log })
  const redemptions = createRedemptions({ db, store, storeV2, channels, priceTables })

  async function acquire(): Promise<boolean> {
    if (lockClient) return true
    // Keepalives on both ends: a holder cut off the network (no FIN, no RST) is noticed by the
    // database within about LOCK_KEEPALIVE.idle + interval × count seconds, which then ends its
    // session and so frees the lock for a standby, and by the holder itself as a connection error.
    const client = new pg.Client({
      connectionString: databaseUrl,
      keepAlive: true,
      keepAliveInitialDelayMillis: LOCK_KEEPALIVE.idle * 1_000,
    })
    client.on('error', () => {
      // The connection dropped: the lock is gone with it.
      if (lockClient === client) lockClient = null
      setLeader(false)
    })
    try {
      await client.connect()
      await client.query(
        `SET tcp_keepalives_idle = ${LOCK_KEEPALIVE.idle}; SET tcp_keepalives_interval = ${LOCK_KEEPALIVE.interval}; SET tcp_keepalives_count = ${LOCK_KEEPALIVE.count}`,
      )
      const { rows } = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS ok',
        [`payment-runner:${chainId}`],
      )
      if (rows[0]?.ok) {
        lockClient = client
        return true
      }
    } catch {
      // The database is unreachable; try again next round.
    }
    await client.end().catch(() => {})
    return false
  }

  function setLeader(value: boolean) {
    if (value !== leader)
      log.info(value ? 'runner: this process now runs the background work' : 'runner: released')
    leader = value
    metrics.runnerLeader.set(value ? 1 : 0)
  }

  async function failed(channel: ChannelRecord, action: string, error: unknown) {
    const row = await db.paymentChannel.findUnique({
      where: { chainId_address: { chainId, address: channel.address } },
      select: { failures: true, lastError: true },
    })
    const failures = (row?.failures ?? 0) + 1
    const delay = Math.min(5_000 * 2 ** (failures - 1), MAX_BACKOFF_MS)
    // Stored and answered by the channels API: one line, URLs redacted.
    const message = `${action}: ${errorText(error, { maxLength: 1_000 })}`
    await db.paymentChannel.update({
      where: { chainId_address: { chainId, address: channel.address } },
      data: { failures, retryAt: new Date(Date.now() + delay), lastError: message, lastErrorAt: new Date() },
    })
    metrics.runnerActions.inc({ action, outcome: 'failed' })
    if (row?.lastError !== message)
      log.warn(`runner: ${channel.address} ${message} (next try in ${Math.round(delay / 1000)} s)`)
  }

  async function succeeded(channel: string, action: string) {
    metrics.runnerActions.inc({ action, outcome: 'mined' })
    log.info(`runner: ${channel} ${action} done`)
    await db.paymentChannel.updateMany({
      where: { chainId, address: channel },
      data: { failures: 0, retryAt: null, lastError: null },
    })
  }

  /** The bookkeeping of a sent transaction's fate, whoever sent it (this runner or an API call). */
  const watcher = createTxWatcher({
    client,
    sent,
    settings,
    hooks: {
      async found(tx, receipt) {
        await redemptions.found(tx, receipt)
      },
      async settled(tx, receipt) {
        if (!tx.channel) return
        channelStates.invalidate(tx.channel)
        if (receipt.status === 'success') return succeeded(tx.channel, tx.action)
        const channel = await channels.find(tx.channel)
        if (channel) await failed(channel, tx.action, new Error(revertedMessage(tx)))
      },
      async reorged(tx) {
        log.warn(`runner: ${tx.channel ?? 'factory'} ${tx.action} ${tx.hash} left the chain in a reorg`)
        metrics.runnerActions.inc({ action: tx.action, outcome: 'reorged' })
        if (tx.channel) channelStates.invalidate(tx.channel)
        // The Payment Server's view must not point at a transaction the chain does not have.
        if (isRedemption(tx.action)) await redemptions.unredeemed(tx)
        await redemptions.unannounced(tx, channelStates)
      },
      async dropped(tx, reason) {
        log.warn(`runner: ${tx.channel ?? 'factory'} ${tx.action}: ${reason} Deciding again from the chain.`)
        metrics.runnerActions.inc({ action: tx.action, outcome: 'dropped' })
        if (tx.channel) channelStates.invalidate(tx.channel)
        await redemptions.unannounced(tx, channelStates)
      },
    },
  })

  /**
   * Sends `action` for `channel` as `service` (in place of `stuck` when given and sent by the
   * same account); true when it is still pending (the channel then waits for it).
   */
  async function execute(
    channel: ChannelRecord,
    service: Service,
    action: RunnerAction,
    stuck: SentTx | undefined,
  ): Promise<boolean> {
    const replace: Replacement | undefined = stuck?.account === service.address ? stuck : undefined
    if (stuck && !replace) return true // the stuck one is another party's: wait for it
    let submitted: Awaited<ReturnType<ChannelRegistry['submit']>>
    switch (action.kind) {
      case 'redeem': {
        // Acceptance stops before the transaction, so the best token cannot change after it.
        const args = await redemptions.redeemArgs(channel, action.tokenId)
        const name = action.alsoStart ? 'redeemAndStartRedemption' : 'redeem'
        submitted = await channels.submit(channel, service, name, args, { tokenId: action.tokenId, replace })
        break
      }
      case 'startRedemption': {
        const start = redemptions.start(channel, action.nextTokenId)
        submitted = await channels.submit(channel, service, start.action, start.args, { replace })
        break
      }
      case 'deposit':
        submitted = await channels.submit(channel, service, 'deposit', [], { value: action.amount, replace })
        break
      default:
        submitted = await channels.submit(channel, service, action.kind, [], { replace })
    }
    if (stuck) await watcher.replaced(stuck, submitted.tx.hash)
    metrics.runnerActions.inc({ action: action.label, outcome: 'sent' })
    // One look for the receipt (a node that mines at once has it), never a wait.
    return !(await watcher.follow(submitted.tx))
  }

  async function provide(channel: ChannelRecord, { state, blockTimestamp }: ChannelSnapshot, stuck?: SentTx) {
    const service = await services.byId(channel.providerServiceId as number)
    if (!service) return false
    // The duties look at the active token only when nothing is terminated or expiring: no read otherwise.
    const active =
      state.terminated || state.expiringTokenId !== 0n
        ? null
        : await redemptions.active(channel, state.activeTokenId)
    const input = {
      state,
      blockTimestamp,
      now: channelStates.now(),
      nowMs: Date.now(),
      channel,
      active,
      settings,
    }
    const duties = providerDuties(input)
    // v2: a redemption due while the active ID is due too is one transaction (redeemAndStartRedemption).
    const redeem = duties[0]
    // Not with a new price table pending: redeemAndStartRedemption keeps the prices.
    if (
      channel.contractVersion === 2 &&
      redeem?.kind === 'redeem' &&
      state.terminatesAt === 0n &&
      !channel.pendingPrices
    ) {
      const after = { ...state, expiringTokenId: 0n }
      const next = providerDuties({
        ...input,
        state: after,
        active: await redemptions.active(channel, state.activeTokenId),
      })
      if (next[0]?.kind === 'startRedemption') redeem.alsoStart = true
    }
    for (const action of duties) if (await execute(channel, service, action, stuck)) return true
    return false
  }

  async function consume(channel: ChannelRecord, { state, blockTimestamp }: ChannelSnapshot, stuck?: SentTx) {
    const service = await services.byId(channel.consumerServiceId as number)
    if (!service) return false
    const duties = consumerDuties({
      state,
      blockTimestamp,
      channel,
      ...(channel.autoFund && !state.terminated && state.terminatesAt === 0n
        ? await redemptions.issued(channel, state)
        : { issuedRequests: 0n }),
    })
    for (const action of duties) if (await execute(channel, service, action, stuck)) return true
    return false
  }

  /** The last watch failure said, so that a node that stays down is not said every round. */
  let watchError: string | null = null

  /**
   * The watcher's look; when it fails (the node does not answer), the pending transactions as
   * recorded: their channels wait, the others go on (and back off on their own reads).
   */
  async function watch(): Promise<WatchReport> {
    try {
      const report = await watcher.check()
      watchError = null
      return report
    } catch (error) {
      const message = errorText(error)
      if (message !== watchError) log.warn(`runner: watching sent transactions failed: ${message}`)
      watchError = message
      return { pending: await sent.pending(), stuck: [] }
    }
  }

  /** One pass over every channel ({@link pass}), which stop() waits for. */
  function round(): Promise<number> {
    const running = pass()
    inFlight = running.catch(() => {})
    return running
  }

  /**
   * One pass: the watcher's look at the sent transactions, then every channel without one
   * pending (or with one stuck, to replace); returns the number of channels looked at.
   */
  async function pass(): Promise<number> {
    const { pending, stuck } = await watch()
    const waiting = new Set<string | null>(pending.map((tx) => tx.channel))
    const stuckOf = new Map<string | null, SentTx>(stuck.map((tx) => [tx.channel, tx]))
    const rows = await db.paymentChannel.findMany({
      where: { chainId, OR: [{ retryAt: null }, { retryAt: { lte: new Date() } }] },
      select: { address: true },
    })
    for (const { address } of rows) {
      if (stopped) break
      const replacing = stuckOf.get(address)
      // Its transaction decides what comes next: nothing new until it is mined or gone.
      if (waiting.has(address) && !replacing) continue
      const channel = await channels.find(address)
      if (!channel) continue
      let action = 'read state'
      try {
        const snapshot = await channelStates.get(channel.address, { maxAgeMs: 0 })
        if (channel.providerServiceId !== null) {
          action = 'provider duties'
          if (await provide(channel, snapshot, replacing)) continue
        }
        if (channel.consumerServiceId !== null) {
          action = 'consumer duties'
          // The snapshot just read, unless the provider duties sent a transaction (submit() drops it).
          await consume(channel, await channelStates.get(channel.address), replacing)
        }
      } catch (error) {
        await failed(channel, action, error).catch(() => {})
      }
    }
    return rows.length
  }

  async function tick(): Promise<void> {
    if (stopped) return
    try {
      const held = await acquire()
      setLeader(held)
      if (held) await round()
    } catch (error) {
      log.warn(`runner: round failed: ${errorText(error)}`)
    }
    if (!stopped) timer = setTimeout(() => void tick(), settings.intervalMs)
  }

  return {
    start(): void {
      stopped = false
      timer = setTimeout(() => void tick(), 0)
      duties.start()
    },
    /** Runs one round now if this process holds (or can take) the lock; for tests and tools. */
    async runOnce(): Promise<{ leader: boolean; channels: number }> {
      const held = await acquire()
      setLeader(held)
      const channels = held ? await round() : 0
      // Here, unlike start(), the leader's duties follow the pass (tests and tools wait for both).
      if (held) await duties.runOnce()
      return { leader: held, channels }
    },
    isLeader: () => leader,
    /** Adds work only the lock's holder does, on its own timer beside the rounds (./leaderDuties). */
    addDuty: (duty: LeaderDuty) => duties.add(duty),
    async stop(): Promise<void> {
      stopped = true
      clearTimeout(timer)
      await Promise.all([inFlight, duties.stop()]) // a round stops at its next channel
      const client = lockClient
      lockClient = null
      setLeader(false)
      await client?.end().catch(() => {})
    },
  }
}

export type Runner = ReturnType<typeof createRunner>
