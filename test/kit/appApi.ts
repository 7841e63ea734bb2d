import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { Readable } from 'node:stream'
import { serverContext } from '../../lib/server/context'
import { createFastPath } from '../../lib/server/payment/fastPath'
import { getPaymentServer, registerPaymentShutdown } from '../../lib/server/payment/instance'
import { registeredShutdown } from '../../lib/server/payment/webHooks'
import type { TestDatabase } from './database'
import { routeFilesUnder } from './routes'
import type { ChannelTestbed } from './testbed'

const appApi = path.resolve(import.meta.dirname, '../../app/api')

/** A route file's handler, as Next.js calls it. */
type NextHandler = (
  request: Request,
  context: { params: Promise<Record<string, string>> },
) => Promise<Response>

/** One route file: the regular expression of its path, its parameter names and its handlers by method. */
type Served = { pattern: RegExp; names: string[]; module: Record<string, NextHandler | unknown> }

/** What {@link serveAppApi} gives: the base URL, the team admin key it configured, and `close()`. */
export type AppApi = { url: string; adminKey: string; close(): Promise<void> }

/**
 * The app's whole JSON API (every `app/api/**\/route.ts`) on a local port, served as `npm start`
 * serves it: the Payment Server's fast path first (stack/web.ts), then the route files, with
 * path parameters decoded as Next.js decodes them (`decodeURIComponent` per segment; a segment
 * that does not decode is Next.js's own 400) and no body for GET and HEAD (Next.js gives none).
 * The routes run on this process's context and Payment Server (serverContext(),
 * getPaymentServer()), which read the environment once: this sets it first, for `testbed`'s
 * chain and factory and `database`, with a fresh admin key and keystore secret and the runner
 * off. One per test file (the environment is the process's).
 */
export async function serveAppApi({
  testbed,
  database,
}: {
  testbed: ChannelTestbed
  database: TestDatabase
}): Promise<AppApi> {
  const adminKey = `padm_${randomBytes(24).toString('base64url')}`
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    RPC_URL: testbed.url,
    FACTORY_ADDRESS: testbed.factory,
    PAYMENT_ADMIN_KEY: adminKey,
    PAYMENT_KEYSTORE_SECRET: randomBytes(32).toString('hex'),
    PAYMENT_RUNNER: 'off',
    PAYMENT_CHAIN_CACHE_MS: '0',
  })
  registerPaymentShutdown()
  const served = await routeTable()
  const fastPath = createFastPath(getPaymentServer)
  const listener = http.createServer((req, res) => {
    if (fastPath(req, res)) return
    serve(served, req, res).catch((error: unknown) => {
      res.writeHead(599).end(`the test server failed: ${String(error)}`)
    })
  })
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}`,
    adminKey,
    async close() {
      listener.closeAllConnections()
      await new Promise((resolve) => listener.close(resolve))
      await registeredShutdown()?.()
      await serverContext().db.$disconnect()
    },
  }
}

/** Every route file, static paths before those with parameters (as Next.js prefers them). */
async function routeTable(): Promise<Served[]> {
  const served: Served[] = []
  for (const [urlPath, file] of routeFilesUnder(appApi)) {
    const names = [...urlPath.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string)
    const source = urlPath.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '([^/]+)')
    served.push({ pattern: new RegExp(`^${source}$`), names, module: await import(file) })
  }
  return served.sort((a, b) => a.names.length - b.names.length)
}

async function serve(served: Served[], req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://localhost')
  let match: RegExpExecArray | null = null
  const route = served.find((s) => {
    match = s.pattern.exec(url.pathname)
    return match !== null
  })
  const handler = route?.module[req.method ?? ''] as NextHandler | undefined
  if (!route || !handler || !match) return void res.writeHead(404).end()
  const params: Record<string, string> = {}
  try {
    route.names.forEach((name, i) => {
      params[name] = decodeURIComponent((match as RegExpExecArray)[i + 1] as string)
    })
  } catch {
    return void res.writeHead(400).end('Bad Request')
  }
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
  const withBody = req.method !== 'GET' && req.method !== 'HEAD'
  if (!withBody) req.resume()
  const request = new Request(url, {
    method: req.method,
    headers,
    body: withBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    duplex: 'half',
  } as RequestInit)
  const response = await handler(request, { params: Promise.resolve(params) })
  res.writeHead(response.status, Object.fromEntries(response.headers))
  res.end(Buffer.from(await response.arrayBuffer()))
}
