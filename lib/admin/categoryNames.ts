import type { Address } from 'viem'
import { TOKEN_REQUEST_DOMAIN_NAME, TOKEN_REQUEST_DOMAIN_VERSION } from './tokenRequest'

/**
 * The names of a version 2 channel's categories are off chain: a party of the channel (the
 * consumer, who names them in the open form, or the provider) records them on this dashboard by
 * signing this EIP-712 message with its wallet. The domain binds the signature to this chain and
 * channel, and it expires within minutes (TOKEN_REQUEST_MAX_TTL_SECONDS), like a token request.
 */
export const categoryNamesTypes = {
  ChannelCategoryNames: [
    { name: 'channel', type: 'address' },
    { name: 'names', type: 'string[]' },
    { name: 'expiresAt', type: 'uint256' },
  ],
} as const

export type CategoryNames = { channel: Address; names: string[]; expiresAt: bigint }

/**
 * The typed data the wallet signs (and the server verifies) to name a channel's categories.
 * @example signTypedData(config, categoryNamesTypedData({ chainId, message: { channel, names, expiresAt } }))
 */
export function categoryNamesTypedData({ chainId, message }: { chainId: number; message: CategoryNames }) {
  return {
    domain: {
      name: TOKEN_REQUEST_DOMAIN_NAME,
      version: TOKEN_REQUEST_DOMAIN_VERSION,
      chainId,
      verifyingContract: message.channel,
    },
    types: categoryNamesTypes,
    primaryType: 'ChannelCategoryNames' as const,
    message,
  }
}
