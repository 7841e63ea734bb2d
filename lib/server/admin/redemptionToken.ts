import type { Address, Hex } from 'viem'
import { z } from 'zod'
import { intermediaryAbi, intermediaryFactoryAbi } from '../../../contracts/generated'
import { formatToken } from '../../../packages/payment-client/src/token'
import { TOKEN_REQUEST_MAX_TTL_SECONDS, tokenRequestTypedData } from '../../admin/tokenRequest'
import { bigintOf } from '../../columns/kinds'
import { ForbiddenError, NotFoundError } from '../../errors'
import type { ServerContext } from '../context'
import { text } from '../http/schemas'
import { verifySignedRequest } from '../http/signedRequest'
import { indexedChain, requireNode } from '../indexedChain'

const uint = text().regex(/^(0|[1-9][0-9]{0,77})$/, 'must be a whole number in decimal')

/** Body of POST /api/channels/{address}/redemption-token. */
export const redemptionTokenBody = z
  .object({
    tokenId: uint.meta({ description: 'Token ID whose highest accepted token is wanted' }),
    expiresAt: uint.meta({
      description: 'Unix time (s) after which the signature is void; at most 10 min ahead',
    }),
    signature: text()
      .regex(/^0x[0-9a-fA-F]{130}$/, 'must be a 65-byte hex signature')
      .meta({ description: "The channel provider's EIP-712 signature of RedemptionTokenRequest" }),
  })
  .strict()
  .meta({ id: 'RedemptionTokenRequest' })

export const redemptionTokenSchema = z
  .object({
    channel: z.string(),
    tokenId: z.string(),
    requests: z.string().meta({ description: 'Highest request count accepted for this token ID' }),
    signature: z.string().meta({ description: "The consumer's signature of that count" }),
    token: z.string().meta({ description: 'The same token in the wire format (v1.<chainId>.<channel>...)' }),
    lastAcceptedAt: z.string(),
    redeemedTx: z.string().nullable(),
  })
  .meta({ id: 'RedemptionToken' })
export type RedemptionToken = z.infer<typeof redemptionTokenSchema>

/**
 * The highest token this Payment Server accepted for one token ID of a channel, handed only to
 * the channel's provider: the request must carry the provider's EIP-712 signature over
 * (channel, tokenId, expiresAt) under this chain, and expire within 10 minutes.
 */
export async function redemptionToken({
  ctx,
  channel,
  body,
  nowSeconds = BigInt(Math.floor(Date.now() / 1000)),
}: {
  ctx: ServerContext
  channel: Address
  body: z.output<typeof redemptionTokenBody>
  nowSeconds?: bigint
}): Promise<RedemptionToken> {
  channel = channel.toLowerCase() as Address
  const tokenId = BigInt(body.tokenId)
  const expiresAt = BigInt(body.expiresAt)
  const { view } = await verifySignedRequest({
    expiresAt,
    nowSeconds,
    maxTtlSeconds: TOKEN_REQUEST_MAX_TTL_SECONDS,
    signature: body.signature,
    prepare: async () => {
      const view = await indexedChain(ctx)
      requireNode(view, 'The channel')
      if (!view.factory)
        throw new NotFoundError({ code: 'not_found', message: 'No channel factory is known on this chain.' })
      const isChannel = await ctx.chain.readContract({
        address: view.factory as Address,
        abi: intermediaryFactoryAbi,
        functionName: 'isChannel',
        args: [channel],
      })
      if (!isChannel)
        throw new NotFoundError({
          code: 'not_found',
          message: `${channel} is not a channel of this factory.`,
        })
      const provider = await ctx.chain.readContract({
        address: channel,
        abi: intermediaryAbi,
        functionName: 'provider',
      })
      const typedData = tokenRequestTypedData({
        chainId: view.chainId,
        request: { channel, tokenId, expiresAt },
      })
      return { view, provider, typedData }
    },
    allowed: (signer, { provider }) => signer === provider.toLowerCase(),
    refusal: () =>
      new ForbiddenError({
        code: 'not_provider',
        message:
          "The request is not signed by the channel's provider: only the provider may fetch its tokens.",
      }),
  })
  const row = await ctx.db.paymentAccepted.findUnique({
    where: { chainId_channel_tokenId: { chainId: view.chainId, channel, tokenId: tokenId.toString() } },
  })
  if (!row) {
    throw new NotFoundError({
      code: 'no_token',
      message: `The Payment Server here has accepted no token for token ID ${tokenId} of this channel.`,
    })
  }
  const requests = bigintOf(row.highest)
  return {
    channel,
    tokenId: tokenId.toString(),
    requests: requests.toString(),
    signature: row.signature,
    token: formatToken({
      chainId: view.chainId,
      token: { channel, tokenId, requests, signature: row.signature as Hex },
    }),
    lastAcceptedAt: row.lastAcceptedAt.toISOString(),
    redeemedTx: row.redeemedTx,
  }
}
