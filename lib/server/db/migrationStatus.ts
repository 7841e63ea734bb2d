import { errorText } from '../../errorText'
import type { Db } from './client'
import { MIGRATIONS_DIR, readMigrations } from './migrate'

/** The command that applies pending migrations (README, "Configuration"). */
const MIGRATE_COMMAND = 'npm run migrate'

/** The names of this build's migrations, read once per directory (a build's do not change). */
const buildMigrations = new Map<string, Promise<string[]>>()
function migrationsOf(dir: string): Promise<string[]> {
  let names = buildMigrations.get(dir)
  if (!names) {
    names = readMigrations(dir).then((ms) => ms.map((m) => m.name))
    names.catch(() => buildMigrations.delete(dir))
    buildMigrations.set(dir, names)
  }
  return names
}

export type MigrationStatus = {
  /** How many migrations this build has. */
  total: number
  /** Those the database has not applied, in order (none: it is up to date). */
  missing: string[]
}

/**
 * Which migrations of this build (`dir`) the database has not applied: what a readiness probe
 * asks, as a database behind the build meets this build's queries with missing tables and
 * columns. Ones applied that this build lacks (an older build during a rolling upgrade) do not
 * count: migrations only add. Throws when the database does not answer.
 * @example (await migrationStatus({ db })).missing // ['0007_indexer_lease']
 */
export async function migrationStatus({
  db,
  dir = MIGRATIONS_DIR,
}: {
  db: Db
  dir?: string
}): Promise<MigrationStatus> {
  const [wanted, rows] = await Promise.all([
    migrationsOf(dir),
    db.$queryRaw<{ name: string }[]>`SELECT name FROM "_migrations"`.catch((error: { message?: string }) => {
      // Before the first migration there is no table to read: nothing is applied.
      if (/relation "_migrations" does not exist/.test(String(error?.message))) return []
      throw error
    }),
  ])
  const applied = new Set(rows.map((r) => r.name))
  return { total: wanted.length, missing: wanted.filter((m) => !applied.has(m)) }
}

/** The reason a probe gives for a database behind: "database is 2 migrations behind; run npm run migrate". */
export function behindReason({ missing }: Pick<MigrationStatus, 'missing'>): string {
  const n = missing.length
  return `database is ${n} migration${n === 1 ? '' : 's'} behind; run ${MIGRATE_COMMAND}`
}

/**
 * The `/readyz` of the indexer and runner roles: ready when the database answers and holds
 * every migration of this build, leader or standby alike (a standby is ready to take over; the
 * lease or lock, not the probe, decides who works, so a rollout does not wait on an election).
 */
export function migratedReadiness({
  db,
  migrationsDir = MIGRATIONS_DIR,
}: {
  db: Db
  migrationsDir?: string
}) {
  return async (): Promise<{ ready: boolean; reasons: string[] }> => {
    try {
      const status = await migrationStatus({ db, dir: migrationsDir })
      return status.missing.length === 0
        ? { ready: true, reasons: [] }
        : { ready: false, reasons: [behindReason(status)] }
    } catch (error) {
      return {
        ready: false,
        reasons: [`database does not answer (${errorText(error, { short: true, maxLength: 300 })})`],
      }
    }
  }
}
