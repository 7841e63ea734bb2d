import { z } from 'zod'
import { problemsOf } from '../lib/server/env'

/**
 * The indexer process's own settings (README, "Configuration"), beside lib/server/env.ts's
 * shared ones: only `npm run indexer` reads them.
 */
const indexerEnvSchema = z.object({
  /** This instance's name in the lease and /api/status (a pod's name); `<host>-<pid>-<random>` when unset. */
  INSTANCE_ID: z.preprocess((v) => (v === '' ? undefined : v), z.string().max(200).optional()),
  /**
   * Seconds the leader's lease lasts without a renewal (renewed every third of it): how long
   * a standby waits after the leader died or lost its database before it takes over.
   */
  INDEXER_LEASE_SECONDS: z.coerce.number().min(1).max(600).default(5),
  /** Port of /livez, /readyz and /metrics; 0 serves none. */
  INDEXER_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
  /** Interface of that port: 0.0.0.0 in a container, so the kubelet and Prometheus reach it. */
  INDEXER_HOST: z.string().min(1).default('127.0.0.1'),
})

export type IndexerEnv = z.infer<typeof indexerEnvSchema>

/** The indexer's settings from `env`; throws one sentence naming each bad variable. */
export function parseIndexerEnv(env: NodeJS.ProcessEnv = process.env): IndexerEnv {
  const parsed = indexerEnvSchema.safeParse(env)
  if (parsed.success) return parsed.data
  const problems = problemsOf(parsed.error)
  throw new Error(`Invalid indexer configuration: ${problems.join('; ')}`)
}
