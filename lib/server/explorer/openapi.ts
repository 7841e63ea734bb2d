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
import { redemptionTokenBody, redemptionTokenSchema } from '../admin/redemptionToken'
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
