import { Gauge, type Registry } from 'prom-client'
import type { Db } from '../db/client'

/** Per-channel series exported by default: the channels with the most value pending. */
export const DEFAULT_METRICS_TOP_CHANNELS = 100

/** The window of a channel's spending rate that its runway is measured by. */
const RATE_WINDOW_MS = 3_600_000

/** What {@link registerChannelMetrics} reads, and how often. */
export type ChannelMetricsSource = {
  db: Db
  chainId: number
  /** Channels given series of their own (PAYMENT_METRICS_TOP_CHANNELS); the totals count every one. */
  top?: number
  /** A scrape within this many ms of the last reading reuses it (several scrapers, one query). */
  refreshMs?: number
  /** The clock (ms), for tests. */
  now?: () => number
}

type Row = { channel: string; pending: string; settled: string; funds: string | null }
type Reading = { rows: Row[]; totalPending: string; totalSettled: string; pendingTx: number }

/**
 * Business gauges of the Payment Server, read from its database when Prometheus scrapes (one
 * query per `refreshMs`, however many scrapers; never per request): the value of the tokens
 * it accepted and not yet redeemed (`pending`) and of those redeemed (`settled`), in wei, in
 * total and for the `top` channels by pending value (bounded: a channel's address is a label,
 * and a team may have thousands); each of those channels' runway, seconds until the
 * consumer's funds left (indexed `consumer_funds`, less what is pending) are spent at the rate
 * its value grew over the last hour (as far back as this process has read it); and the
 * runner's transactions waiting to be mined.
 */
export function registerChannelMetrics(registry: Registry, source: ChannelMetricsSource): void {
  const { db, chainId, top = DEFAULT_METRICS_TOP_CHANNELS, refreshMs = 10_000, now = Date.now } = source
  let last: { at: number; reading: Promise<Reading | null> } | undefined
  /** Per channel of the top: its value (pending + settled) at each reading of the last hour. */
  const history = new Map<string, Array<{ at: number; used: bigint }>>()

  /**
   * The reading of the last `refreshMs`, or a new one; null when the database did not answer:
   * the scrape then still answers (these gauges empty, the totals NaN) with every other metric,
   * which an outage is when they matter most.
   */
  const read = (): Promise<Reading | null> => {
    const at = now()
    if (last && at - last.at < refreshMs) return last.reading
    const reading = query(db, chainId, top).then(
      (r) => {
        remember(r.rows, at)
        return r
      },
      () => null,
    )
    last = { at, reading }
    return reading
  }

  const remember = (rows: Row[], at: number) => {
    const seen = new Set<string>()
    for (const r of rows) {
      seen.add(r.channel)
      const samples = history.get(r.channel) ?? []
      samples.push({ at, used: BigInt(r.pending) + BigInt(r.settled) })
      while (samples.length > 2 && (samples[0] as { at: number }).at < at - RATE_WINDOW_MS) samples.shift()
      history.set(r.channel, samples)
    }
    for (const channel of history.keys()) if (!seen.has(channel)) history.delete(channel)
  }

  /** Seconds until the channel's funds left are spent at its rate of the last hour; null without spending. */
  const runway = (r: Row): number | null => {
    const samples = history.get(r.channel)
    const first = samples?.[0]
    const latest = samples?.[samples.length - 1]
    if (!first || !latest || r.funds === null || latest.at <= first.at) return null
    const spent = latest.used - first.used
    if (spent <= 0n) return null
    const left = BigInt(r.funds) - BigInt(r.pending)
    return left <= 0n ? 0 : (Number(left) * (latest.at - first.at)) / 1000 / Number(spent)
  }

  const perChannel = (name: string, help: string, value: (r: Row) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['channel'],
      registers: [registry],
      async collect() {
        const reading = await read()
        this.reset()
        for (const r of reading?.rows ?? []) {
          const v = value(r)
          if (v !== null) this.set({ channel: r.channel }, v)
        }
      },
    })
  const total = (name: string, help: string, value: (r: Reading) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const reading = await read()
        this.set(reading ? value(reading) : Number.NaN)
      },
    })

  perChannel(
    'payment_channel_pending_wei',
    `Value of the tokens accepted on a channel and not yet redeemed, wei (the ${top} channels with the most)`,
    (r) => Number(r.pending),
  )
  perChannel(
    'payment_channel_settled_wei',
    `Value redeemed on a channel, wei (the ${top} channels with the most pending)`,
    (r) => Number(r.settled),
  )
  perChannel(
    'payment_channel_runway_seconds',
    `Seconds until the consumer's funds left on a channel are spent at its rate of the last hour (the ${top} channels with the most pending; none without spending)`,
    runway,
  )
  total('payment_pending_wei', 'Value of the tokens accepted and not yet redeemed, all channels, wei', (r) =>
    Number(r.totalPending),
  )
  total('payment_settled_wei', 'Value redeemed, all channels, wei', (r) => Number(r.totalSettled))
  total(
    'payment_runner_pending_transactions',
    'Transactions the runner sent that are not yet mined (or dropped)',
    (r) => r.pendingTx,
  )
}

/** One statement: the top channels by pending value, the totals over all, the pending transactions. */
async function query(db: Db, chainId: number, top: number): Promise<Reading> {
  const [rows, [totals]] = await Promise.all([
    db.$queryRaw<Array<Row & { total_pending: string; total_settled: string }>>`
      WITH per AS (
        SELECT a.channel,
          COALESCE(sum(a.highest * c.cost_per_request) FILTER (WHERE a.redeemed_at IS NULL), 0) AS pending,
          COALESCE(sum(a.redeemed_amount), 0) AS settled
        FROM payment_accepted a
        JOIN payment_channel c ON c.chain_id = a.chain_id AND c.address = a.channel
        WHERE a.chain_id = ${chainId}
        GROUP BY a.channel)
      SELECT per.channel, per.pending::text AS pending, per.settled::text AS settled,
        ch.consumer_funds::text AS funds,
        (sum(per.pending) OVER ())::text AS total_pending, (sum(per.settled) OVER ())::text AS total_settled
      FROM per
      LEFT JOIN channel ch ON ch.chain_id = ${chainId} AND ch.address = per.channel
      ORDER BY per.pending DESC, per.channel
      LIMIT ${top}`,
    db.$queryRaw<Array<{ pending: number }>>`
      SELECT count(*)::int AS pending FROM payment_sent_tx WHERE chain_id = ${chainId} AND status = 'pending'`,
  ])
  return {
    rows,
    totalPending: rows[0]?.total_pending ?? '0',
    totalSettled: rows[0]?.total_settled ?? '0',
    pendingTx: totals?.pending ?? 0,
  }
}
