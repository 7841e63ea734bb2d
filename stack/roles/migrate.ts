/**
 * `npm run db:migrate`: applies pending migrations to DATABASE_URL (production deploys; `npm
 * start` does this by itself).
 */
import { migrate } from '../lib/server/db/migrate'
import { parseEnv } from '../lib/server/env'

const { DATABASE_URL } = parseEnv()
if (!DATABASE_URL) {
  console.error(
    'DATABASE_URL is not set: nothing to migrate (npm start migrates its embedded Postgres itself).',
  )
  process.exit(2)
}
try {
  const result = await migrate({ databaseUrl: DATABASE_URL, log: (line) => console.log(line) })
  console.log(`${result.applied.length} applied now, ${result.alreadyApplied.length} already applied`)
} catch (error) {
  console.error(`Migration failed: ${(error as Error).message}`)
  process.exit(1)
}
