import { z } from 'zod'

/**
 * The dashboard's own state as GET /api/health, /api/readyz and /api/status answer it: bodies as zod
 * schemas, giving the header's badges their types and the OpenAPI document. Client-safe.
 */

const componentHealthSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  error: z.string().optional().meta({ description: 'Why it did not answer' }),
})
export type ComponentHealth = z.infer<typeof componentHealthSchema>

/**
 * One process `npm start` keeps running (indexer, web server, anvil, embedded Postgres), as it
 * writes it to its status file: restarted with backoff when it exits on its own.
 */
export const stackChildSchema = z.object({
  name: z.string().meta({ description: 'indexer, web, anvil or postgres' }),
  state: z.enum(['running', 'restarting', 'failing', 'stopped']).meta({
    description:
      '`restarting`: it exited and is started again after a backoff; `failing`: it exited 5 times within a minute (still restarted, at most every 30 s)',
  }),
  restarts: z.number().int().meta({ description: 'Restarts since `npm start` began' }),
  lastExit: z
    .object({ code: z.number().int().nullable(), signal: z.string().nullable(), at: z.string() })
    .nullable()
    .meta({ description: 'Its last exit of its own: exit code or signal, and when (ISO-8601)' }),
  upSince: z.string().nullable().meta({ description: 'When its current process started (null while down)' }),
})
export type StackChild = z.infer<typeof stackChildSchema>

/** What GET /api/health answers (200 when database and chain answer, else 503). */
export const healthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    time: z.string().meta({ description: 'ISO-8601, UTC' }),
    database: componentHealthSchema,
    chain: componentHealthSchema.extend({
      chainId: z.number().optional(),
      headBlock: z.string().optional(),
      headTimestamp: z.string().optional(),
    }),
    factory: z.object({ address: z.string(), deploymentBlock: z.string() }).nullable(),
    paymentStaleState: z.object({ since: z.string(), channels: z.number() }).nullable().meta({
      description:
        "Set while this process's Payment Server answers from channels' last known state because the node does not answer (PAYMENT_STALE_STATE_SECONDS): since when, and how many channels; /api/payment/health lists them",
    }),
    stack: z
      .object({
        pid: z.number().int(),
        phase: z.enum(['starting', 'running', 'stopping']),
        children: z.array(stackChildSchema),
      })
      .nullable()
      .meta({
        description:
          'Under `npm start`: its processes, each with its restarts, last exit and up time; null for a web server run alone (`npm run start:web`)',
      }),
  })
  .meta({ id: 'Health' })
export type Health = z.infer<typeof healthSchema>

const phaseSchema = z.enum(['backfill', 'live', 'stopped', 'not started'])
export type IndexerPhase = z.infer<typeof phaseSchema>

/**
 * What GET /api/status answers. Block numbers and counts are decimal strings (uint256-safe);
 * lags are numbers; times are ISO-8601 UTC.
 */
export const indexerStatusSchema = z
  .object({
    chainId: z.number().nullable(),
    chainHead: z
      .object({ number: z.string(), time: z.string() })
      .nullable()
      .meta({ description: "The node's head, read now (null when the node does not answer)" }),
    indexedHead: z
      .object({ number: z.string(), hash: z.string(), time: z.string().nullable() })
      .nullable()
      .meta({ description: 'The last block whose data is fully indexed' }),
    lag: z.object({ blocks: z.string(), seconds: z.number() }).nullable(),
    phase: phaseSchema,
    eventsIndexed: z.string(),
    channels: z.string(),
    reorgs: z.number(),
    resets: z.number(),
    lastError: z.object({ message: z.string(), at: z.string() }).nullable(),
    updatedAt: z.string().nullable().meta({ description: 'Last write or heartbeat of the indexer process' }),
    factory: z.object({ address: z.string(), block: z.string() }).nullable(),
    chainError: z.string().optional().meta({
      description: 'Set when the node does not answer (the rest then comes from the database only)',
    }),
    leader: z
      .object({
        instance: z.string().meta({ description: 'Its INSTANCE_ID, or <host>-<pid>-<random>' }),
        host: z.string().nullable(),
        pid: z.number().nullable(),
        epoch: z.string().meta({ description: 'Fencing token of the lease: one more on every takeover' }),
        since: z.string().meta({ description: 'When it took the lease over (ISO-8601, UTC)' }),
        heartbeatAgeSeconds: z.number().meta({ description: 'Seconds since it last renewed the lease' }),
      })
      .nullable()
      .meta({
        description:
          'The indexer instance that holds the lease and indexes (one per database); null while none does (none started, or the last one stopped or its lease expired)',
      }),
    standbys: z.number().meta({ description: 'Indexer instances standing by to take over' }),
  })
  .meta({ id: 'IndexerStatus' })
export type IndexerStatus = z.infer<typeof indexerStatusSchema>

const readinessPartSchema = z.object({
  name: z.string().meta({
    description:
      'What the product uses or starts: database, migrations, chain node, indexer, example network, stack',
  }),
  ready: z.boolean(),
  state: z.string().meta({ description: 'Its state in words, e.g. "backfilling, block 120 of 400"' }),
})
export type ReadinessPart = z.infer<typeof readinessPartSchema>

/** What GET /api/livez answers: always 200 while the process answers. */
export const livenessSchema = z.object({ live: z.literal(true) }).meta({ id: 'Liveness' })

/** What GET /api/readyz answers (200 when `ready`, else 503). */
export const readinessSchema = z
  .object({
    ready: z
      .boolean()
      .meta({ description: 'This process can do its work (the database answers and is migrated)' }),
    degraded: z.boolean().meta({
      description: 'Ready, but something it uses for part of its work is down (the chain node, the indexer)',
    }),
    reasons: z.array(z.string()).meta({
      description:
        'What is not ready or degraded, one sentence each ("database is 2 migrations behind; run npm run migrate")',
    }),
    parts: z.array(readinessPartSchema),
  })
  .meta({ id: 'Readiness' })
export type Readiness = z.infer<typeof readinessSchema>
