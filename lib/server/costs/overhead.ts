import { byBigIntDesc } from '../../costs/order'
import {
  type CostOverhead,
  OVERHEAD_ACTIONS,
  type OverheadAction,
  type OverheadFigures,
  type OverheadService,
  overheadRatio,
} from '../../costs/overhead'
import { ACTION_BY_EVENT, ACTION_BY_SELECTOR } from '../../costs/overheadActions'
import { UNLABELLED_TEAM } from '../../costs/report'
import type { CostWindow, WindowQuery } from '../../costs/window'
import type { ServerContext } from '../context'
import { Prisma } from '../db/generated/client'
import { serviceNames } from '../services'
import { asOfView, atOneBlock, type CostClock, windowOf, windowView } from './clock'
import { settledByChannel } from './settled'

/**
 * What the payment system itself costs: the fees of the indexed transactions sent to the
 * channels and the factory in a window, sorted into actions and attributed to the service that
 * paid them (the sender), against the value the channels settled in the window.
 *
 * Who paid: the sender's label gives its service and team (a Payment Server wallet is its
 * service's labelled account). An unlabelled sender that is a party of the channel is a
 * service of its own in `(no team)`. Anyone else (a stranger calling a channel, say a deposit
 * that reverts NotConsumer) paid for nothing of ours: their fees are in the channel's and the
 * totals' `outside`, and in no team, so the teams plus `outside` add up to every fee.
 */

/** One group of transactions: a payer, a channel (null: a factory call that opened none), an action. */
type FeeRow = {
  payer: string
  channel: string | null
  consumer: string | null
  provider: string | null
  action: OverheadAction
  fees: string
  gas: string
  txs: number
}

const values = (entries: Iterable<readonly [string, string]>) =>
  Prisma.join([...entries].map(([k, a]) => Prisma.sql`(${k}, ${a})`))

/**
 * The fees of a window grouped by payer, channel and action, as SQL. The window is turned into a
 * block range first (block times never go back, and every stored transaction's block is
 * stored), so the transactions are read by their (chain_id, block_number) index; the two bounds
 * are single probes of the block table's (chain_id, timestamp, number) index (migration 0010;
 * overhead.plan.test.ts checks the plan).
 *
 * With `service` (an address), only the rows that service's figures and its channels' are made
 * of: the ones it paid, and every one of a channel where it is a party.
 */
export function feeRowsSql(clock: CostClock, window: CostWindow, service?: string): Prisma.Sql {
  const bound = clock.block ?? -1n
  const firstBlockAt = (time: number) => Prisma.sql`(SELECT number FROM block
    WHERE chain_id = ${clock.chainId} AND timestamp >= ${time} ORDER BY timestamp, number LIMIT 1)`
  return Prisma.sql`
    WITH sel(selector, action) AS (VALUES ${values(ACTION_BY_SELECTOR)}),
         ev(name, action) AS (VALUES ${values(Object.entries(ACTION_BY_EVENT))})
    SELECT t."from" AS payer,
      coalesce(o.address, c.address) AS channel,
      coalesce(o.consumer, c.consumer) AS consumer,
      coalesce(o.provider, c.provider) AS provider,
      CASE WHEN o.address IS NOT NULL THEN 'open'
        ELSE coalesce(
          (SELECT action FROM sel WHERE selector = lower(left(t.input, 10))),
          -- A call through another contract: the first event it emitted in the channel.
          (SELECT ev.action FROM event e JOIN ev ON ev.name = e.name
           WHERE e.chain_id = t.chain_id AND e.block_number = t.block_number AND e.tx_hash = t.hash
           ORDER BY e.log_index LIMIT 1),
          'other')
      END AS action,
      sum(t.fee)::text AS fees, sum(t.gas_used)::text AS gas, count(*)::int AS txs
    FROM transaction t
    LEFT JOIN channel o ON o.chain_id = t.chain_id AND o.opened_tx = t.hash
    LEFT JOIN channel c ON c.chain_id = t.chain_id AND c.address = t.channel
    WHERE t.chain_id = ${clock.chainId}
      AND t.block_number >= ${firstBlockAt(window.from)}
      AND t.block_number < coalesce(${firstBlockAt(window.to)}, ${bound + 1n})
      AND t.block_number <= ${bound}${service ? ofService(clock.chainId, service) : Prisma.empty}
    GROUP BY 1, 2, 3, 4, 5`
}

