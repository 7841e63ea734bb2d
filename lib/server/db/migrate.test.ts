import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { MIGRATIONS_DIR, migrate, readMigrations } from './migrate'

const dbs: TestDatabase[] = []
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((d) => d.drop()))
})

async function fresh() {
  const d = await createTestDatabase({ migrated: false })
  dbs.push(d)
  return d
}

async function tables(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const { rows } = await client.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  )
  await client.end()
  return rows.map((r) => r.table_name)
}

async function copyMigrations(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'migrations-'))
  await cp(MIGRATIONS_DIR, dir, { recursive: true })
  return dir
}

describe('migrate()', () => {
  it('migrate() applies every migration to an empty database, then nothing on a second run', async () => {
    const d = await fresh()
    const names = (await readMigrations()).map((m) => m.name)
    expect(names.length).toBeGreaterThan(0)
    const first = await migrate({ databaseUrl: d.url })
    expect(first.applied).toEqual(names)
    expect(await tables(d.url)).toEqual(expect.arrayContaining(['_migrations', 'deployment']))
    const second = await migrate({ databaseUrl: d.url })
    expect(second).toEqual({ applied: [], alreadyApplied: names })
  })

  it('migrate() run by five processes at once applies each migration exactly once', async () => {
    const d = await fresh()
    const results = await Promise.all(Array.from({ length: 5 }, () => migrate({ databaseUrl: d.url })))
    const appliedCounts = results.map((r) => r.applied.length)
    expect(appliedCounts.filter((n) => n > 0)).toHaveLength(1)
    const client = new pg.Client({ connectionString: d.url })
    await client.connect()
    const { rows } = await client.query('SELECT count(*)::int AS n FROM "_migrations"')
    await client.end()
    expect(rows[0].n).toBe((await readMigrations()).length)
  })

  it('migrate() refuses a migration edited after it was applied', async () => {
    const d = await fresh()
    const dir = await copyMigrations()
    await migrate({ databaseUrl: d.url, dir })
    const [first] = await readMigrations(dir)
    await writeFile(path.join(dir, first!.name, 'migration.sql'), `${first!.sql}\n-- edited\n`)
    await expect(migrate({ databaseUrl: d.url, dir })).rejects.toThrow(/changed after it was applied/)
  })

  it('migrate() rolls back a failing migration and records nothing of it', async () => {
    const d = await fresh()
    const dir = await copyMigrations()
    await mkdir(path.join(dir, '9999_broken'))
    await writeFile(
      path.join(dir, '9999_broken', 'migration.sql'),
      'CREATE TABLE "half_done" (id INT);\nSELECT * FROM "no_such_table";\n',
    )
    await expect(migrate({ databaseUrl: d.url, dir })).rejects.toThrow(/9999_broken failed/)
    expect(await tables(d.url)).not.toContain('half_done')
    const result = await migrate({ databaseUrl: d.url, dir: MIGRATIONS_DIR })
    expect(result.applied).toEqual([])
  })

  it('the Prisma client reads and writes every model after migrating', async () => {
    const d = await createTestDatabase()
    dbs.push(d)
    const row = await d.db.deployment.create({
      data: {
        chainId: 1,
        contract: 'IntermediaryFactory',
        address: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
        blockNumber: 9_007_199_254_740_993n,
        blockHash: `0x${'ab'.repeat(32)}`,
        genesisHash: `0x${'cd'.repeat(32)}`,
      },
    })
    expect(row.blockNumber).toBe(9_007_199_254_740_993n)
    expect(row.txHash).toBeNull()
    expect(row.createdAt).toBeInstanceOf(Date)
  })
})
