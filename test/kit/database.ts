import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'
import { createDb, type Db } from '../../lib/server/db/client'
import { migrate } from '../../lib/server/db/migrate'

function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/**
 * A fresh, empty database of its own on the run's Postgres (migrated unless `migrated: false`),
 * with a Prisma client; `drop()` removes it.
 */
export async function createTestDatabase({ migrated = true }: { migrated?: boolean } = {}) {
  const name = `t_${randomBytes(6).toString('hex')}`
  await admin((c) => c.query(`CREATE DATABASE "${name}"`))
  const url = withDatabase(inject('adminDatabaseUrl'), name)
  if (migrated) await migrate({ databaseUrl: url })
  const db: Db = createDb({ databaseUrl: url, max: 4 })
  return {
    name,
    url,
    db,
    async drop() {
      await db.$disconnect()
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
    },
  }
}

export type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>
