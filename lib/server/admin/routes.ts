import { z } from 'zod'
import { addressPath, error, json } from '../http/openapi'
import { route } from '../http/route'
import { chainUnavailable } from '../indexedChain'
import { categoryNamesBody, categoryNamesSchema, saveCategoryNames } from './categoryNames'
import { redemptionToken, redemptionTokenBody, redemptionTokenSchema } from './redemptionToken'
import { proxyRpc } from './rpcProxy'

const tags = ['admin']

/**
 * The admin's JSON routes: a channel's redemption token for its provider, and the browser
 * wallet's read-only JSON-RPC to the node, with their OpenAPI operations.
 */
export const adminRoutes = [
  route({
    method: 'post',
    path: '/api/channels/{address}/redemption-token',
    operation: {
      operationId: 'getRedemptionToken',
      tags,
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
        '503': chainUnavailable,
      },
    },
    // jsonRoute checks the address (pathParams) before it reads the body, so a bad one is named first.
    body: redemptionTokenBody,
    handler: async ({ ctx, params, body }) => redemptionToken({ ctx, channel: params.address, body }),
  }),
  route({
    method: 'put',
    path: '/api/channels/{address}/categories',
    operation: {
      operationId: 'putCategoryNames',
      tags,
      summary: "Name a version 2 channel's categories, as one of its parties",
      description: [
        "A version 2 channel's categories are off chain: the open form names them right after opening, signed by the consumer's wallet. The names show on the pages and become the Payment Server's when it first meets the channel.",
        "The body carries the consumer's or provider's EIP-712 signature of `ChannelCategoryNames(address channel, string[] names, uint256 expiresAt)` under the domain `{ name: 'Channel inspector', version: '1', chainId, verifyingContract: channel }`, expiring within 10 minutes.",
      ].join('\n\n'),
      requestParams: { path: addressPath },
      requestBody: { content: { 'application/json': { schema: categoryNamesBody } } },
      responses: {
        '200': json(categoryNamesSchema, 'Recorded'),
        '400': error(
          'Malformed body, bad or repeated names, not one per category, expired request or expiry too far ahead (`invalid_request`, `categories_mismatch`, `request_expired`, `invalid_expiry`)',
        ),
        '403': error("Not signed by the channel's consumer or provider (`not_party`)"),
        '404': error('Not a version 2 channel of the factory (`not_found`)'),
        '409': error('The Payment Server here has the channel already, with its own names (`names_set`)'),
        '413': error('Body over 64 KiB (`body_too_large`)'),
        '503': chainUnavailable,
      },
    },
    body: categoryNamesBody,
    handler: async ({ ctx, params, body }) => saveCategoryNames({ ctx, channel: params.address, body }),
  }),
  route({
    method: 'post',
    path: '/api/rpc',
    operation: {
      operationId: 'proxyRpc',
      tags,
      summary: 'Read-only JSON-RPC to the chain node',
      description:
        "wagmi's transport in the browser, so the node's URL (which may carry an API key) stays on the server. One request or a batch of up to 20; only reading methods (eth_call, eth_estimateGas, eth_getBalance, blocks, receipts…): others get the JSON-RPC error -32601 without reaching the node. Transactions go through the user's wallet.",
      responses: {
        '200': json(z.unknown(), 'JSON-RPC response or batch of responses, in the order asked'),
        '400': error('Not a JSON-RPC request or batch (`invalid_json`, `invalid_request`)'),
      },
    },
    body: z.unknown(),
    handler: async ({ ctx, body }) => (await proxyRpc({ rpcUrl: ctx.rpcUrl, body })) as object,
  }),
]
