import { z } from 'zod'
import { costGraphSchema, costSeriesSchema, serviceCostsSchema } from '../../costs/api'
import { costOverheadSchema } from '../../costs/overhead'
import { PRESET_NAMES, type WindowPreset, type WindowQuery, windowQueryOf } from '../../costs/window'
import { error, json } from '../http/openapi'
import { route } from '../http/route'
import { costGraph } from './graph'
import { costOverhead } from './overhead'
import { costReport } from './report'
import { costSeries } from './series'
import { serviceCosts } from './service'

/** The window parameters of a request's query string. */
const windowQuery = (query: URLSearchParams): WindowQuery => windowQueryOf((name) => query.get(name))

const tags = ['costs']

const windowParams = z.object({
  window: z
    .enum(PRESET_NAMES as [WindowPreset, ...WindowPreset[]])
    .optional()
    .meta({
      description:
        "Rolling preset ending at the chain's newest indexed block time (1h, 24h, 7d, 30d, all), or a UTC calendar period (today, yesterday, this-week and last-week from Monday, this-month, last-month); default 24h",
    }),
  from: z.string().optional().meta({
    description: 'Custom start (ISO-8601, zone-less means UTC, or unix seconds); wins over `window`',
    example: '2026-11-20T00:00:00Z',
  }),
  to: z
    .string()
    .optional()
    .meta({ description: 'Custom end, exclusive; default now', example: '2026-11-21T00:00:00Z' }),
})
const graphParams = windowParams.extend({
  compare: z.enum(['previous']).optional().meta({
    description:
      'previous: also the window as long right before this one, read at the same block: what changed and the pairs that changed most (`comparison`; in the CSV, `previous_*` and `change_*` columns beside each row, and the bounds of both windows)',
  }),
})

const badWindow = error(
  '`window`, `from`, `to` or `compare` not understood, or `from` not before `to` (`invalid_window`)',
)
const notIndexed = error('Nothing is indexed yet (`not_indexed`); costs read only the index')

/**
 * The costs' JSON routes (graph, series, one service, the CSV report), each with its OpenAPI
 * operation; they read only the index and its rollups.
 */
export const costRoutes = [
  route({
    method: 'get',
    path: '/api/costs/graph',
    operation: {
      operationId: 'getCostGraph',
      tags,
      summary: 'Cost graph',
      description:
        'Services (nodes) and consumer → provider pairs (edges) with what was settled on chain in the window (Redeemed events: amount, requests, price, the part not final yet) and, for windows that end now, the pending amount this Payment Server accepted and nobody has redeemed. Served from hourly and daily rollups kept as events are indexed; the partial hours at both ends come from the events, so figures are exact.',
      requestParams: { query: graphParams },
      responses: { '200': json(costGraphSchema, 'OK'), '503': notIndexed, '400': badWindow },
    },
    handler: ({ ctx, query }) => costGraph(ctx, windowQuery(query), query.get('compare')),
  }),
  route({
    method: 'get',
    path: '/api/costs/series',
    operation: {
      operationId: 'getCostSeries',
      tags,
      summary: 'Spend over time',
      description:
        'Settled spend per hour (windows up to two days) or UTC day, stacked by the six largest providers plus `other`.',
      requestParams: { query: windowParams },
      responses: { '200': json(costSeriesSchema, 'OK'), '503': notIndexed, '400': badWindow },
    },
    handler: ({ ctx, query }) => costSeries(ctx, windowQuery(query)),
  }),
  route({
    method: 'get',
    path: '/api/costs/services/{name}',
    operation: {
      operationId: 'getServiceCosts',
      tags,
      summary: "A service's costs",
      description:
        "What a service paid, earned and netted in the window; its fully loaded cost (its own spend plus its share of what the services it calls pay downstream, by share of their incoming requests, recursively, cycles counted once) with the breakdown; who pays it; its channels with burn rate and runway. `name` is a label's name or an address.",
      requestParams: {
        path: z.object({
          name: z.string().meta({ description: 'Service name or 0x address', example: 'alice' }),
        }),
        query: graphParams,
      },
      responses: {
        '200': json(serviceCostsSchema, 'OK'),
        '503': notIndexed,
        '400': badWindow,
        '404': error('No such service (`unknown_service`)'),
      },
    },
    // Next.js gives route handlers their parameters decoded once already.
    handler: ({ ctx, params, query }) =>
      serviceCosts(ctx, params.name, windowQuery(query), query.get('compare')),
  }),
  route({
    method: 'get',
    path: '/api/costs/overhead',
    operation: {
      operationId: 'getCostOverhead',
      tags,
      summary: 'What the payment system itself costs',
      description:
        "Gas fees of the channels' own transactions in the window (opening, funding, redeeming, withdrawing, terminating, other; reverted ones included), per team, service (the sender that paid, by its label) and channel, against the value settled in the window, with the overhead ratio (fees ÷ settled). A sender that is neither a party of the channel nor a labelled service is counted in `outside`, in no team.",
      requestParams: { query: windowParams },
      responses: { '200': json(costOverheadSchema, 'OK'), '503': notIndexed, '400': badWindow },
    },
    handler: ({ ctx, query }) => costOverhead(ctx, windowQuery(query)),
  }),
  route({
    method: 'get',
    path: '/api/costs/report.csv',
    operation: {
      operationId: 'getCostReport',
      tags,
      summary: 'Cost table as CSV',
      description:
        "The /costs page's table: one row per service, team or pair, amounts in wei. Header row of column keys; RFC 4180 quoting.",
      requestParams: {
        query: graphParams.extend({
          groupBy: z
            .enum(['service', 'team', 'pair'])
            .optional()
            .meta({ description: 'Rows per service (default), team or consumer → provider pair' }),
          unit: z.string().max(8).optional().meta({
            description:
              "Adds after each wei column the page's reading in this unit (ETH, gwei, wei, or DISPLAY_CURRENCY), e.g. `paid_gwei`",
          }),
        }),
      },
      responses: {
        '200': { description: 'CSV', content: { 'text/csv': { schema: z.string() } } },
        '400': error('Bad window, groupBy or unit (`invalid_window`, `invalid_group_by`, `invalid_unit`)'),
        '503': notIndexed,
      },
    },
    handler: async ({ ctx, query }) => {
      const { csv, filename } = await costReport(ctx, windowQuery(query), query.get('groupBy'), {
        unit: query.get('unit'),
        compare: query.get('compare'),
      })
      return new Response(csv, {
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${filename}"`,
          'cache-control': 'no-store',
        },
      })
    },
  }),
]
