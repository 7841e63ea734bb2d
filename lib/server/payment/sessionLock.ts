import pg from 'pg'

/**
 * Runs `fn` holding the Postgres advisory lock `name`, on a connection of its own, not one of
 * the Prisma pool's: for a lock held across slow work that itself needs the pool. Get-or-create
 * of a channel holds one until its deployment is mined while the wallet takes pool connections
 * (its nonce lock, the sent transaction's row); holding a pool connection per open let the
 * example network's 7 concurrent opens take the whole pool (4 in tests) and wait for the wallet
 * until Prisma's 30 s transaction timeout. The database releases the lock if the process dies.
 *
 * @example
 * await withSessionLock({ databaseUrl, name: `open:${chainId}:${pair}` }, () => deploy())
 */
export async function withSessionLock<T>(
  { databaseUrl, name }: { databaseUrl: string; name: string },
  fn: () => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl })
  client.on('error', () => {}) // a dropped connection drops the lock; fn's own calls fail on their own
  await client.connect()
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [name])
    return await fn()
  } finally {
    await client.end().catch(() => {})
  }
}
