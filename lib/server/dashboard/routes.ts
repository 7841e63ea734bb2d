import { z } from 'zod'
import { createDocument } from 'zod-openapi'
import { adminRoutes } from '../admin/routes'
import { budgetRoutes } from '../budgets/routes'
import { costRoutes } from '../costs/routes'
import { docsRoutes } from '../docs/routes'
import { explorerRoutes } from '../explorer/routes'
import { json, openApiPaths } from '../http/openapi'
import type { Route } from '../http/route'
import { serviceRoutes } from '../services/routes'
import { systemRoutes } from '../system/routes'
import { withExamples } from './examples'

let document: ReturnType<typeof createDocument> | undefined

/**
 * GET /api/openapi.json. Static (built once, no database or node): it does not go through
 * `jsonRoute`, which opens the web process's context.
 */
const openApiRoute: Route<'get', '/api/openapi.json'> = {
  method: 'get',
  path: '/api/openapi.json',
  operation: {
    operationId: 'getOpenApiDocument',
    tags: ['system'],
    summary: 'This document',
    responses: { '200': json(z.object({}).loose(), 'The OpenAPI 3.1 document of the dashboard API') },
  },
  handler: () => Response.json(dashboardOpenApi()),
}

/**
 * Every route of the dashboard's JSON API (everything under /api but the Payment Server's
 * /api/payment), feature by feature; the document below and the `app/api` files come from it.
 */
export const dashboardRoutes = [
  ...explorerRoutes,
  ...costRoutes,
  ...serviceRoutes,
  ...budgetRoutes,
  ...adminRoutes,
  ...systemRoutes,
  openApiRoute,
  ...docsRoutes,
]

/** The OpenAPI 3.1 document of the dashboard API, assembled from {@link dashboardRoutes}. */
export function dashboardOpenApi() {
  document ??= createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Channel inspector explorer',
      version: '1.0.0',
      description: [
        'JSON behind the dashboard pages: blocks, transactions, addresses and payment channels of the chain the server follows; costs between services (graph, series, per service, CSV); service labels.',
        'Every chain quantity (block numbers, gas, wei, token ids, counts) is a decimal string, exact for uint256; hashes and addresses are lowercase 0x-hex; times are ISO-8601 UTC.',
        'Lists are newest first with cursor pagination: pass `nextCursor` back as `cursor`.',
        'Errors are `{ error: { code, message } }`. The Payment Server has its own document at `/api/payment/openapi.json`.',
      ].join('\n\n'),
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'explorer', description: 'Blocks, transactions, addresses, channels, events, search' },
      { name: 'costs', description: 'What services pay each other, from the index' },
      { name: 'services', description: 'Service labels' },
      { name: 'budgets', description: 'Budgets, alert rules, webhooks and the alert history' },
      { name: 'admin', description: "The wallet's helpers: redemption tokens and read-only JSON-RPC" },
      { name: 'system', description: 'Health, indexer status, this document and the API reference page' },
    ],
    paths: openApiPaths(withExamples(dashboardRoutes)),
  })
  return document
}
