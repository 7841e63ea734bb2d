/**
 * What the role entry points share (stack/roles/*.ts; the indexer's is indexer/main.ts): the
 * environment they need, read once, and their failure as one sentence and an exit code, as
 * `npm start` says its own.
 */
import { errorText } from '../../lib/errorText'
import { type Env, envSchema, parseEnv } from '../../lib/server/env'
import { createLogger, type Logger } from '../../lib/server/log'
import { StartError } from '../preflight'

/** A setting the role cannot run with: exit code 2, as a bad variable of `npm start`. */
export class SettingError extends StartError {
  readonly exitCode = 2
}

/** The one sentence of parseEnv()'s error, which lists every bad variable on a line of its own. */
export function envErrorSentence(error: unknown): string {
  const [head, ...bad] = (error as Error).message.split('\n').map((line) => line.trim())
  return `${head} ${bad.join('; ')}; fix ${bad.length > 1 ? 'them' : 'it'} (README, "Configuration").`
}

/** The roles that serve from a given database and node. */
type Needed = 'DATABASE_URL' | 'RPC_URL'

/**
 * The validated environment of a role, with `needs` set (a role alone starts no Postgres and
 * no anvil), or a {@link SettingError} naming its `command` and what is missing.
 * @example const env = roleEnv('npm run start:runner', ['DATABASE_URL', 'RPC_URL'])
 */
export function roleEnv<K extends Needed>(command: string, needs: K[]): Env & { [P in K]: string } {
  let env: Env
  try {
    env = parseEnv()
  } catch (error) {
    throw new SettingError(envErrorSentence(error))
  }
  const missing = needs.filter((name) => !env[name])
  if (missing.length > 0) {
    throw new SettingError(
      `${command} needs ${missing.join(' and ')}: a role run alone starts no database and no chain (npm start does); set ${missing.length > 1 ? 'them' : 'it'} (README, "Roles").`,
    )
  }
  return env as Env & { [P in K]: string }
}

/**
 * Runs a role's `main` with a logger named after it; a failure is logged as one sentence (a
 * {@link StartError}'s message as it is, anything else cut to its cause, URLs redacted) and
 * exits 2 for a setting, 1 otherwise.
 */
export function runRole(role: string, main: (log: Logger) => Promise<void>): void {
  // A wrong LOG_LEVEL counts as unset here; roleEnv() refuses it with the other variables.
  const level = envSchema.shape.LOG_LEVEL.safeParse(process.env.LOG_LEVEL).data ?? 'info'
  const log = createLogger({ level, component: role })
  main(log).catch((error: unknown) => {
    log.error(error instanceof StartError ? error.message : `the ${role} role stopped: ${errorText(error)}`)
    process.exit(error instanceof SettingError ? error.exitCode : 1)
  })
}
