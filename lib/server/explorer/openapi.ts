import { z } from 'zod'
import { createDocument } from 'zod-openapi'
import { costGraphSchema, costSeriesSchema, serviceCostsSchema } from '../../costs/api'
import {
  addressDetailSchema,
  blockDetailSchema,
  blockPageSchema,
  channelDetailSchema,
  channelPageSchema,
  eventPageSchema,
  searchResultSchema,
  txDetailSchema,
} from '../../explorer/api'
import { labelEditBody, serviceLabelSchema } from '../../services/api'
import { redemptionTokenBody, redemptionTokenSchema } from '../admin/redemptionToken'
import { MAX_PAGE } from '../http/params'
import { errorSchema } from '../http/schemas'

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})
const error = (description: string) => json(errorSchema, description)

const unavailable = error(
  'The data is not indexed and the chain node does not answer (`chain_unavailable`); retry later',
)
const pageQuery = (defaultLimit: number) =>
  z.object({
    cursor: z.string().optional().meta({ description: '`nextCursor` of the previous page' }),
    limit: z
      .string()
      .optional()
      .meta({ description: `Items per page, 1 to ${MAX_PAGE}; default ${defaultLimit}`, example: '25' }),
  })
const badPage = error(
  '`limit` out of range or a cursor this API did not give out (`invalid_request`, `invalid_cursor`)',
)

const get = (
  summary: string,
  description: string,
  response: z.ZodType,
  extra: { path?: z.ZodObject; query?: z.ZodObject; errors?: Record<string, ReturnType<typeof error>> },
) => ({
  get: {
    summary,
    description,
    requestParams: {
      ...(extra.path ? { path: extra.path } : {}),
      ...(extra.query ? { query: extra.query } : {}),
    },
    responses: { '200': json(response, 'OK'), '503': unavailable, ...extra.errors },
  },
})

const addressPath = z.object({
  address: z
    .string()
    .meta({ description: '0x and 40 hex digits', example: '0x5fbdb2315678afecb367f032d93f642f64180aa3' }),
})

const windowQueryParams = z.object({
  window: z
    .enum(['1h', '24h', '7d', '30d', 'all'])
    .optional()
    .meta({ description: "Preset ending at the chain's newest indexed block time; default 24h" }),
  from: z.string().optional().meta({
    description: 'Custom start (ISO-8601, zone-less means UTC, or unix seconds); wins over `window`',
    example: '2026-11-20T00:00:00Z',
  }),
  to: z
    .string()
    .optional()
    .meta({ description: 'Custom end, exclusive; default now', example: '2026-11-21T00:00:00Z' }),
})
const badWindow = error(
  '`window`, `from` or `to` not understood, or `from` not before `to` (`invalid_window`)',
)
const notIndexed = error('Nothing is indexed yet (`not_indexed`); costs read only the index')

let document: ReturnType<typeof createDocument> | undefined

