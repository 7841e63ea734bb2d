import path from 'node:path'
import SwaggerParser from '@apidevtools/swagger-parser'
import { describe, expect, it } from 'vitest'
import { exampleProblems } from '../../../test/kit/openapi'
import { routeFilesUnder, routeModules } from '../../../test/kit/routes'
import { withExamples } from './examples'
import { dashboardOpenApi, dashboardRoutes } from './routes'

/*
 * The dashboard API's route tables against the app's route files and the OpenAPI document:
 * nothing served that is not in a table, nothing in a table that is not served, and every
 * operation named.
 */

const appApi = path.resolve(import.meta.dirname, '../../../app/api')
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

describe('the dashboard routes', () => {
  it('every route.ts outside /api/payment exports exactly the handlers of its table routes', async () => {
    // The Payment Server's routes are its own table's (lib/server/payment/routes.test.ts).
    const files = routeFilesUnder(appApi)
    for (const urlPath of files.keys()) if (urlPath.startsWith('/api/payment/')) files.delete(urlPath)
    for (const { file, module, routes } of await routeModules(files, dashboardRoutes))
      for (const r of routes) expect(module[r.method.toUpperCase()], `${file} ${r.method}`).toBe(r.handler)
  })

  it('the OpenAPI document validates and names every operation', async () => {
    const doc = dashboardOpenApi()
    expect(doc.openapi).toBe('3.1.0')
    await SwaggerParser.validate(structuredClone(doc) as never)
    const operations = Object.entries(doc.paths ?? {}).flatMap(([p, item]) =>
      METHODS.map((m) => m.toLowerCase())
        .filter((m) => item[m as keyof typeof item])
        .map((m) => ({ path: p, method: m, ...(item[m as keyof typeof item] as object) })),
    ) as { path: string; method: string; operationId?: string; tags?: string[]; summary?: string }[]
    for (const op of operations) {
      expect(op.tags?.length, `${op.method} ${op.path}`).toBeGreaterThan(0)
      expect(op.summary, `${op.method} ${op.path}`).toBeTruthy()
    }
    expect(
      Object.fromEntries(operations.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op.operationId])),
    ).toEqual({
      'GET /api/blocks': 'listBlocks',
      'GET /api/blocks/{number}': 'getBlock',
      'GET /api/tx/{hash}': 'getTransaction',
      'GET /api/address/{address}': 'getAddress',
      'GET /api/address/{address}/transactions.csv': 'exportAddressTransactions',
      'GET /api/channels': 'listChannels',
      'GET /api/channels/{address}': 'getChannel',
      'GET /api/channels/{address}/events.csv': 'exportChannelEvents',
      'GET /api/events': 'listEvents',
      'GET /api/search': 'search',
      'GET /api/costs/graph': 'getCostGraph',
      'GET /api/costs/series': 'getCostSeries',
      'GET /api/costs/services/{name}': 'getServiceCosts',
      'GET /api/costs/overhead': 'getCostOverhead',
      'GET /api/costs/report.csv': 'getCostReport',
      'GET /api/services/labels': 'listServiceLabels',
      'POST /api/services/labels': 'saveServiceLabel',
      'PUT /api/channels/{address}/categories': 'putCategoryNames',
      'GET /api/budgets': 'getBudgets',
      'POST /api/budgets/edits': 'editBudgets',
      'GET /api/budgets/deliveries': 'listAlertDeliveries',
      'POST /api/channels/{address}/redemption-token': 'getRedemptionToken',
      'POST /api/rpc': 'proxyRpc',
      'GET /api/health': 'getHealth',
      'GET /api/livez': 'getLiveness',
      'GET /api/readyz': 'getReadiness',
      'GET /api/status': 'getIndexerStatus',
      'GET /api/openapi.json': 'getOpenApiDocument',
      'GET /api/docs': 'getApiReference',
      'GET /api/docs/assets/{file}': 'getApiReferenceAsset',
    })
  })

  it('every operation has examples of its request body and 2xx answer that its schemas accept', () => {
    expect(exampleProblems(withExamples(dashboardRoutes))).toEqual([])
    const blocks = dashboardOpenApi().paths?.['/api/blocks']?.get?.responses?.['200'] as {
      content: Record<string, { examples?: object }>
    }
    expect(Object.keys(blocks.content['application/json']?.examples ?? {})).toEqual(['default'])
  })

  it('the document keeps the request bodies and path parameters of the routes that read them', () => {
    const paths = dashboardOpenApi().paths ?? {}
    for (const [p, method] of [
      ['/api/services/labels', 'post'],
      ['/api/channels/{address}/redemption-token', 'post'],
      ['/api/rpc', 'post'],
    ] as const) {
      const op = (paths[p] as Record<string, { requestBody?: { content: object } }>)[method]
      expect(Object.keys(op?.requestBody?.content ?? {}), p).toEqual(['application/json'])
    }
    const params = (p: string) =>
      ((paths[p]?.get as { parameters?: { name: string; in: string }[] } | undefined)?.parameters ?? []).map(
        (x) => `${x.in}:${x.name}`,
      )
    expect(params('/api/blocks/{number}')).toEqual(['path:number'])
    expect(params('/api/address/{address}')).toEqual(['path:address', 'query:cursor', 'query:limit'])
  })
})
