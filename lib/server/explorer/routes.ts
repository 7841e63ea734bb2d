import { z } from 'zod'
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
import { addressPath, error, json } from '../http/openapi'
import { MAX_PAGE, pageLimit } from '../http/params'
import { route } from '../http/route'
import { chainUnavailable } from '../indexedChain'
import { getAddress } from './addresses'
import { getBlock, listBlocks } from './blocks'
import { getChannel, listChannels, listEvents } from './channels'
import { exportAddressTransactions, exportChannelEvents } from './export'
import { MAX_EXPORT_ROWS } from './exportRange'
import { search } from './search'
import { getTransaction } from './transactions'

const tags = ['explorer']

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
/** The query of the CSV exports (see exportRange.ts). */
const exportParams = z.object({
  fromBlock: z.string().optional().meta({ description: 'First block, included', example: '1200' }),
  toBlock: z.string().optional().meta({ description: 'Last block, included', example: '1850' }),
  fromDate: z
    .string()
    .optional()
    .meta({ description: 'First UTC day or time (instead of fromBlock)', example: '2026-12-01' }),
  toDate: z
    .string()
    .optional()
    .meta({ description: 'Last UTC day (all of it) or time (instead of toBlock)', example: '2026-12-07' }),
  limit: z
    .string()
    .optional()
    .meta({
      description: `Most rows, 1 to ${MAX_EXPORT_ROWS}; more in the range is a 400 \`too_many_rows\``,
      example: '5000',
    }),
})
const csv = { description: 'CSV (a download)', content: { 'text/csv': { schema: z.string() } } }
const ok = (schema: z.ZodType) => ({ '200': json(schema, 'OK'), '503': chainUnavailable })

/**
 * The explorer's JSON routes: blocks, transactions, addresses, channels, events and search,
 * and the CSV exports of an address's transactions and a channel's events, each with its OpenAPI operation. The `app/api` files serve them with `handlersOf`.
 */
