/**
 * `npm run bench:costs`: seeds BENCH_COST_EVENTS (default 10,000,000) Redeemed events over
 * BENCH_COST_SERVICES (default 1,000) services and about BENCH_COST_CHANNELS (default 5,000)
 * channels straight into a fresh Postgres (scripts/bench/costNetwork.ts: the rollups are kept by
 * the migration's triggers, as when the indexer writes), then times
 * - the cost graph (`costGraph`, the function behind GET /api/costs/graph, in process: no HTTP)
 *   for the 24 h, 30 d and all windows; beside each, the ceiling it replaces, measured in the
 *   same run: the same per-channel sums straight from the raw events. p50/p95 and the ratio;
 *   target p95 < 200 ms.
 * - /costs in Chromium (scripts/bench/costsPage.ts): the time until the page is interactive
 *   (graph drawn, search answering) on the whole network, against a gauge measured in the same
 *   run: the same page over a 20-service network seeded beside it on a day of its own. Target
 *   < 1 s. BENCH_COST_PAGES=0 skips it.
 * Always exits 0 (a report).
 */
import path from 'node:path'
import pg from 'pg'
import { errorText } from '../lib/errorText'
import { createChainClient } from '../lib/server/chain'
import type { ServerContext } from '../lib/server/context'
import { costGraph } from '../lib/server/costs'
import { forgetClosedSums } from '../lib/server/costs/closedSums'
import { createDb } from '../lib/server/db/client'
import { migrate } from '../lib/server/db/migrate'
import { startAnvil } from '../stack/anvil'
import { costNetwork, seedCostNetwork } from './bench/costNetwork'
import { printPageTable, timeCostsPages } from './bench/costsPage'
import { freshDatabase } from './bench/database'

const EVENTS = Number(process.env.BENCH_COST_EVENTS ?? 10_000_000)
const SERVICES = Number(process.env.BENCH_COST_SERVICES ?? 1_000)
const CHANNELS = Number(process.env.BENCH_COST_CHANNELS ?? SERVICES * 5)
const DAYS = Number(process.env.BENCH_COST_DAYS ?? 90)
const SAMPLES = Number(process.env.BENCH_COST_SAMPLES ?? 40)
const PAGE_SAMPLES = Number(process.env.BENCH_COST_PAGES ?? 5)
const CHAIN_ID = 31337
const TARGET_P95_MS = 200
const TARGET_PAGE_MS = 1_000
/** The gauge's network: 20 services on 2021-01-04, a day no window of the big one reaches. */
const GAUGE = { services: 20, channels: 60, events: 2_000, from: Date.UTC(2021, 0, 4) / 1000 }

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const ms = (n: number) => `${n.toFixed(1)} ms`
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
const addressOf = (kind: number, i: number) =>
  `0x${kind.toString(16).padStart(2, '0')}${i.toString(16).padStart(38, '0')}`

async function seed(client: pg.Client, now: number) {
  const network = costNetwork({ services: SERVICES, channels: CHANNELS, prefix: 0x01 })
  await seedCostNetwork(client, network, {
    chainId: CHAIN_ID,
    events: EVENTS,
    from: now - DAYS * 86_400,
    to: now,
    onProgress: (done) => process.stdout.write(`\r  seeded ${fmt(done)} / ${fmt(EVENTS)} events`),
  })
  process.stdout.write('\n')
  const gauge = costNetwork({
    services: GAUGE.services,
    channels: GAUGE.channels,
    prefix: 0x02,
    name: 'gauge',
  })
  await seedCostNetwork(client, gauge, {
    chainId: CHAIN_ID,
    events: GAUGE.events,
    from: GAUGE.from,
    to: GAUGE.from + 86_400,
  })
  // Pending: tokens this Payment Server accepted, as provider, for a tenth of the channels.
  await client.query(
    `INSERT INTO payment_service (name, team, address, key_source, key_env, api_key_hash, api_key_prefix)
     SELECT name, team, address, 'env', 'BENCH_KEY', sha256(convert_to(address, 'UTF8')), 'psk_bench' FROM service_label`,
  )
  await client.query(
    `INSERT INTO payment_channel (chain_id, address, consumer, provider, provider_service_id, cost_per_request,
       redemption_timeout, termination_timeout)
     SELECT $1, c.address, c.consumer, c.provider, s.id, c.cost_per_request, 60, 600
     FROM channel c JOIN payment_service s ON s.address = c.provider WHERE right(c.address, 1) = '0'`,
    [CHAIN_ID],
  )
  await client.query(
    `INSERT INTO payment_accepted (chain_id, channel, token_id, highest, signature, counts)
     SELECT chain_id, address, 2, 1 + length(address) % 97, '0x', '{}' FROM payment_channel`,
  )
  await client.query(
    `INSERT INTO indexer_state (chain_id, factory_address, factory_block, cursor_number, cursor_hash, cursor_timestamp, phase)
     VALUES ($1, $2, 0, $3, '0x00', $4, 'live')`,
    [CHAIN_ID, addressOf(3, 0), EVENTS + 1, now],
  )
  await client.query('ANALYZE')
  return { services: network.services.length, channels: network.channels.length }
}

/** The ceiling: the window's per-channel sums read from the raw events, as without rollups. */
async function rawSums(client: pg.Client, from: number, to: number) {
  await client.query(
    `SELECT channel, sum((args->>'amount')::numeric), sum((args->>'requests')::numeric), count(*)
     FROM event WHERE chain_id = $1 AND name = 'Redeemed' AND block_timestamp >= $2 AND block_timestamp < $3
     GROUP BY channel`,
    [CHAIN_ID, from, to],
  )
}

