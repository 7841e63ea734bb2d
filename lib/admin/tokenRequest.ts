import type { Address } from 'viem'

/**
 * A provider asks this dashboard's Payment Server for the highest token it accepted for one of
 * its channels by signing this EIP-712 message with its wallet: the server hands the token only
 * to the channel's provider. The domain binds the signature to this chain and channel, and the
 * message expires within minutes, so a leaked signature is of no lasting use.
 */
export const TOKEN_REQUEST_DOMAIN_NAME = 'Channel inspector'
export const TOKEN_REQUEST_DOMAIN_VERSION = '1'
/** The longest a request may stay valid (seconds); the server refuses longer ones. */
export const TOKEN_REQUEST_MAX_TTL_SECONDS = 600

export const tokenRequestTypes = {
  RedemptionTokenRequest: [
    { name: 'channel', type: 'address' },
    { name: 'tokenId', type: 'uint256' },
    { name: 'expiresAt', type: 'uint256' },
  ],
} as const

export type TokenRequest = { channel: Address; tokenId: bigint; expiresAt: bigint }

/** The typed data the wallet signs (and the server verifies) for one request. */
export function tokenRequestTypedData({ chainId, request }: { chainId: number; request: TokenRequest }) {
  return {
    domain: {
      name: TOKEN_REQUEST_DOMAIN_NAME,
      version: TOKEN_REQUEST_DOMAIN_VERSION,
      chainId,
      verifyingContract: request.channel,
    },
    types: tokenRequestTypes,
    primaryType: 'RedemptionTokenRequest' as const,
    message: request,
  }
}