export const explorerRoutes = [
  route({
    method: 'get',
    path: '/api/blocks',
    operation: {
      operationId: 'listBlocks',
      tags,
      summary: 'Latest blocks',
      description: 'Indexed blocks, newest first, and the chain head.',
      requestParams: { query: pageQuery(25) },
      responses: { ...ok(blockPageSchema), '400': badPage },
    },
    handler: ({ ctx, query }) =>
      listBlocks(ctx, { cursor: query.get('cursor'), limit: pageLimit(query.get('limit')) }),
  }),
  route({
    method: 'get',
    path: '/api/blocks/{number}',
    operation: {
      operationId: 'getBlock',
      tags,
      summary: 'A block',
      description:
        'Header from the index (from the node for blocks the index skips) and all its transactions.',
      requestParams: {
        path: z.object({ number: z.string().meta({ description: 'Block number', example: '42' }) }),
      },
      responses: {
        ...ok(blockDetailSchema),
        '400': error('Not a block number (`invalid_block_number`)'),
        '404': error('Past the chain head (`not_found`)'),
      },
    },
    handler: ({ ctx, params }) => getBlock(ctx, params.number),
  }),
  route({
    method: 'get',
    path: '/api/tx/{hash}',
    operation: {
      operationId: 'getTransaction',
      tags,
      summary: 'A transaction',
      description:
        'Status, revert reason, gas and fees, the decoded call and events, raw input and logs. Transactions the index does not hold are read from the node (`source: node`).',
      requestParams: { path: z.object({ hash: z.string().meta({ description: '0x and 64 hex digits' }) }) },
      responses: {
        ...ok(txDetailSchema),
        '400': error('Not a transaction hash (`invalid_hash`)'),
        '404': error('Neither indexed nor known to the node (`not_found`)'),
      },
    },
    handler: ({ ctx, params }) => getTransaction(ctx, params.hash),
  }),
  route({
    method: 'get',
    path: '/api/address/{address}',
    operation: {
      operationId: 'getAddress',
      tags,
      summary: 'An address',
      description:
        'Balance, nonce and kind from the node; label; the channel it is; channels where it is a party; its indexed transactions, paginated.',
      requestParams: { path: addressPath, query: pageQuery(25) },
      responses: {
        ...ok(addressDetailSchema),
        '400': error(
          'Not an address (`invalid_address`), or a bad page (`invalid_request`, `invalid_cursor`)',
        ),
      },
    },
    handler: ({ ctx, params, query }) =>
      getAddress(ctx, params.address, { cursor: query.get('cursor'), limit: pageLimit(query.get('limit')) }),
  }),
  route({
    method: 'get',
    path: '/api/address/{address}/transactions.csv',
    operation: {
      operationId: 'exportAddressTransactions',
      tags,
      summary: "An address's transactions as CSV",
      description: `Every indexed transaction of the address (sent, received, or about it as a channel), newest first as its page lists them: full hashes and addresses, wei exact, block times in ISO 8601 UTC, the method. Streamed; at most \`limit\` rows (${MAX_EXPORT_ROWS.toLocaleString('en-US')} by default and at most), counted before the first is sent. RFC 4180, a header row of column keys; a cell a spreadsheet would run as a formula starts with \`'\`.`,
      requestParams: { path: addressPath, query: exportParams },
      responses: {
        '200': csv,
        '400': error(
          'Not an address (`invalid_address`), a bad range (`invalid_range`) or limit (`invalid_request`), or more rows than the limit (`too_many_rows`)',
        ),
        '503': chainUnavailable,
      },
    },
    handler: ({ ctx, params, query }) => exportAddressTransactions(ctx, params.address, query),
  }),
  route({
    method: 'get',
    path: '/api/channels',
    operation: {
      operationId: 'listChannels',
      tags,
      summary: 'Channels',
      description: 'Every indexed channel, newest first.',
      requestParams: { query: pageQuery(50) },
      responses: { ...ok(channelPageSchema), '400': badPage },
    },
    handler: ({ ctx, query }) =>
      listChannels(ctx, { cursor: query.get('cursor'), limit: pageLimit(query.get('limit'), 50) }),
  }),
  route({
    method: 'get',
    path: '/api/channels/{address}',
    operation: {
      operationId: 'getChannel',
      tags,
      summary: 'A channel',
      description:
        'State, countdowns to redeemable and to termination (seconds on the chain clock and blocks at the recent block time), its events and transactions.',
      requestParams: { path: addressPath },
      responses: {
        ...ok(channelDetailSchema),
        '400': error('Not an address (`invalid_address`)'),
        '404': error('Not an indexed channel (`not_found`)'),
      },
    },
    handler: ({ ctx, params }) => getChannel(ctx, params.address),
  }),
  route({
    method: 'get',
    path: '/api/channels/{address}/events.csv',
    operation: {
      operationId: 'exportChannelEvents',
      tags,
      summary: "A channel's events as CSV",
      description: `Every indexed event of the channel, newest first as its timeline shows them: block, ISO 8601 UTC time, transaction hash, log index, event name and its decoded arguments as \`name=value\` pairs (integers in decimal, addresses in full). Streamed; limits and quoting as \`exportAddressTransactions\`.`,
      requestParams: { path: addressPath, query: exportParams },
      responses: {
        '200': csv,
        '400': error(
          'Not an address (`invalid_address`), a bad range (`invalid_range`) or limit (`invalid_request`), or more rows than the limit (`too_many_rows`)',
        ),
        '404': error('Not an indexed channel (`not_found`)'),
        '503': chainUnavailable,
      },
    },
    handler: ({ ctx, params, query }) => exportChannelEvents(ctx, params.address, query),
  }),
  route({
    method: 'get',
    path: '/api/events',
    operation: {
      operationId: 'listEvents',
      tags,
      summary: 'Latest channel events',
      description: 'The newest events of all channels.',
      requestParams: { query: pageQuery(25) },
      responses: { ...ok(eventPageSchema), '400': badPage },
    },
    handler: ({ ctx, query }) =>
      listEvents(ctx, { cursor: query.get('cursor'), limit: pageLimit(query.get('limit')) }),
  }),
  route({
    method: 'get',
    path: '/api/search',
    operation: {
      operationId: 'search',
      tags,
      summary: 'Search',
      description: 'Where a block number, a transaction or block hash, an address or a service name leads.',
      requestParams: {
        query: z.object({ q: z.string().meta({ description: 'What was typed', example: '42' }) }),
      },
      responses: {
        ...ok(searchResultSchema),
        '400': error('None of the accepted forms (`invalid_query`)'),
        '404': error('Well-formed but nothing matches (`not_found`)'),
      },
    },
    handler: ({ ctx, query }) => search(ctx, query.get('q') ?? ''),
  }),
]
