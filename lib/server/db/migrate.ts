import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

export const MIGRATIONS_DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../prisma/migrations',
)

/** Arbitrary constant: the advisory lock key that serialises migrators on one database. */
const LOCK_KEY = 0x636861_6e6e6c

export type Migration = { name: string; sql: string; checksum: string }

export type MigrateResult = { applied: string[]; alreadyApplied: string[] }

/** Reads `prisma/migrations/<name>/migration.sql`, ordered by name. */
export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
  entries.sort()
  return Promise.all(
    entries.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8')
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') }
    }),
  )
}

/**
 * Applies pending SQL migrations, each in its own transaction, under an advisory lock so that
 * several processes starting at once migrate exactly once. Refuses to run when an applied
 * migration's file was edited afterwards (its checksum changed) or is missing.
 */
export async function migrate({
  databaseUrl,
  dir = MIGRATIONS_DIR,
  log = () => {},
}: {
  databaseUrl: string
  dir?: string
  log?: (line: string) => void
}): Promise<MigrateResult> {
  const migrations = await readMigrations(dir)
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY])
    await client.query(`CREATE TABLE IF NOT EXISTS "_migrations" (
      "name" TEXT PRIMARY KEY,
      "checksum" TEXT NOT NULL,
      "applied_at" TIMESTAMPTZ NOT NULL DEFAULT now()
    )`)
    const { rows } = await client.query<{ name: string; checksum: string }>(
      'SELECT name, checksum FROM "_migrations"',
    )
    const applied = new Map(rows.map((r) => [r.name, r.checksum]))
    const known = new Set(migrations.map((m) => m.name))
    for (const name of applied.keys()) {
      if (!known.has(name))
        throw new Error(`Migration ${name} was applied to this database but its file is missing.`)
    }
    const result: MigrateResult = { applied: [], alreadyApplied: [] }
    for (const m of migrations) {
      const checksum = applied.get(m.name)
      if (checksum !== undefined) {
        if (checksum !== m.checksum) {
          throw new Error(
            `Migration ${m.name} changed after it was applied; add a new migration instead of editing it.`,
          )
        }
        result.alreadyApplied.push(m.name)
        continue
      }
      await client.query('BEGIN')
      try {
        await client.query(m.sql)
        await client.query('INSERT INTO "_migrations" (name, checksum) VALUES ($1, $2)', [m.name, m.checksum])
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK')
        throw new Error(`Migration ${m.name} failed: ${(error as Error).message}`, { cause: error })
      }
      log(`applied migration ${m.name}`)
      result.applied.push(m.name)
    }
    return result
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {})
    await client.end()
  }
}
