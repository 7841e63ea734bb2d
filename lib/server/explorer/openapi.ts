import { z } from 'zod'
import { createDocument } from 'zod-openapi'
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
import { errorSchema } from '../payment/schemas'
import { MAX_PAGE } from './shared'

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
    responses: { '200': json(response, 'OK'), ...extra.errors, '503': unavailable },
  },
})

const addressPath = z.object({
  address: z
    .string()
    .meta({ description: '0x and 40 hex digits', example: '0x5fbdb2315678afecb367f032d93f642f64180aa3' }),
})

let document: ReturnType<typeof createDocument> | undefined

/** The OpenAPI 3.1 document of the explorer's read API, built from the schemas of lib/explorer/api. */
export function explorerOpenApi() {
  document ??= createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Channel inspector explorer',
      version: '1.0.0',
      description: [
        'Read-only JSON behind the explorer pages: blocks, transactions, addresses and payment channels of the chain the server follows.',
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
    },
  })
  return document
}
