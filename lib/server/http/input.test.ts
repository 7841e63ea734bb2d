import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppApi, serveAppApi } from '../../../test/kit/appApi'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { testIndexer } from '../../../test/kit/indexer'
import { type ChannelTestbed, startChannelTestbed } from '../../../test/kit/testbed'
import { AppError } from '../../errors'
import type { ServerContext } from '../context'
import { dashboardRoutes } from '../dashboard/routes'
import { paymentRoutes } from '../payment/routes'
import { findServiceLabel } from '../services/labels'
import { type Case, hostileCases } from './input.fixture'

/*
 * Hostile input against every route of every API that takes a string (path, query or body),
 * over HTTP as `npm start` serves them (the Payment Server's fast path, then the route files):
 * control characters, lone surrogates, wrong types, huge numbers, oversized strings and junk
 * bodies each get a 4xx with a code and a sentence naming what was wrong, and change nothing
 * in the database. Before the text checks of lib/server/http/schemas.ts and the route runners,
 * a NUL in a service's team or name reached Postgres, which refused it: a 500.
 */

let testbed: ChannelTestbed
let database: TestDatabase
let app: AppApi
/** The services' API keys by name. */
const keys: Record<string, string> = {}

/** What the calls could change: services (and their keys), labels, channels, tokens. */
async function snapshot() {
  const { db } = database
  return {
    services: await db.$queryRaw`SELECT name, team, price, api_key_hash FROM payment_service ORDER BY name`,
    labels: await db.$queryRaw`SELECT address, name, team, version FROM service_label ORDER BY address`,
    counts: await db.$queryRaw`SELECT (SELECT count(*) FROM payment_channel) AS channels,
      (SELECT count(*) FROM payment_issued) AS issued, (SELECT count(*) FROM payment_accepted) AS accepted`,
    budgets: await db.$queryRaw`SELECT (SELECT count(*) FROM budget) AS budgets,
      (SELECT count(*) FROM alert_webhook) AS webhooks, (SELECT count(*) FROM alert_rule) AS rules`,
  }
}

/** Sends one call of the table (or any other) and gives its status and JSON body. */
async function send(c: Pick<Case, 'method' | 'path' | 'key' | 'body'>) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (c.key) headers.authorization = `Bearer ${c.key === 'admin' ? app.adminKey : keys[c.key]}`
  const raw = (c.body as { raw?: string } | undefined)?.raw
  const body = c.body === undefined ? undefined : (raw ?? JSON.stringify(c.body))
  const response = await fetch(`${app.url}${c.path}`, { method: c.method, headers, body })
  return {
    status: response.status,
    body: (await response.json()) as { error?: { code: string; message: string } },
  }
}

beforeAll(async () => {
  testbed = await startChannelTestbed()
  database = await createTestDatabase()
  // Indexed, so that the explorer and the costs answer rather than say `not_indexed` first.
  await testIndexer({ chain: testbed, db: database.db }).syncToHead()
  app = await serveAppApi({ testbed, database })
  for (const name of ['shop', 'billing']) {
    const created = await send({
      method: 'POST',
      path: '/api/payment/services',
      key: 'admin',
      body: { name, team: 'team', price: '1000' },
    })
    expect(created.status).toBe(201)
    keys[name] = (created.body as unknown as { apiKey: string }).apiKey
  }
})

afterAll(async () => {
  await app?.close()
  await database?.drop()
  await testbed?.stop()
})

describe('hostile input on every API', () => {
  it('the table calls every route of every API that takes a path parameter, a query or a body', () => {
    const table = hostileCases()
    expect(new Set(table.map((c) => c.title)).size).toBe(table.length)
    const query = (r: (typeof dashboardRoutes)[number]) =>
      (r.operation.requestParams as { query?: unknown } | undefined)?.query
    const taking = [
      ...dashboardRoutes
        .filter((r) => r.path.includes('{') || r.operation.requestBody || query(r))
        .map((r) => `${r.method.toUpperCase()} ${r.path}`),
      ...paymentRoutes.filter((r) => r.path.includes('{') || 'body' in r).map((r) => `${r.method} ${r.path}`),
    ]
    const called = taking.filter((route) => {
      const [method, path] = route.split(' ') as [string, string]
      const pattern = new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`)
      return table.some((c) => c.method === method && pattern.test(c.path.split('?')[0] as string))
    })
    expect(called).toEqual(taking)
  })

  it.each(hostileCases().map((c) => [c.title, c] as const))(
    '%s is refused with its code and changes nothing',
    async (_, c) => {
      const before = await snapshot()
      const { status, body } = await send(c)
      expect({ status, code: body.error?.code }).toEqual({ status: c.status, code: c.code })
      expect(body.error?.message).toMatch(/\.$/)
      expect(body.error?.message).toContain(c.names)
      expect(await snapshot()).toEqual(before)
    },
  )

  it('text that is fit passes: letters beyond ASCII, symbols and emoji (surrogate pairs) reach the database as sent', async () => {
    const team = 'Équipe café ☕ 🚀 Ωmega'
    const created = await send({
      method: 'POST',
      path: '/api/payment/services',
      key: 'admin',
      body: { name: 'unicode', team },
    })
    expect(created.status).toBe(201)
    expect(
      await database.db.paymentService.findUnique({ where: { name: 'unicode' }, select: { team: true } }),
    ).toEqual({ team })
  })

  it('a route without a body still takes none, or JSON: the key rotates', async () => {
    for (const body of [undefined, { raw: '{}' }]) {
      const rotated = await send({
        method: 'POST',
        path: '/api/payment/services/unicode/api-key',
        key: 'admin',
        body,
      })
      expect(rotated.status).toBe(201)
    }
  })

  it("findServiceLabel() answers a page's URL segment that is no possible name 404 unknown_service, without asking Postgres", async () => {
    // The service page (app/services/[name]) reads the label with the segment as it comes.
    const ctx = { db: database.db } as ServerContext
    for (const name of ['a\u0000b', 'a\u0007', 'x'.repeat(600)]) {
      const error = await findServiceLabel(ctx, name).catch((e: unknown) => e)
      expect(error instanceof AppError && { status: error.status, code: error.code }).toEqual({
        status: 404,
        code: 'unknown_service',
      })
    }
  })
})
