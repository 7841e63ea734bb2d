import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import pg from 'pg'
import { freePort } from '../../stack/ports'
import { startEmbeddedPostgres } from '../../stack/postgres'

/** A fresh database: in DATABASE_URL's server when set, else in an embedded cluster of its own. */
export async function freshDatabase(
  label: string,
): Promise<{ url: string; where: string; drop(): Promise<void> }> {
  const admin = process.env.DATABASE_URL
  if (admin) {
    const name = `bench_${randomBytes(5).toString('hex')}`
    const run = async (sql: string) => {
      const client = new pg.Client({ connectionString: admin })
      await client.connect()
      await client.query(sql).finally(() => client.end())
    }
    await run(`CREATE DATABASE "${name}"`)
    const url = new URL(admin)
    url.pathname = `/${name}`
    return {
      url: url.toString(),
      where: `database ${name} on DATABASE_URL's server`,
      drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    }
  }
  const dir = path.resolve(import.meta.dirname, `../../.data/bench-${label}-${process.pid}`)
  const server = await startEmbeddedPostgres({ dir, port: await freePort(), database: 'bench' })
  return {
    url: server.url,
    where: 'embedded Postgres (fsync on)',
    drop: async () => {
      await server.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
