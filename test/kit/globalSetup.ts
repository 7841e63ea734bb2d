import { rm } from 'node:fs/promises'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { freePort } from '../../stack/ports'
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../stack/postgres'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin connection URL of the Postgres the tests use (embedded unless DATABASE_URL is set). */
    adminDatabaseUrl: string
  }
}

let embedded: EmbeddedDatabase | undefined
let dir: string | undefined

/** Starts one real Postgres for the whole run; each test file creates its own databases on it. */
export default async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL
  if (!adminUrl) {
    // One cluster per run (several runs may overlap on a developer machine), removed afterwards.
    dir = path.resolve(import.meta.dirname, `../../.data/test-postgres-${process.pid}`)
    embedded = await startEmbeddedPostgres({
      dir,
      port: await freePort(),
      database: 'postgres',
    })
    adminUrl = embedded.url
  }
  project.provide('adminDatabaseUrl', adminUrl)
  return async () => {
    await embedded?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  }
}
