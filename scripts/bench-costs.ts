/**
 * `npm run bench:costs`: seeds BENCH_COST_EVENTS (default 1,000,000) Redeemed events over
 * BENCH_COST_SERVICES (default 200) services straight into a fresh Postgres (the rollups are
 * kept by the migration's triggers, as when the indexer writes), then times the cost graph
 * (`costGraph`, the function behind GET /api/costs/graph, in process: no HTTP) for the 24 h,
 * 30 d and all windows. Beside each, the ceiling it replaces, measured in the same run: the same
 * per-channel sums straight from the raw events. Prints p50/p95 and the ratio; target p95 < 200 ms.
 * Always exits 0 (a report).
 */
import pg from 'pg'
import { createChainClient } from '../lib/server/chain'
import type { ServerContext } from '../lib/server/context'
import { costGraph } from '../lib/server/costs'
import { createDb } from '../lib/server/db/client'
import { migrate } from '../lib/server/db/migrate'
import { startAnvil } from '../stack/anvil'
import { freshDatabase } from './bench/database'

const EVENTS = Number(process.env.BENCH_COST_EVENTS ?? 1_000_000)
const SERVICES = Number(process.env.BENCH_COST_SERVICES ?? 200)
const DAYS = Number(process.env.BENCH_COST_DAYS ?? 90)
const SAMPLES = Number(process.env.BENCH_COST_SAMPLES ?? 40)
const BATCH = 100_000
const CHAIN_ID = 31337
const TARGET_P95_MS = 200

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const ms = (n: number) => `${n.toFixed(1)} ms`
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
const addressOf = (kind: number, i: number) =>
  `0x${kind.toString(16).padStart(2, '0')}${i.toString(16).padStart(38, '0')}`

/**
 * 200 services in 8 layers (a microservice call graph: each calls 2 to 6 services of later
 * layers), teams of 10, one channel per pair, plus a few cycles back to earlier layers.
 */
function network() {
  const services = Array.from({ length: SERVICES }, (_, i) => ({
    address: addressOf(1, i),
    name: `svc-${i}`,
    team: `team-${Math.floor(i / 10)}`,
    layer: Math.floor((i * 8) / SERVICES),
  }))
  const channels: Array<{ address: string; consumer: string; provider: string; price: bigint }> = []
  let seed = 7
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed / 2 ** 31
  }
  for (const s of services) {
    const later = services.filter((t) => t.layer > s.layer)
    const calls = later.length === 0 ? 0 : 2 + Math.floor(random() * 5)
    const picked = new Set<number>()
    for (let k = 0; k < calls; k++) picked.add(Math.floor(random() * later.length))
    if (random() < 0.05 && s.layer > 0) picked.add(-1 - Math.floor(random() * 10)) // a cycle back
    for (const p of picked) {
      const provider =
        p >= 0 ? (later[p] as (typeof later)[number]) : (services[-1 - p] as (typeof services)[number])
      if (provider.address === s.address) continue
      channels.push({
        address: addressOf(2, channels.length),
        consumer: s.address,
        provider: provider.address,
        price: BigInt(1 + Math.floor(random() * 100)) * 1_000_000_000n,
      })
    }
  }
  return { services, channels }
}

async function seed(client: pg.Client, now: number) {
  const { services, channels } = network()
  await client.query(
    `INSERT INTO service_label (address, name, team, source)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
    [
      services.map((s) => s.address),
      services.map((s) => s.name),
      services.map((s) => s.team),
      services.map(() => 'edit'),
    ],
  )
  await client.query(
    `INSERT INTO channel (chain_id, address, consumer, provider, cost_per_request, redemption_timeout,
       termination_timeout, opened_block, opened_tx, opened_at, consumer_funds, provider_funds,
       active_token_id, expiring_token_id, redeemable_at, last_token_id, terminates_at, terminated,
       total_deposited, total_redeemed, total_requests, total_withdrawn, redemptions, event_count, last_event_block)
     SELECT $1, a, c, p, price, 60, 600, 1, '0x00', $2, 10^18, 0, 2, 0, 0, 2, 0, false, 10^18, 0, 0, 0, 0, 0, 1
     FROM unnest($3::text[], $4::text[], $5::text[], $6::numeric[]) AS t(a, c, p, price)`,
    [
      CHAIN_ID,
      now - DAYS * 86_400,
      channels.map((c) => c.address),
      channels.map((c) => c.consumer),
      channels.map((c) => c.provider),
      channels.map((c) => c.price.toString()),
    ],
  )
  await client.query(
    `CREATE TEMP TABLE bench_channel AS
     SELECT (row_number() OVER (ORDER BY address)) - 1 AS idx, address, cost_per_request AS price FROM channel`,
  )
  // Events spread evenly over DAYS up to now; channel i gets a share that falls with i (busy pairs and quiet ones).
  const step = (DAYS * 86_400) / EVENTS
  for (let from = 0; from < EVENTS; from += BATCH) {
    const to = Math.min(EVENTS, from + BATCH) - 1
    await client.query(
      `INSERT INTO event (chain_id, block_hash, log_index, block_number, block_timestamp, tx_hash, tx_index,
         address, channel, name, args, topics, data)
       SELECT $1, '0x' || lpad(to_hex(g), 64, '0'), 0, g + 1, $2::bigint + floor(g * $3::float8)::bigint,
              '0x' || lpad(to_hex(g), 64, '0'), 0, c.address, c.address, 'Redeemed',
              jsonb_build_object('tokenId', '1', 'requests', r::text, 'amount', (r * c.price)::text,
                                 'consumerFunds', '0', 'providerFunds', '0'),
              '{}', '0x'
       FROM generate_series($4::bigint, $5::bigint) AS g,
            LATERAL (SELECT 1 + (g * 31) % 500 AS r) AS rr,
            LATERAL (SELECT address, price FROM bench_channel
                     WHERE idx = floor((((g * 7919) % 10007) / 10007.0) ^ 2 * $6)::bigint) AS c`,
      [CHAIN_ID, now - DAYS * 86_400, step, from, to, channels.length],
    )
    process.stdout.write(`\r  seeded ${fmt(to + 1)} / ${fmt(EVENTS)} events`)
  }
  process.stdout.write('\n')
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
  return { services: services.length, channels: channels.length }
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
      const graph = await costGraph(ctx, { window })
      edges = Math.max(edges, graph.edges.length)
      const api = await time(() => costGraph(ctx, { window }), SAMPLES)
      const from = seconds === null ? 0 : now + 1 - seconds
      const raw = await time(() => rawSums(client, from, now + 1), Math.min(SAMPLES, 10))
      const p95 = percentile(api, 95)
      rows.push([
        window,
        `${fmt(Number(graph.totals.redemptions))}`,
        `${graph.nodes.length} / ${graph.edges.length}`,
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
      `  raw sums = the same per-channel sums straight from the events (the ceiling rollups replace); ` +
        `rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
    )
    await ctx.db.$disconnect()
  } finally {
    await client.end().catch(() => {})
    await anvil.stop()
    await database.drop()
  }
}

await main()
