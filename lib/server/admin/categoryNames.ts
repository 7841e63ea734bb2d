import type { Address } from 'viem'
import { z } from 'zod'
import { intermediaryFactoryV2Abi, intermediaryV2Abi } from '../../../contracts/generated'
import { categoryNamesTypedData } from '../../admin/categoryNames'
import { CATEGORY_NAME, MAX_CATEGORIES } from '../../admin/priceTable'
import { TOKEN_REQUEST_MAX_TTL_SECONDS } from '../../admin/tokenRequest'
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../../errors'
import type { ServerContext } from '../context'
import { FACTORY_V2_CONTRACT, findDeployment } from '../deployments'
import { text } from '../http/schemas'
import { verifySignedRequest } from '../http/signedRequest'
import { indexedChain, requireNode } from '../indexedChain'
import { redemptionTokenBody } from './redemptionToken'

/** Body of PUT /api/channels/{address}/categories. */
export const categoryNamesBody = z
  .object({
    names: z
      .array(
        text()
          .regex(CATEGORY_NAME, 'must be 1-40 letters, digits, dots, dashes or underscores')
          .meta({ example: 'small' }),
      )
      .min(1)
      .max(MAX_CATEGORIES)
      .refine((names) => new Set(names).size === names.length, 'category names must differ')
      .meta({ description: "One name per category, in the channel's order" }),
    // As a token request's (./redemptionToken): same expiry rule, same signature format.
    expiresAt: redemptionTokenBody.shape.expiresAt,
    signature: redemptionTokenBody.shape.signature.meta({
      description: "The channel consumer's or provider's EIP-712 signature of ChannelCategoryNames",
    }),
  })
  .strict()
  .meta({ id: 'CategoryNamesRequest' })

export const categoryNamesSchema = z
  .object({ channel: z.string(), names: z.array(z.string()) })
  .meta({ id: 'CategoryNames' })

/**
 * Records the names of a version 2 channel's categories (they are off chain), signed by one of
 * its parties: the channel must be one of the v2 factory's, the names as many as its
 * categories. They go to `channel_category`, the pages' names; this dashboard's Payment Server
 * takes them when it first meets the channel (lib/server/payment/channels.ts). Once it has the
 * channel, its names are the ones its clients ask tokens by, so they are not renamed from here
 * (409 `names_set`).
 */
export async function saveCategoryNames({
  ctx,
  channel,
  body,
  nowSeconds = BigInt(Math.floor(Date.now() / 1000)),
}: {
  ctx: ServerContext
  channel: Address
  body: z.output<typeof categoryNamesBody>
  nowSeconds?: bigint
}): Promise<z.output<typeof categoryNamesSchema>> {
  channel = channel.toLowerCase() as Address
  const { names } = body
  const expiresAt = BigInt(body.expiresAt)
  const { view, categories } = await verifySignedRequest({
    expiresAt,
    nowSeconds,
    maxTtlSeconds: TOKEN_REQUEST_MAX_TTL_SECONDS,
    signature: body.signature,
    prepare: async () => {
      const view = await indexedChain(ctx)
      requireNode(view, 'The channel')
      const factory = await findDeployment({
        db: ctx.db,
        chainId: view.chainId,
        contract: FACTORY_V2_CONTRACT,
      })
      const isChannel =
        factory &&
        (await ctx.chain.readContract({
          address: factory.address,
          abi: intermediaryFactoryV2Abi,
          functionName: 'isChannel',
          args: [channel],
        }))
      if (!isChannel)
        throw new NotFoundError({
          code: 'not_found',
          message: `${channel} is not a version 2 channel of this dashboard's factory: only those have categories.`,
        })
      const read = (functionName: 'consumer' | 'provider' | 'categories') =>
        ctx.chain.readContract({ address: channel, abi: intermediaryV2Abi, functionName })
      const [consumer, provider, categories] = await Promise.all([
        read('consumer') as Promise<Address>,
        read('provider') as Promise<Address>,
        read('categories') as Promise<bigint>,
      ])
      const typedData = categoryNamesTypedData({
        chainId: view.chainId,
        message: { channel, names, expiresAt },
      })
      return { view, parties: [consumer.toLowerCase(), provider.toLowerCase()], categories, typedData }
    },
    allowed: (signer, { parties }) => parties.includes(signer),
    refusal: () =>
      new ForbiddenError({
        code: 'not_party',
        message:
          "The names are not signed by the channel's consumer or provider: only they may name its categories.",
      }),
  })
  if (BigInt(names.length) !== categories) {
    throw new BadRequestError({
      code: 'categories_mismatch',
      message: `Channel ${channel} has ${categories} categories; ${names.length} names were given.`,
    })
  }
  const chainId = view.chainId
  const payment = await ctx.db.paymentChannel.findUnique({
    where: { chainId_address: { chainId, address: channel } },
  })
  if (payment) {
    throw new ConflictError({
      code: 'names_set',
      message: `The Payment Server here already has channel ${channel} with the categories ${payment.categories.join(', ')}: its clients ask tokens by those names, so they stay.`,
    })
  }
  await ctx.db.$transaction(
    names.map((name, category) =>
      ctx.db.channelCategory.upsert({
        where: { chainId_channel_category: { chainId, channel, category } },
        create: { chainId, channel, category, name },
        update: { name },
      }),
    ),
  )
  return { channel, names }
}
