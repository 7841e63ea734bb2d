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

/** Starts one real Postgres for the whole run; each test file creates its own databases on it. */
export default async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres({
      dir: path.resolve(import.meta.dirname, '../../.data/test-postgres'),
      port: await freePort(),
      database: 'postgres',
    })
    adminUrl = embedded.url
  }
  project.provide('adminDatabaseUrl', adminUrl)
  return async () => {
    await embedded?.stop()
  }
}
