/**
 * `npm run migrate` (alias `npm run db:migrate`): the migrate role. Applies the pending
 * migrations to DATABASE_URL and exits 0 (also when there is nothing to do); a failure exits
 * non-zero with one sentence. Run it once before an upgrade's new web, indexer and runner
 * processes start (a Kubernetes Job, a compose service that the others wait for); `npm start`
 * migrates its own database at every start. Several at once are safe: migrations are applied
 * under an advisory lock, one transaction each (lib/server/db/migrate.ts).
 */
import { errorText } from '../../lib/errorText'
import { migrate } from '../../lib/server/db/migrate'
import { StartError } from '../preflight'
import { roleEnv, runRole } from './role'

runRole('migrate', async (log) => {
  const env = roleEnv('npm run migrate', ['DATABASE_URL'])
  try {
    const result = await migrate({ databaseUrl: env.DATABASE_URL, log: (line) => log.info(line) })
    log.info(`${result.applied.length} applied now, ${result.alreadyApplied.length} already applied`)
  } catch (error) {
    throw new StartError(
      `The migration failed (${errorText(error)}); fix the cause and run npm run migrate again (a migration that fails is rolled back whole).`,
    )
  }
})
