import pg from 'pg'
import { parseEventLogs } from 'viem'
import { intermediaryAbi } from '../../../../contracts/generated'
import type { ChannelState } from '../../../channel'
import { bigintOf } from '../../../columns/kinds'
import type { Db } from '../../db/client'
import type { Logger } from '../../log'
import type { AcceptanceStore } from '../acceptanceStore'
import type { ChannelSnapshot, ChannelStateCache } from '../channelStateCache'
import type { ChannelRecord, ChannelRegistry } from '../channels'
import type { PaymentMetrics } from '../metrics'
import type { Service, ServiceRegistry } from '../services'
import { consumerDuties, type ProviderDutySettings, providerDuties, type RunnerAction } from './runnerDuties'

export type RunnerSettings = ProviderDutySettings & { intervalMs: number }

const MAX_BACKOFF_MS = 10 * 60_000

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
  channelStates,
  channels,
  services,
  store,
  metrics,
  settings,
  log,
}: {
  db: Db
  databaseUrl: string
  chainId: number
  channelStates: ChannelStateCache
  channels: ChannelRegistry
  services: ServiceRegistry
  /** What the provider accepted; closing and redeeming a token ID go through it. */
  store: AcceptanceStore
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

  async function acquire(): Promise<boolean> {
    if (lockClient) return true
    const client = new pg.Client({ connectionString: databaseUrl })
    client.on('error', () => {
      // The connection dropped: the lock is gone with it.
      if (lockClient === client) lockClient = null
      setLeader(false)
    })
    try {
      await client.connect()
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
    const message = `${action}: ${error instanceof Error ? error.message : String(error)}`
    await db.paymentChannel.update({
      where: { chainId_address: { chainId, address: channel.address } },
      data: { failures, retryAt: new Date(Date.now() + delay), lastError: message, lastErrorAt: new Date() },
    })
    metrics.runnerActions.inc({ action, outcome: 'failed' })
    if (row?.lastError !== message)
      log.warn(`runner: ${channel.address} ${message} (next try in ${Math.round(delay / 1000)} s)`)
  }

  async function succeeded(channel: ChannelRecord, action: string) {
    metrics.runnerActions.inc({ action, outcome: 'mined' })
    log.info(`runner: ${channel.address} ${action} done`)
    await db.paymentChannel.update({
      where: { chainId_address: { chainId, address: channel.address } },
      data: { failures: 0, retryAt: null, lastError: null },
    })
  }

  /** Sends `action` for `channel` as `service`, then records its success. */
  async function execute(channel: ChannelRecord, service: Service, action: RunnerAction): Promise<void> {
    switch (action.kind) {
      case 'redeem': {
        // Acceptance stops before the transaction, so the best token cannot change after it.
        const best = await store.close(channel.address, action.tokenId)
        const sent = await channels.act(channel, service, 'redeem', [
          best?.requests ?? 0n,
          best?.signature ?? '0x',
        ])
        const [redeemed] = parseEventLogs({
          abi: intermediaryAbi,
          eventName: 'Redeemed',
          logs: sent.receipt.logs,
        })
        await store.redeemed(channel.address, action.tokenId, {
          tx: sent.hash,
          amount: redeemed?.args.amount ?? 0n,
        })
        break
      }
      case 'startRedemption':
        await channels.act(channel, service, 'startRedemption', [action.nextTokenId])
        break
      case 'deposit':
        await channels.act(channel, service, 'deposit', [], action.amount)
        break
      default:
        await channels.act(channel, service, action.kind)
    }
    await succeeded(channel, action.label)
  }

  async function provide(channel: ChannelRecord, { state, blockTimestamp }: ChannelSnapshot): Promise<void> {
    const service = await services.byId(channel.providerServiceId as number)
    if (!service) return
    // The duties look at the active token only when nothing is terminated or expiring: no read otherwise.
    const active =
      state.terminated || state.expiringTokenId !== 0n
        ? null
        : await store.accepted(channel.address, state.activeTokenId)
    const duties = providerDuties({
      state,
      blockTimestamp,
      now: channelStates.now(),
      nowMs: Date.now(),
      channel,
      active,
      settings,
    })
    for (const action of duties) await execute(channel, service, action)
  }

  async function consume(channel: ChannelRecord, { state, blockTimestamp }: ChannelSnapshot): Promise<void> {
    const service = await services.byId(channel.consumerServiceId as number)
    if (!service) return
    const duties = consumerDuties({
      state,
      blockTimestamp,
      channel,
      issuedRequests:
        channel.autoFund && !state.terminated && state.terminatesAt === 0n
          ? await issuedOn(channel, state)
          : 0n,
    })
    for (const action of duties) await execute(channel, service, action)
  }

  /** Requests issued of the channel's active and expiring token IDs. */
  async function issuedOn(channel: ChannelRecord, state: ChannelState): Promise<bigint> {
    const issued = await db.paymentIssued.findMany({
      where: {
        chainId,
        channel: channel.address,
        tokenId: { in: [state.activeTokenId.toString(), state.expiringTokenId.toString()] },
      },
    })
    return issued.reduce((sum, row) => sum + bigintOf(row.requests), 0n)
  }

  /** One pass over every channel ({@link pass}), which stop() waits for. */
  function round(): Promise<number> {
    const running = pass()
    inFlight = running.catch(() => {})
    return running
  }

  /** One pass over every channel; returns the number of channels looked at. */
  async function pass(): Promise<number> {
    const rows = await db.paymentChannel.findMany({
      where: { chainId, OR: [{ retryAt: null }, { retryAt: { lte: new Date() } }] },
      select: { address: true },
    })
    for (const { address } of rows) {
      if (stopped) break
      const channel = await channels.find(address)
      if (!channel) continue
      let action = 'read state'
      try {
        const snapshot = await channelStates.get(channel.address, { maxAgeMs: 0 })
        if (channel.providerServiceId !== null) {
          action = 'provider duties'
          await provide(channel, snapshot)
        }
        if (channel.consumerServiceId !== null) {
          action = 'consumer duties'
          // The snapshot just read, unless the provider duties sent a transaction (act() drops it).
          await consume(channel, await channelStates.get(channel.address))
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
      log.warn(`runner: round failed: ${error instanceof Error ? error.message : String(error)}`)
    }
    if (!stopped) timer = setTimeout(() => void tick(), settings.intervalMs)
  }

  return {
    start(): void {
      stopped = false
      timer = setTimeout(() => void tick(), 0)
    },
    /** Runs one round now if this process holds (or can take) the lock; for tests and tools. */
    async runOnce(): Promise<{ leader: boolean; channels: number }> {
      const held = await acquire()
      setLeader(held)
      return { leader: held, channels: held ? await round() : 0 }
    },
    isLeader: () => leader,
    async stop(): Promise<void> {
      stopped = true
      clearTimeout(timer)
      await inFlight // a round stops at its next channel
      const client = lockClient
      lockClient = null
      setLeader(false)
      await client?.end().catch(() => {})
    },
  }
}

export type Runner = ReturnType<typeof createRunner>
