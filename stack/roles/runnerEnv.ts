import { z } from 'zod'
import { problemsOf } from '../../lib/server/env'
import { SettingError } from './role'

/**
 * The runner role's own settings (README, "Configuration"), beside lib/server/env.ts's shared
 * ones: only `npm run start:runner` reads them.
 */
export const runnerEnvSchema = z.object({
  /** Port of /livez, /readyz and /metrics; 0 serves none. */
  RUNNER_PORT: z.coerce.number().int().min(0).max(65_535).default(9465),
  /** Interface of that port: 0.0.0.0 in a container, so the kubelet and Prometheus reach it. */
  RUNNER_HOST: z.string().min(1).default('127.0.0.1'),
})

export type RunnerEnv = z.infer<typeof runnerEnvSchema>

/** The runner role's settings from `env`, or a {@link SettingError} naming each bad variable. */
export function parseRunnerEnv(env: NodeJS.ProcessEnv = process.env): RunnerEnv {
  const parsed = runnerEnvSchema.safeParse(env)
  if (parsed.success) return parsed.data
  const problems = problemsOf(parsed.error)
  throw new SettingError(
    `Invalid runner configuration: ${problems.join('; ')}; fix it (README, "Configuration").`,
  )
}