/** The OpenAPI 3.1 document of the explorer's read API, built from the schemas of lib/explorer/api. */
export function explorerOpenApi() {
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
    paths: {
      '/api/blocks': get(
        'Latest blocks',
        'Indexed blocks, newest first, and the chain head.',
        blockPageSchema,
        {
          query: pageQuery(25),
          errors: { '400': badPage },
        },
      ),
      '/api/blocks/{number}': get(
        'A block',
        'Header from the index (from the node for blocks the index skips) and all its transactions.',
        blockDetailSchema,
        {
          path: z.object({ number: z.string().meta({ description: 'Block number', example: '42' }) }),
          errors: {
            '400': error('Not a block number (`invalid_block_number`)'),
            '404': error('Past the chain head (`not_found`)'),
          },
        },
      ),
      '/api/tx/{hash}': get(
        'A transaction',
        'Status, revert reason, gas and fees, the decoded call and events, raw input and logs. Transactions the index does not hold are read from the node (`source: node`).',
        txDetailSchema,
        {
          path: z.object({ hash: z.string().meta({ description: '0x and 64 hex digits' }) }),
          errors: {
            '400': error('Not a transaction hash (`invalid_hash`)'),
            '404': error('Neither indexed nor known to the node (`not_found`)'),
          },
        },
      ),
      '/api/address/{address}': get(
        'An address',
        'Balance, nonce and kind from the node; label; the channel it is; channels where it is a party; its indexed transactions, paginated.',
        addressDetailSchema,
        {
          path: addressPath,
          query: pageQuery(25),
          errors: {
            '400': error(
              'Not an address (`invalid_address`), or a bad page (`invalid_request`, `invalid_cursor`)',
            ),
          },
        },
      ),
      '/api/channels': get('Channels', 'Every indexed channel, newest first.', channelPageSchema, {
        query: pageQuery(50),
        errors: { '400': badPage },
      }),
      '/api/channels/{address}': get(
        'A channel',
        'State, countdowns to redeemable and to termination (seconds on the chain clock and blocks at the recent block time), its events and transactions.',
        channelDetailSchema,
        {
          path: addressPath,
          errors: {
            '400': error('Not an address (`invalid_address`)'),
            '404': error('Not an indexed channel (`not_found`)'),
          },
        },
      ),
      '/api/events': get('Latest channel events', 'The newest events of all channels.', eventPageSchema, {
        query: pageQuery(25),
        errors: { '400': badPage },
      }),
      '/api/search': get(
        'Search',
        'Where a block number, a transaction or block hash, an address or a service name leads.',
        searchResultSchema,
        {
          query: z.object({ q: z.string().meta({ description: 'What was typed', example: '42' }) }),
          errors: {
            '400': error('None of the accepted forms (`invalid_query`)'),
            '404': error('Well-formed but nothing matches (`not_found`)'),
          },
        },
      ),
      '/api/channels/{address}/redemption-token': {
        post: {
          summary: "A channel's highest accepted token, for its provider",
          description: [
            'The highest token the Payment Server of this dashboard accepted for one token ID of the channel, to complete a redemption from the wallet.',
            "Only for the channel's provider: the body carries its EIP-712 signature of `RedemptionTokenRequest(address channel, uint256 tokenId, uint256 expiresAt)` under the domain `{ name: 'Channel inspector', version: '1', chainId, verifyingContract: channel }`, expiring within 10 minutes.",
          ].join('\n\n'),
          requestParams: { path: addressPath },
          requestBody: { content: { 'application/json': { schema: redemptionTokenBody } } },
          responses: {
            '200': json(redemptionTokenSchema, 'OK'),
            '400': error(
              'Malformed body, expired request or expiry too far ahead (`invalid_request`, `request_expired`, `invalid_expiry`)',
            ),
            '403': error("Not signed by the channel's provider (`not_provider`)"),
            '404': error(
              'Not a channel of the factory, or no token accepted for that ID (`not_found`, `no_token`)',
            ),
            '413': error('Body over 64 KiB (`body_too_large`)'),
            '503': unavailable,
          },
        },
      },
      '/api/costs/graph': get(
        'Cost graph',
        'Services (nodes) and consumer → provider pairs (edges) with what was settled on chain in the window (Redeemed events: amount, requests, price, the part not final yet) and, for windows that end now, the pending amount this Payment Server accepted and nobody has redeemed. Served from hourly and daily rollups kept as events are indexed; the partial hours at both ends come from the events, so figures are exact.',
        costGraphSchema,
        { query: windowQueryParams, errors: { '400': badWindow, '503': notIndexed } },
      ),
      '/api/costs/series': get(
        'Spend over time',
        'Settled spend per hour (windows up to two days) or UTC day, stacked by the six largest providers plus `other`.',
        costSeriesSchema,
        { query: windowQueryParams, errors: { '400': badWindow, '503': notIndexed } },
      ),
      '/api/costs/services/{name}': get(
        "A service's costs",
        "What a service paid, earned and netted in the window; its fully loaded cost (its own spend plus its share of what the services it calls pay downstream, by share of their incoming requests, recursively, cycles counted once) with the breakdown; who pays it; its channels with burn rate and runway. `name` is a label's name or an address.",
        serviceCostsSchema,
        {
          path: z.object({
            name: z.string().meta({ description: 'Service name or 0x address', example: 'alice' }),
          }),
          query: windowQueryParams,
          errors: {
            '400': badWindow,
            '404': error('No such service (`unknown_service`)'),
            '503': notIndexed,
          },
        },
      ),
      '/api/costs/report.csv': {
        get: {
          summary: 'Cost table as CSV',
          description:
            "The /costs page's table: one row per service, team or pair, amounts in wei. Header row of column keys; RFC 4180 quoting.",
          requestParams: {
            query: windowQueryParams.extend({
              groupBy: z
                .enum(['service', 'team', 'pair'])
                .optional()
                .meta({ description: 'Rows per service (default), team or consumer → provider pair' }),
            }),
          },
          responses: {
            '200': { description: 'CSV', content: { 'text/csv': { schema: z.string() } } },
            '400': error('Bad window or groupBy (`invalid_window`, `invalid_group_by`)'),
            '503': notIndexed,
          },
        },
      },
      '/api/services/labels': {
        get: {
          summary: 'Service labels',
          description: 'Every labelled address: name and team, by team then name.',
          responses: {
            '200': json(z.object({ labels: z.array(serviceLabelSchema) }), 'OK'),
          },
        },
        post: {
          summary: 'Create or change a service label',
          description: [
            'Authorised by an admin wallet or the team admin key.',
            "Wallet: `signature` is an EIP-712 signature of `ServiceLabel(address service, string name, string team, uint256 version, uint256 expiresAt)` under `{ name: 'Channel inspector', version: '1', chainId, verifyingContract: factory }` by an address in LABEL_ADMINS, expiring within 10 minutes.",
            'Admin key: `Authorization: Bearer <PAYMENT_ADMIN_KEY>` and no signature.',
            '`version` is the version the edit replaces (0 for a new label), so an edit never overwrites one it has not seen.',
          ].join('\n\n'),
          requestBody: { content: { 'application/json': { schema: labelEditBody } } },
          responses: {
            '200': json(z.object({ label: serviceLabelSchema }), 'The label as saved'),
            '400': error(
              'Malformed body, expired request or expiry too far ahead (`invalid_request`, `request_expired`, `invalid_expiry`)',
            ),
            '401': error('Neither a signature nor the admin key (`unauthorized`)'),
            '403': error('Signed by an address that is not a label admin (`not_label_admin`)'),
            '409': error(
              'Changed since (`version_conflict`) or the name labels another address (`name_taken`)',
            ),
            '413': error('Body over 64 KiB (`body_too_large`)'),
          },
        },
      },
      '/api/rpc': {
        post: {
          summary: 'Read-only JSON-RPC to the chain node',
          description:
            "wagmi's transport in the browser, so the node's URL (which may carry an API key) stays on the server. One request or a batch of up to 20; only reading methods (eth_call, eth_estimateGas, eth_getBalance, blocks, receipts…): others get the JSON-RPC error -32601 without reaching the node. Transactions go through the user's wallet.",
          requestBody: { content: { 'application/json': { schema: z.unknown() } } },
          responses: {
            '200': json(z.unknown(), 'JSON-RPC response or batch of responses, in the order asked'),
            '400': error('Not a JSON-RPC request or batch (`invalid_json`, `invalid_request`)'),
          },
        },
      },
    },
  })
  return document
}
