import type pg from 'pg'

/**
 * A synthetic microservice network and its seeding straight into the database (the rollups are
 * kept by the migration's triggers, as when the indexer writes): `npm run bench:costs` seeds
 * it at the issue's size, e2e/costsGraph.spec.ts a small one into the stack under test.
 */

export type CostNetworkOptions = {
  services: number
  /** Channels to aim for; each service calls about channels ÷ services others. */
  channels: number
  /** First byte of every address, so that several networks (or the e2e stack's own) never meet. */
  prefix: number
  /** Services per team. */
  teamSize?: number
  /** Name prefix of the services and teams (`svc-12`, `team-1`). */
  name?: string
}

export type NetworkService = { address: string; name: string; team: string; layer: number }
export type NetworkChannel = { address: string; consumer: string; provider: string; price: bigint }

const addressOf = (prefix: number, kind: number, i: number) =>
  `0x${prefix.toString(16).padStart(2, '0')}${kind.toString(16).padStart(2, '0')}${i.toString(16).padStart(36, '0')}`

const LAYERS = 8

/**
 * Services in 8 layers (a microservice call graph: each calls services of later layers), teams
 * of `teamSize`, one channel per pair, plus a few cycles back to earlier layers. Deterministic.
 */
export function costNetwork({
  services: count,
  channels: target,
  prefix,
  teamSize = 10,
  name = 'svc',
}: CostNetworkOptions) {
  const services: NetworkService[] = Array.from({ length: count }, (_, i) => ({
    address: addressOf(prefix, 1, i),
    name: `${name}-${i}`,
    team: `team-${name === 'svc' ? '' : `${name}-`}${Math.floor(i / teamSize)}`,
    layer: Math.floor((i * LAYERS) / count),
  }))
  const channels: NetworkChannel[] = []
  let seed = 7
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed / 2 ** 31
  }
  // The last layer calls nobody, so the others call a seventh more than the mean.
  const mean = (target / Math.max(1, count)) * (LAYERS / (LAYERS - 1))
  const firstOfLayer = (layer: number) => Math.ceil((layer * count) / LAYERS)
  for (const s of services) {
    const later = count - firstOfLayer(s.layer + 1)
    const calls = later <= 0 ? 0 : Math.min(later, Math.max(1, Math.round(mean * (0.5 + random()))))
    const picked = new Set<number>()
    for (let k = 0; k < calls * 3 && picked.size < calls; k++)
      picked.add(firstOfLayer(s.layer + 1) + Math.floor(random() * later))
    if (random() < 0.05 && s.layer > 0) picked.add(Math.floor(random() * firstOfLayer(s.layer))) // a cycle back
    for (const p of picked) {
      const provider = services[p] as NetworkService
      if (provider.address === s.address) continue
      channels.push({
        address: addressOf(prefix, 2, channels.length),
        consumer: s.address,
        provider: provider.address,
        price: BigInt(1 + Math.floor(random() * 100)) * 1_000_000_000n,
      })
    }
  }
  return { services, channels }
}

export type SeedOptions = {
  chainId: number
  /** Redeemed events to write, spread evenly over [from, to) (unix seconds). */
  events: number
  from: number
  to: number
  /** Rows per INSERT. */
  batch?: number
  onProgress?: (done: number) => void
}

/**
 * Writes the network's labels, channels and `events` Redeemed events (channel i gets a share
 * that falls with i: busy pairs and quiet ones). Event blocks are numbered from 1, below any
 * head, with hashes made from the channel prefix so they never clash with real ones.
 */
export async function seedCostNetwork(
  client: pg.Client,
  network: ReturnType<typeof costNetwork>,
  { chainId, events, from, to, batch = 100_000, onProgress }: SeedOptions,
) {
  const { services, channels } = network
  const tag = services[0]?.address.slice(2, 4) ?? '00'
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
      chainId,
      from,
      channels.map((c) => c.address),
      channels.map((c) => c.consumer),
      channels.map((c) => c.provider),
      channels.map((c) => c.price.toString()),
    ],
  )
  const step = (to - from) / Math.max(1, events)
  for (let first = 0; first < events; first += batch) {
    const last = Math.min(events, first + batch) - 1
    await client.query(
      `INSERT INTO event (chain_id, block_hash, log_index, block_number, block_timestamp, tx_hash, tx_index,
         address, channel, name, args, topics, data)
       SELECT $1, '0x' || $9 || lpad(to_hex(g), 62, '0'), 0, 1, $2::bigint + floor(g * $3::float8)::bigint,
              '0x' || $9 || lpad(to_hex(g), 62, '0'), 0, c.address, c.address, 'Redeemed',
              jsonb_build_object('tokenId', '1', 'requests', r::text, 'amount', (r * c.price)::text,
                                 'consumerFunds', '0', 'providerFunds', '0'),
              '{}', '0x'
       FROM generate_series($4::bigint, $5::bigint) AS g,
            LATERAL (SELECT 1 + (g * 31) % 500 AS r,
                            1 + floor((((g * 7919) % 10007) / 10007.0) ^ 2 * $6)::int AS k) AS rr,
            LATERAL (SELECT ($7::text[])[k] AS address, ($8::numeric[])[k] AS price) AS c`,
      [
        chainId,
        from,
        step,
        first,
        last,
        channels.length,
        channels.map((c) => c.address),
        channels.map((c) => c.price.toString()),
        tag,
      ],
    )
    onProgress?.(last + 1)
  }
}

/** Removes what {@link seedCostNetwork} wrote (events, channels, labels), so a shared database is as before. */
export async function unseedCostNetwork(
  client: pg.Client,
  network: ReturnType<typeof costNetwork>,
  chainId: number,
) {
  const channels = network.channels.map((c) => c.address)
  await client.query('DELETE FROM event WHERE chain_id = $1 AND channel = ANY($2::text[])', [
    chainId,
    channels,
  ])
  await client.query('DELETE FROM channel WHERE chain_id = $1 AND address = ANY($2::text[])', [
    chainId,
    channels,
  ])
  await client.query('DELETE FROM service_label WHERE address = ANY($1::text[])', [
    network.services.map((s) => s.address),
  ])
}
