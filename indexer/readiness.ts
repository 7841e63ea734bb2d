import { errorText } from '../lib/errorText'
import type { Db } from '../lib/server/db/client'
import { MIGRATIONS_DIR } from '../lib/server/db/migrate'
import { behindReason, migrationStatus } from '../lib/server/db/migrationStatus'
import type { ProbeReadiness } from '../lib/server/system/probeServer'

/**
 * The indexer's `/readyz`: ready when the database answers and holds every migration of this
 * build, leader or standby alike (a standby is ready to take over; the lease, not the probe,
 * decides who indexes, so a Deployment's rollout does not wait on an election).
 */
export function indexerReadiness({ db, migrationsDir = MIGRATIONS_DIR }: { db: Db; migrationsDir?: string }) {
  return async (): Promise<ProbeReadiness> => {
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
