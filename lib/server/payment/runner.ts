import pg from 'pg'
import { type Hex, parseEventLogs } from 'viem'
import { intermediaryAbi } from '../../../contracts/generated'
import type { Db } from '../db/client'
import type { Logger } from '../log'
import type { ChainView, ChannelSnapshot } from './chainView'
import type { ChannelRecord, ChannelRegistry } from './channels'
import type { PaymentMetrics } from './metrics'
import type { ServiceRegistry } from './services'

export type RunnerSettings = {
  intervalMs: number
  toleranceSeconds: number
  /** Start a redemption when the active token's first acceptance is this old... */
  redeemAfterSeconds: number
  /** ...or when its accepted value reaches this (wei). */
  redeemValue: bigint
}

const MAX_BACKOFF_MS = 10 * 60_000

/**
 * The Payment Server's background work, for every channel one of our services is a party of:
 * - provider: close the expiring token ID when its tolerance window ends and redeem its highest
 *   accepted token when due (or close the redemption with 0 requests when nothing was accepted);
 *   start a redemption regularly, by age and by value; when the consumer starts termination,
 *   put the last token into redemption, then terminate; withdraw earnings once terminated;
 * - consumer: terminate after its termination deadline and withdraw the refund; deposit when
 *   the funds left fall below the auto-funding threshold.
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
  chainView,
  channels,
  services,
  metrics,
  settings,
  log,
  onChange,
}: {
  db: Db
  databaseUrl: string
  chainId: number
  chainView: ChainView
  channels: ChannelRegistry
  services: ServiceRegistry
  metrics: PaymentMetrics
  settings: RunnerSettings
  log: Logger
  /** Called after the runner changed a channel's acceptance state (the verifier drops its copy). */
  onChange?: (address: string) => void
}) {
  let lockClient: pg.Client | null = null
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  let leader = false

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

  /** Stops acceptance for a token ID (no verifier can accept it after this commits). */
  async function close(channel: ChannelRecord, tokenId: bigint) {
    const rows = await db.$transaction(async (tx) => {
      await tx.$executeRaw`
        UPDATE payment_channel SET version = version + 1 WHERE chain_id = ${chainId} AND address = ${channel.address}`
      return tx.$queryRaw<Array<{ highest: { toFixed(): string }; signature: string }>>`
        UPDATE payment_accepted SET closed_at = COALESCE(closed_at, now())
        WHERE chain_id = ${chainId} AND channel = ${channel.address} AND token_id = ${tokenId.toString()}::numeric
        RETURNING highest, signature`
    })
    onChange?.(channel.address)
    const row = rows[0]
    return row ? { requests: BigInt(row.highest.toFixed()), signature: row.signature as Hex } : null
  }

  async function acceptedOn(channel: ChannelRecord, tokenId: bigint) {
    if (tokenId === 0n) return null
    return db.paymentAccepted.findUnique({
      where: { chainId_channel_tokenId: { chainId, channel: channel.address, tokenId: tokenId.toString() } },
    })
  }

  async function provide(channel: ChannelRecord, snapshot: ChannelSnapshot): Promise<void> {
    const service = await services.byId(channel.providerServiceId as number)
    if (!service) return
    const { state, blockTimestamp } = snapshot
    const now = chainView.now()
    if (state.terminated) {
      if (state.providerFunds > 0n) {
        await channels.act(channel, service, 'withdraw')
        await succeeded(channel, 'withdraw')
      }
      return
    }
    if (state.expiringTokenId !== 0n) {
      const tolerance = Math.min(settings.toleranceSeconds, Number(channel.redemptionTimeout))
      const windowEnds = Number(state.redeemableAt - channel.redemptionTimeout) + tolerance
      if (now < windowEnds || blockTimestamp < state.redeemableAt) return
      const best = await close(channel, state.expiringTokenId)
      const sent = await channels.act(channel, service, 'redeem', [
        best?.requests ?? 0n,
        best?.signature ?? '0x',
      ])
      const [redeemed] = parseEventLogs({
        abi: intermediaryAbi,
        eventName: 'Redeemed',
        logs: sent.receipt.logs,
      })
      await db.$transaction(async (tx) => {
        await tx.$executeRaw`
          UPDATE payment_channel SET version = version + 1 WHERE chain_id = ${chainId} AND address = ${channel.address}`
        await tx.$executeRaw`
          UPDATE payment_accepted SET redeemed_at = now(), redeemed_tx = ${sent.hash},
            redeemed_amount = ${(redeemed?.args.amount ?? 0n).toString()}::numeric
          WHERE chain_id = ${chainId} AND channel = ${channel.address}
            AND token_id = ${state.expiringTokenId.toString()}::numeric`
      })
      onChange?.(channel.address)
      await succeeded(channel, 'redeem')
      return
    }
    const active = await acceptedOn(channel, state.activeTokenId)
    const owed = active ? BigInt(active.highest.toFixed()) * channel.costPerRequest : 0n
    if (state.terminatesAt !== 0n) {
      // The consumer is leaving: the last token goes into redemption (no new ID is assigned).
      if (state.activeTokenId !== 0n && owed > 0n) {
        await channels.act(channel, service, 'startRedemption', [state.lastTokenId + 1n])
        await succeeded(channel, 'startRedemption (termination)')
        return
      }
      // Nothing left to redeem: settle now rather than wait for the consumer's deadline.
      await channels.act(channel, service, 'terminate')
      await succeeded(channel, 'terminate')
      return
    }
    if (!active || owed === 0n) return
    const age = (Date.now() - active.firstAcceptedAt.getTime()) / 1000
    if (age >= settings.redeemAfterSeconds || owed >= settings.redeemValue) {
      await channels.act(channel, service, 'startRedemption', [state.lastTokenId + 1n])
      await succeeded(channel, 'startRedemption')
    }
  }

  async function consume(channel: ChannelRecord, snapshot: ChannelSnapshot): Promise<void> {
    const service = await services.byId(channel.consumerServiceId as number)
    if (!service) return
    const { state, blockTimestamp } = snapshot
    if (state.terminated) {
      if (state.consumerFunds > 0n) {
        await channels.act(channel, service, 'withdraw')
        await succeeded(channel, 'withdraw (refund)')
      }
      return
    }
    if (state.terminatesAt !== 0n) {
      if (blockTimestamp >= state.terminatesAt) {
        await channels.act(channel, service, 'terminate')
        await succeeded(channel, 'terminate')
      }
      return
    }
    if (!channel.autoFund) return
    const issued = await db.paymentIssued.findMany({
      where: {
        chainId,
        channel: channel.address,
        tokenId: { in: [state.activeTokenId.toString(), state.expiringTokenId.toString()] },
      },
    })
    const owed =
      issued.reduce((sum, row) => sum + BigInt(row.requests.toFixed()), 0n) * channel.costPerRequest
    if (state.consumerFunds - owed < channel.autoFund.threshold) {
      await channels.act(channel, service, 'deposit', [], channel.autoFund.amount)
      await succeeded(channel, 'deposit (auto-funding)')
    }
  }

  /** One pass over every channel; returns the number of channels looked at. */
  async function round(): Promise<number> {
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
        const snapshot = await chainView.get(channel.address, { maxAgeMs: 0 })
        if (channel.providerServiceId !== null) {
          action = 'provider duties'
          await provide(channel, snapshot)
        }
        if (channel.consumerServiceId !== null) {
          action = 'consumer duties'
          // The snapshot just read, unless the provider duties sent a transaction (act() drops it).
          await consume(channel, await chainView.get(channel.address))
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
      const client = lockClient
      lockClient = null
      setLeader(false)
      await client?.end().catch(() => {})
    },
  }
}

export type Runner = ReturnType<typeof createRunner>