/**
 * {@link feeRowsSql}'s filter to one service's rows (its tables' aliases t, o, c). The first test
 * is the exact one; the second (its sends, its channels' transactions, their openings) drops no
 * row the first keeps, but is tested on the transaction alone, before the channels are joined,
 * so the window's other transactions are dropped as they are read instead of joined and grouped.
 */
function ofService(chainId: number, service: string): Prisma.Sql {
  const its = (column: 'address' | 'opened_tx') => Prisma.sql`(SELECT ${Prisma.raw(column)} FROM channel
    WHERE chain_id = ${chainId} AND (consumer = ${service} OR provider = ${service}))`
  return Prisma.sql`
      AND (t."from" = ${service} OR coalesce(o.consumer, c.consumer) = ${service}
        OR coalesce(o.provider, c.provider) = ${service})
      AND (t."from" = ${service} OR t.channel IN ${its('address')} OR t.hash IN ${its('opened_tx')})`
}

/** Running sums of one team, service or channel. */
class Sums {
  fees = new Map<OverheadAction, bigint>()
  gas = 0n
  txs = 0
  settled = 0n
  add(row: FeeRow) {
    this.fees.set(row.action, (this.fees.get(row.action) ?? 0n) + BigInt(row.fees))
    this.gas += BigInt(row.gas)
    this.txs += row.txs
  }
  get total() {
    let t = 0n
    for (const v of this.fees.values()) t += v
    return t
  }
  view(): OverheadFigures {
    const total = this.total
    return {
      fees: Object.fromEntries(
        OVERHEAD_ACTIONS.map((a) => [a, (this.fees.get(a) ?? 0n).toString()]),
      ) as OverheadFigures['fees'],
      total: total.toString(),
      gasUsed: this.gas.toString(),
      transactions: this.txs,
      settled: this.settled.toString(),
      ratio: overheadRatio(total, this.settled),
    }
  }
}

const getOr = <K, V>(map: Map<K, V>, key: K, make: () => V): V => {
  let v = map.get(key)
  if (v === undefined) {
    v = make()
    map.set(key, v)
  }
  return v
}

/**
 * GET /api/costs/overhead: the fees of the payment system's own transactions in a window, per
 * action, team, service and channel, against the value settled, read at one block.
 * @example const { teams } = await costOverhead(ctx, { window: '30d' })
 */
export function costOverhead(ctx: ServerContext, query: WindowQuery): Promise<CostOverhead> {
  return atOneBlock(ctx, (snapshot, clock) => costOverheadAt(snapshot, clock, query))
}

/** One service's share of {@link costOverhead}: its own figures and its channels'. */
export type ServiceOverheadShare = {
  /** What it paid and what its channels settled; null when it paid nothing and settled nothing. */
  service: OverheadService | null
  /** The channels where it is a party, with every payer's fees (as in {@link CostOverhead}). */
  channels: CostOverhead['channels']
}

/**
 * A service page's overhead: {@link costOverhead}'s figures of one service and of its channels,
 * equal to the network answer's entries for them, read from that service's rows only.
 * @example const { service, channels } = await serviceOverhead(ctx, address, { window: '30d' })
 */
export function serviceOverhead(
  ctx: ServerContext,
  address: string,
  query: WindowQuery,
): Promise<ServiceOverheadShare> {
  return atOneBlock(ctx, async (snapshot, clock) => {
    const o = await costOverheadAt(snapshot, clock, query, address)
    return {
      service: o.teams.flatMap((t) => t.services).find((s) => s.address === address) ?? null,
      channels: o.channels.filter((c) => c.consumer === address || c.provider === address),
    }
  })
}

