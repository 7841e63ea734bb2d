import type { Address, Hex } from 'viem'
import { z } from 'zod'
import { intermediaryAbi, intermediaryFactoryAbi } from '../../../contracts/generated'
import { formatToken } from '../../../packages/payment-client/src/token'
import { formatTokenV2 } from '../../../packages/payment-client/src/tokenV2'
import { TOKEN_REQUEST_MAX_TTL_SECONDS, tokenRequestTypedData } from '../../admin/tokenRequest'
import { bigintOf } from '../../columns/kinds'
import { ForbiddenError, NotFoundError } from '../../errors'
import type { ServerContext } from '../context'
import { FACTORY_V2_CONTRACT, findDeployment } from '../deployments'
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
    contractVersion: z
      .number()
      .int()
      .meta({ description: '1: Intermediary; 2: IntermediaryV2 (price tables)' }),
    requests: z.union([z.string(), z.array(z.string())]).meta({
      description:
        'Highest request count accepted for this token ID; for a version 2 channel, the maximum accepted counts per category',
    }),
    prices: z
      .array(z.string())
      .nullable()
      .meta({ description: "Version 2: the token ID's price table the consumer signed; null for version 1" }),
    signature: z.string().meta({ description: "The consumer's signature of that token" }),
    token: z.string().meta({
      description:
        'The same token in the wire format (v1.<chainId>.<channel>... or v2.<chainId>.<channel>...)',
    }),
    lastAcceptedAt: z.string(),
    redeemedTx: z.string().nullable(),
  })
  .meta({ id: 'RedemptionToken' })
export type RedemptionToken = z.infer<typeof redemptionTokenSchema>

/**
 * The highest token this Payment Server accepted for one token ID of a channel (either
 * factory's: version 2 answers the counts per category and the ID's prices), handed only to
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
  const { view, contractVersion } = await verifySignedRequest({
    expiresAt,
    nowSeconds,
    maxTtlSeconds: TOKEN_REQUEST_MAX_TTL_SECONDS,
    signature: body.signature,
    prepare: async () => {
      const view = await indexedChain(ctx)
      requireNode(view, 'The channel')
      const v2 = await findDeployment({ db: ctx.db, chainId: view.chainId, contract: FACTORY_V2_CONTRACT })
      const factories = [view.factory, v2?.address.toLowerCase() ?? null]
      if (!factories.some(Boolean))
        throw new NotFoundError({ code: 'not_found', message: 'No channel factory is known on this chain.' })
      // Both factories' isChannel(address) has the same ABI; index 1 is the version 2 one.
      const of = await Promise.all(
        factories.map((address) =>
          address
            ? ctx.chain.readContract({
                address: address as Address,
                abi: intermediaryFactoryAbi,
                functionName: 'isChannel',
                args: [channel],
              })
            : false,
        ),
      )
      const contractVersion = of[1] ? 2 : of[0] ? 1 : null
      if (contractVersion === null)
        throw new NotFoundError({
          code: 'not_found',
          message: `${channel} is not a channel of ${v2 ? "this dashboard's factories" : 'this factory'}.`,
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
      return { view, provider, typedData, contractVersion }
    },
    allowed: (signer, { provider }) => signer === provider.toLowerCase(),
    refusal: () =>
      new ForbiddenError({
        code: 'not_provider',
        message:
          "The request is not signed by the channel's provider: only the provider may fetch its tokens.",
      }),
  })
  const where = { chainId_channel_tokenId: { chainId: view.chainId, channel, tokenId: tokenId.toString() } }
  const noToken = () =>
    new NotFoundError({
      code: 'no_token',
      message: `The Payment Server here has accepted no token for token ID ${tokenId} of this channel.`,
    })
  if (contractVersion === 2) {
    const row = await ctx.db.paymentAcceptedV2.findUnique({ where })
    if (!row) throw noToken()
    const requests = row.requests.map(bigintOf)
    const prices = row.prices.map(bigintOf)
    const signature = row.signature as Hex
    return {
      channel,
      tokenId: tokenId.toString(),
      contractVersion,
      requests: requests.map(String),
      prices: prices.map(String),
      signature,
      token: formatTokenV2({
        chainId: view.chainId,
        token: { channel, tokenId, requests, prices, signature },
      }),
      lastAcceptedAt: row.lastAcceptedAt.toISOString(),
      redeemedTx: row.redeemedTx,
    }
  }
  const row = await ctx.db.paymentAccepted.findUnique({ where })
  if (!row) throw noToken()
  const requests = bigintOf(row.highest)
  return {
    channel,
    tokenId: tokenId.toString(),
    contractVersion: 1,
    requests: requests.toString(),
    prices: null,
    signature: row.signature,
    token: formatToken({
      chainId: view.chainId,
      token: { channel, tokenId, requests, signature: row.signature as Hex },
    }),
    lastAcceptedAt: row.lastAcceptedAt.toISOString(),
    redeemedTx: row.redeemedTx,
  }
}
