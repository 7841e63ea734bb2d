import { errorText } from '../lib/errorText'
import type { Db } from '../lib/server/db/client'
import { MIGRATIONS_DIR, readMigrations } from '../lib/server/db/migrate'
import type { ProbeReadiness } from '../lib/server/system/probeServer'

/**
 * The indexer's `/readyz`: ready when the database answers and holds every migration of this
 * build, leader or standby alike (a standby is ready to take over; the lease, not the probe,
 * decides who indexes, so a Deployment's rollout does not wait on an election).
 */
export function indexerReadiness({ db, migrationsDir = MIGRATIONS_DIR }: { db: Db; migrationsDir?: string }) {
  // A build's migrations do not change while it runs: read them once.
  let wanted: Promise<string[]> | undefined
  return async (): Promise<ProbeReadiness> => {
    wanted ??= readMigrations(migrationsDir).then((ms) => ms.map((m) => m.name))
    let applied: Set<string>
    try {
      const rows = await db.$queryRawUnsafe<{ name: string }[]>(`SELECT "name" FROM "_migrations"`)
      applied = new Set(rows.map((r) => r.name))
    } catch (error) {
      const message = errorText(error, { short: true, maxLength: 300 })
      if (/relation "_migrations" does not exist/.test(message))
        return { ready: false, reasons: ['the database is not migrated; run npm run db:migrate'] }
      return { ready: false, reasons: [`the database does not answer: ${message}`] }
    }
    const missing = (await wanted).filter((name) => !applied.has(name))
    if (missing.length === 0) return { ready: true, reasons: [] }
    return {
      ready: false,
      reasons: [
        `the database lacks migration${missing.length === 1 ? '' : 's'} ${missing.join(', ')}; run npm run db:migrate`,
      ],
    }
  }
}
