import pg from 'pg'
import { DependencyError } from '../../errors'

/** One named statement: prepared once per connection, then only bound and executed. */
export type Statement = { name: string; text: string }

/** Runs a statement with its values; the rows as node-postgres parses them (numeric and int8 as strings). */
export type Query = <R>(statement: Statement, values: unknown[]) => Promise<R[]>

export type HotSql = {
  query: Query
  /** Runs `fn` in one transaction on one connection (committed, or rolled back when it throws). */
  transaction<T>(fn: (query: Query) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/**
 * The Payment Server's own small node-postgres pool for the statements of every token (issue
 * and verify). They run as named prepared statements, so Postgres parses and plans each once
 * per connection; through Prisma the same statements cost about twice as long per call (one
 * parse, plan and query-interpreter pass each time). Everything else goes through Prisma.
 */
export function createHotSql({ databaseUrl, max = 4 }: { databaseUrl: string; max?: number }): HotSql {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, idleTimeoutMillis: 60_000 })
  // An idle connection that the server drops must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  const on =
    (client: pg.Pool | pg.PoolClient): Query =>
    async <R>({ name, text }: Statement, values: unknown[]) => {
      try {
        return (await client.query({ name, text, values })).rows as R[]
      } catch (error) {
        throw unavailable(error)
      }
    }
  return {
    query: on(pool),
    async transaction(fn) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await fn(on(client))
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        throw error
      } finally {
        client.release()
      }
    },
    close: () => pool.end(),
  }
}

/** A failure to reach Postgres (no SQLSTATE) as a retryable 503; Postgres's own errors as they are. */
function unavailable(error: unknown): unknown {
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return error
  return new DependencyError({
    code: 'database_unavailable',
    message: 'The database did not answer; try again.',
    cause: error,
  })
}