async function time(fn: () => Promise<unknown>, samples: number): Promise<number[]> {
  for (let i = 0; i < 3; i++) await fn()
  const out: number[] = []
  for (let i = 0; i < samples; i++) {
    const t = performance.now()
    await fn()
    out.push(performance.now() - t)
  }
  return out.sort((a, b) => a - b)
}

/** /costs in Chromium on the seeded database: the gauge's 20 services, then the whole network. */
async function timePages(databaseUrl: string, rpcUrl: string) {
  console.log(
    `\n/costs in Chromium, ${PAGE_SAMPLES} navigations each after a warm-up (the web role's production build)`,
  )
  try {
    const result = await timeCostsPages({
      root: path.resolve(import.meta.dirname, '..'),
      databaseUrl,
      rpcUrl,
      samples: PAGE_SAMPLES,
      cases: [
        {
          label: `gauge: ${GAUGE.services} services`,
          path: '/costs?from=2021-01-04T00:00&to=2021-01-05T00:00',
          search: 'gauge-1',
        },
        { label: `${fmt(SERVICES)} services, 30 d`, path: '/costs?window=30d', search: 'svc-1' },
        { label: `${fmt(SERVICES)} services, all`, path: '/costs?window=all', search: 'svc-1' },
      ],
    })
    printPageTable(result, TARGET_PAGE_MS)
  } catch (error) {
    console.log(`  the page timing failed: ${errorText(error)}`)
  }
}

async function main() {
  console.log(`bench:costs: ${fmt(EVENTS)} Redeemed events over ${SERVICES} services and ${DAYS} days`)
  const database = await freshDatabase('costs')
  const anvil = await startAnvil({ chainId: CHAIN_ID })
  const client = new pg.Client({ connectionString: database.url })
  try {
    await migrate({ databaseUrl: database.url })
    await client.connect()
    const now = Math.floor(Date.now() / 1000)
    const seedStart = performance.now()
    const seeded = await seed(client, now)
    const seedMs = performance.now() - seedStart
    const rollups = await client.query<{ hourly: string; daily: string }>(
      'SELECT (SELECT count(*) FROM cost_hourly) AS hourly, (SELECT count(*) FROM cost_daily) AS daily',
    )
    console.log(
      `  ${seeded.services} services, ${seeded.channels} channels; seeded in ${(seedMs / 1000).toFixed(1)} s ` +
        `(${fmt((EVENTS / seedMs) * 1000)} events/s with the rollup triggers); ` +
        `rollup rows: ${fmt(Number(rollups.rows[0]?.hourly))} hourly, ${fmt(Number(rollups.rows[0]?.daily))} daily`,
    )
    console.log(`  ${database.where}; costGraph in process (no HTTP), ${SAMPLES} samples after 3 warm-ups`)

    const ctx: ServerContext = {
      db: createDb({ databaseUrl: database.url, max: 4 }),
      chain: createChainClient({ rpcUrl: anvil.url }),
      rpcUrl: anvil.url,
    }
    const rows: string[][] = []
    let edges = 0
    for (const [window, seconds] of [
      ['24h', 86_400],
      ['30d', 30 * 86_400],
      ['all', null],
    ] as const) {
      // The first read of a window sums its rollups in Postgres; later ones (the same hour's
      // buckets, their block still indexed) take them from memory: both are shown.
      forgetClosedSums()
      const coldStart = performance.now()
      const graph = await costGraph(ctx, { window })
      const cold = performance.now() - coldStart
      edges = Math.max(edges, graph.edges.length)
      const api = await time(() => costGraph(ctx, { window }), SAMPLES)
      const from = seconds === null ? 0 : now + 1 - seconds
      const raw = await time(() => rawSums(client, from, now + 1), Math.min(SAMPLES, 10))
      const p95 = percentile(api, 95)
      rows.push([
        window,
        `${fmt(Number(graph.totals.redemptions))}`,
        `${graph.nodes.length} / ${graph.edges.length}`,
        ms(cold),
        ms(percentile(api, 50)),
        ms(p95),
        ms(percentile(raw, 50)),
        `${(percentile(raw, 50) / percentile(api, 50)).toFixed(1)}×`,
        p95 < TARGET_P95_MS ? `yes (< ${TARGET_P95_MS} ms)` : `NO (≥ ${TARGET_P95_MS} ms)`,
      ])
    }
    const head = [
      'window',
      'redemptions',
      'nodes / edges',
      'first read',
      'graph p50',
      'graph p95',
      'raw sums p50',
      'speed-up',
      'p95 target met',
    ]
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`
    console.log('')
    console.log(line(head))
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
    for (const r of rows) console.log(line(r))
    console.log('')
    console.log(
      `  first read = the window's whole days and hours summed from the rollups in Postgres, as a web instance ` +
        `does once an hour per rolling window; p50/p95 = later reads, those sums kept in memory while their block ` +
        `is indexed (lib/server/costs/closedSums.ts), the rest read from the events`,
    )
    console.log(
      `  raw sums = the same per-channel sums straight from the events (the ceiling rollups replace); ` +
        `rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB; 'all' includes the gauge's ${GAUGE.services} services`,
    )
    await ctx.db.$disconnect()
    if (PAGE_SAMPLES > 0) await timePages(database.url, anvil.url)
  } finally {
    await client.end().catch(() => {})
    await anvil.stop()
    await database.drop()
  }
}

await main()
