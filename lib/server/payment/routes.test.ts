import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { routeFilesUnder, routeModules } from '../../../test/kit/routes'
import { createFastPath } from './fastPath'
import { hotPaymentRoutes, paymentRoutes } from './routes'
import type { PaymentServer } from './server'

const paymentApi = path.resolve(import.meta.dirname, '../../../app/api/payment')

describe('paymentRoutes', () => {
  it('paymentRoutes has one route per name and per method and path', () => {
    expect(new Set(paymentRoutes.map((r) => r.name)).size).toBe(paymentRoutes.length)
    expect(new Set(paymentRoutes.map((r) => `${r.method} ${r.path}`)).size).toBe(paymentRoutes.length)
  })

  it('paymentHandlers() gives every route of the table its route.ts, exporting exactly its methods, and every route.ts belongs to the table', async () => {
    const files = routeFilesUnder(paymentApi)
    // The document itself is derived from the table (./openapi), not a route of it.
    files.delete('/api/payment/openapi.json')
    for (const { urlPath, module, routes } of await routeModules(files, paymentRoutes)) {
      for (const { method } of routes) expect(typeof module[method], `${method} ${urlPath}`).toBe('function')
      expect(module.dynamic, urlPath).toBe('force-dynamic')
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