/**
 * {@link costOverhead} inside an answer's snapshot (for pages that read more at the same block).
 * With `service`, only that service's rows are read (see {@link feeRowsSql}): its entry and its
 * channels' are whole, the totals, teams and other services hold only what touches it.
 */
export async function costOverheadAt(
  ctx: ServerContext,
  clock: CostClock,
  query: WindowQuery,
  service?: string,
): Promise<CostOverhead> {
  const window = windowOf(query, clock)
  const [rows, settled, names] = await Promise.all([
    ctx.db.$queryRaw<FeeRow[]>(feeRowsSql(clock, window, service)),
    settledByChannel(ctx, clock, window),
    serviceNames(ctx),
  ])
  const parties = await ctx.db.$queryRaw<Array<{ address: string; consumer: string; provider: string }>>`
    SELECT address, consumer, provider FROM channel
    WHERE chain_id = ${clock.chainId} AND address = ANY(${[...settled.keys()]})${
      service ? Prisma.sql` AND (consumer = ${service} OR provider = ${service})` : Prisma.empty
    }`

  const totals = new Sums()
  let outside = 0n
  const services = new Map<string, Sums>()
  const teams = new Map<string, Sums>()
  const channels = new Map<string, { consumer: string; provider: string; sums: Sums; outside: bigint }>()
  const channelOf = (address: string, consumer: string, provider: string) =>
    getOr(channels, address, () => ({ consumer, provider, sums: new Sums(), outside: 0n }))
  const teamOf = (address: string) => names.get(address)?.team ?? UNLABELLED_TEAM

  for (const row of rows) {
    totals.add(row)
    const party = row.payer === row.consumer || row.payer === row.provider
    const inside = names.has(row.payer) || party
    if (row.channel && row.consumer && row.provider) {
      const c = channelOf(row.channel, row.consumer, row.provider)
      c.sums.add(row)
      if (!inside) c.outside += BigInt(row.fees)
    }
    if (!inside) {
      outside += BigInt(row.fees)
      continue
    }
    getOr(services, row.payer, () => new Sums()).add(row)
    getOr(teams, teamOf(row.payer), () => new Sums()).add(row)
  }

  // Value moved: each settled channel counts for both its parties, and once for a team that
  // holds either or both of them.
  for (const p of parties) {
    const amount = settled.get(p.address)?.amount ?? 0n
    totals.settled += amount
    channelOf(p.address, p.consumer, p.provider).sums.settled += amount
    for (const s of new Set([p.consumer, p.provider])) getOr(services, s, () => new Sums()).settled += amount
    for (const t of new Set([teamOf(p.consumer), teamOf(p.provider)]))
      getOr(teams, t, () => new Sums()).settled += amount
  }

  const order = byBigIntDesc<{ sums: Sums; key: string }>(
    (x) => x.sums.total,
    byBigIntDesc(
      (x) => x.sums.settled,
      (a, b) => a.key.localeCompare(b.key),
    ),
  )
  const sorted = <V extends { sums: Sums }>(map: Map<string, V>) =>
    [...map].map(([key, v]) => ({ key, ...v })).sort(order)
  const wrap = (m: Map<string, Sums>) => new Map([...m].map(([k, sums]) => [k, { sums }]))
  const serviceList = sorted(wrap(services)).map(({ key, sums }) => ({
    address: key,
    name: names.get(key)?.name ?? null,
    team: names.get(key)?.team ?? null,
    ...sums.view(),
  }))
  const channelList = sorted(channels)
  return {
    chainId: clock.chainId,
    window: windowView(window),
    asOf: asOfView(clock),
    totals: { ...totals.view(), outside: outside.toString() },
    teams: sorted(wrap(teams)).map(({ key, sums }) => ({
      team: key,
      ...sums.view(),
      services: serviceList.filter((s) => (s.team ?? UNLABELLED_TEAM) === key),
    })),
    channels: channelList.slice(0, 100).map((c) => ({
      address: c.key,
      consumer: c.consumer,
      provider: c.provider,
      ...c.sums.view(),
      outside: c.outside.toString(),
    })),
    channelCount: channelList.length,
  }
}
