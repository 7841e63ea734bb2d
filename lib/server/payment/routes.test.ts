import { readdirSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createFastPath } from './fastPath'
import { hotPaymentRoutes, paymentRoutes } from './routes'
import type { PaymentServer } from './server'

const root = path.resolve(import.meta.dirname, '../../..')
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/** Every app/api/payment route file, by the OpenAPI path it serves (`[address]` -> `{address}`). */
function routeFiles(dir = path.join(root, 'app/api/payment')): Map<string, string> {
  const files = new Map<string, string>()
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) for (const [p, f] of routeFiles(full)) files.set(p, f)
    else if (entry.name === 'route.ts')
      files.set(`/${path.relative(path.join(root, 'app'), dir)}`.replace(/\[(\w+)\]/g, '{$1}'), full)
  }
  return files
}

describe('paymentRoutes', () => {
  it('paymentRoutes has one route per name and per method and path', () => {
    expect(new Set(paymentRoutes.map((r) => r.name)).size).toBe(paymentRoutes.length)
    expect(new Set(paymentRoutes.map((r) => `${r.method} ${r.path}`)).size).toBe(paymentRoutes.length)
  })

  it('paymentHandlers() gives every route of the table its route.ts, exporting exactly its methods, and every route.ts belongs to the table', async () => {
    const files = routeFiles()
    // The document itself is derived from the table (./openapi), not a route of it.
    files.delete('/api/payment/openapi.json')
    const tablePaths = [...new Set(paymentRoutes.map((r) => r.path as string))].sort()
    expect([...files.keys()].sort()).toEqual(tablePaths)
    for (const [routePath, file] of files) {
      const module: Record<string, unknown> = await import(file)
      const exported = Object.keys(module).filter((name) => HTTP_METHODS.includes(name))
      const methods = paymentRoutes.filter((r) => r.path === routePath).map((r) => r.method)
      expect(exported.sort(), routePath).toEqual([...methods].sort())
      for (const method of exported) expect(typeof module[method], `${method} ${routePath}`).toBe('function')
      expect(module.dynamic, routePath).toBe('force-dynamic')
    }
  })
})

describe('the fast path', () => {
  it('hotPaymentRoutes() are the token calls: POST /api/payment/tokens and /api/payment/tokens/verify', () => {
    const hot = [...hotPaymentRoutes()].flatMap(([method, byPath]) =>
      [...byPath].map(([p, route]) => `${method} ${p} ${route.name}`),
    )
    expect(hot.sort()).toEqual([
      'POST /api/payment/tokens tokens.issue',
      'POST /api/payment/tokens/verify tokens.verify',
    ])
  })

  it('createFastPath() leaves every other method, path and query string to Next.js, untouched', () => {
    const fastPath = createFastPath(
      () => Promise.reject(new Error('no server needed')) as Promise<PaymentServer>,
    )
    const untouched = new Proxy({} as ServerResponse, {
      get: (_, property) => {
        throw new Error(`the response was touched: ${String(property)}`)
      },
    })
    for (const [method, url] of [
      ['GET', '/api/payment/tokens'],
      ['POST', '/api/payment/tokens?via=next'],
      ['POST', '/api/payment/tokens/'],
      ['POST', '/api/payment/channels'],
      ['POST', 'constructor'],
      ['GET', '/'],
    ] as const) {
      const req = { method, url, headers: {} } as IncomingMessage
      expect(fastPath(req, untouched), `${method} ${url}`).toBe(false)
    }
  })
})
