import { isAddress, maxUint256 } from 'viem'
import { z } from 'zod'
import { MAX_TOKEN_V2_LENGTH } from '../../../packages/payment-client/src/tokenV2'
import { CATEGORY_NAME } from '../../admin/priceTable'
import { errorSchema, text } from '../http/schemas'
import { channelV2Schema } from './v2/channelView'

/**
 * Request and response bodies of the Payment Server API, used both to check input and to
 * write the OpenAPI document (./openapi). Amounts and counts travel as decimal strings. Every
 * string of a request body is a text() (400 `invalid_text` on a control character or a lone
 * surrogate, before its other checks).
 */

export const uint256 = text()
  .regex(/^(0|[1-9][0-9]{0,77})$/, 'must be a decimal integer string without leading zeros')
  // zod runs this check even when the regex failed: BigInt('1e3') would throw (a 500, not a 400).
  .refine((v) => !/^\d+$/.test(v) || BigInt(v) <= maxUint256, 'must fit in 256 bits')
  .meta({ description: 'Unsigned 256-bit integer as a decimal string', example: '1000000000000000' })

export const wei = uint256.meta({
  description: 'Amount in wei, as a decimal string',
  example: '1000000000000',
})

export const address = text()
  .refine((v) => isAddress(v, { strict: false }), 'must be a 0x-prefixed 20-byte hex address')
  .transform((v) => v.toLowerCase())
  .meta({ description: 'Address, 0x-prefixed hex', example: '0x5fbdb2315678afecb367f032d93f642f64180aa3' })

export const serviceName = text()
  .regex(
    /^[a-z][a-z0-9-]{0,39}$/,
    'must be 1-40 characters: lowercase letters, digits and dashes, starting with a letter',
  )
  .meta({ description: 'Service name', example: 'validation' })

const seconds = (description: string) =>
  z
    .number()
    .int()
    .min(1)
    .max(365 * 24 * 3600)
    .meta({ description })

/** As long as the longest v2 token (8 categories of uint256 prices and counts); a v1 token is shorter. */
export const tokenString = text()
  .max(MAX_TOKEN_V2_LENGTH)
  .meta({
    description:
      'A token in its wire format: v1.<chainId>.<channel>.<tokenId>.<requests>.<signature>, or for a version 2 channel v2.<chainId>.<channel>.<tokenId>.<prices>.<requests>.<signature> (prices and counts comma-separated, one per category)',
    example: `v1.31337.0x5fbdb2315678afecb367f032d93f642f64180aa3.1.42.0x${'ab'.repeat(65)}`,
  })

export const createServiceBody = z
  .object({
    name: serviceName,
    team: text().min(1).max(80).meta({ description: 'Team that owns the service', example: 'team-b' }),
    price: wei.optional().meta({ description: 'As a provider: lowest price per request (wei) it accepts' }),
    key: z
      .discriminatedUnion('source', [
        z.object({ source: z.literal('generate') }),
        z.object({
          source: z.literal('env'),
          variable: text()
            .regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'must be an environment variable name')
            .meta({ description: 'Environment variable of the server that holds the private key' }),
        }),
      ])
      .default({ source: 'generate' })
      .meta({
        description: 'How the private key is held: generated here and sealed, or read from the environment',
      }),
  })
  .strict()
  .meta({ id: 'CreateService' })

export const serviceSchema = z
  .object({
    name: z.string(),
    team: z.string(),
    address: z.string(),
    keySource: z.enum(['keystore', 'env']),
    keyEnv: z.string().nullable(),
    price: z.string().nullable(),
    apiKeyPrefix: z
      .string()
      .meta({ description: 'First characters of the current API key, to tell keys apart' }),
    createdAt: z.string(),
  })
  .meta({ id: 'Service' })

export const autoFundSchema = z
  .object({
    threshold: wei.meta({ description: 'Deposit when the funds not yet owed drop below this (wei)' }),
    amount: wei
      .refine((v) => v !== '0', 'must be more than 0')
      .meta({ description: 'Amount of each automatic deposit (wei)' }),
  })
  .strict()
  .meta({ id: 'AutoFund' })

/**
 * The consumer a category's requests are made on behalf of (thesis 3.4): a service name of this
 * server or an address (lowercased); a name is resolved to its address when used (./v2/origins).
 */
export const origin = text()
  .max(64)
  .refine(
    (v) => isAddress(v, { strict: false }) || serviceName.safeParse(v).success,
    'must be a service name or a 0x-prefixed 20-byte hex address',
  )
  .transform((v) => (isAddress(v, { strict: false }) ? v.toLowerCase() : v))
  .meta({ description: 'Origin consumer: a service name of this server or an address', example: 'alice' })

export const openChannelBody = z
  .object({
    provider: text().max(64).meta({ description: 'Provider service name (of this server) or address' }),
    costPerRequest: wei
      .optional()
      .meta({ description: "Price per request; default: the provider service's price" }),
    deposit: wei.optional().meta({ description: 'First deposit (wei), default 0' }),
    redemptionTimeout: seconds('Seconds between starting and completing a redemption; default 60').optional(),
    terminationTimeout: seconds(
      'Seconds the consumer waits after announcing termination; default 900',
    ).optional(),
    autoFund: autoFundSchema.optional(),
    prices: z
      .array(
        z
          .object({
            name: text()
              .regex(CATEGORY_NAME, 'must be 1-40 letters, digits, dots, dashes or underscores')
              .meta({ description: 'Category name', example: 'small' }),
            price: wei.refine((v) => v !== '0', 'must be more than 0'),
            origin: origin.optional().meta({
              description:
                "Exact transitive tracing: this category counts the requests the consumer makes on behalf of that consumer of its own (a service name of this server or an address), so the chain records how much of the provider's cost each origin caused; a client pays in it with `fetch(provider, url, { origin })`",
              example: 'alice',
            }),
          })
          .strict(),
      )
      .min(1)
      .max(8)
      .refine((c) => new Set(c.map((x) => x.name)).size === c.length, 'category names must differ')
      .refine(
        (c) => new Set(c.flatMap((x) => x.origin ?? [])).size === c.flatMap((x) => x.origin ?? []).length,
        'two categories cannot trace the same origin',
      )
      .optional()
      .meta({
        description:
          'A version 2 channel (IntermediaryV2): its request categories, each with a price per request (wei), 1 to 8; tokens are issued per category. Absent: a version 1 channel at costPerRequest.',
      }),
  })
  .strict()
  .meta({ id: 'OpenChannel' })

export const patchChannelBody = z
  .object({ autoFund: autoFundSchema.nullable() })
  .strict()
  .meta({ id: 'PatchChannel' })

export const pricesBody = z
  .object({
    prices: z
      .array(wei.refine((v) => v !== '0', 'must be more than 0'))
      .min(1)
      .max(8)
      .nullable()
      .meta({ description: 'Wei per request of each category, in the channel order; null: none pending' }),
  })
  .strict()
  .meta({ id: 'ChannelPrices' })

export const pricesSchema = z
  .object({
    channel: z.string(),
    categories: z.array(z.string()),
    pendingPrices: z.array(z.string()).nullable(),
  })
  .meta({ id: 'PendingPrices' })

export const depositBody = z
  .object({ amount: wei.refine((v) => v !== '0', 'must be more than 0') })
  .strict()
  .meta({ id: 'Deposit' })

const count = z.number().int().min(1).max(1000).meta({ description: 'How many tokens, default 1' })

/** A category of a version 2 channel, by index or name. */
export const category = z
  .union([z.number().int().min(0).max(7), text().max(40)])
  .meta({ description: 'Version 2 channels: the request category, by index or name; default the first' })

/** A request made on behalf of a consumer: the category that traces it (instead of `category`). */
const tokenOrigin = origin.meta({
  description:
    'Version 2 channels: the request is made on behalf of this consumer (a service name of this server or an address): the tokens are of the category whose `origin` it is (400 `category_unknown` when the channel has none); not with `category`',
  example: 'alice',
})

/** The most the caller pays per request of the category: checked before any count is taken. */
const maxPrice = wei.meta({
  description:
    "The most the caller pays per request of the category (wei): when the channel's price for it is higher, the answer is 402 `price_above_max` and no count is taken",
  example: '1000',
})

export const issueBody = z
  .object({
    provider: text().max(64).meta({ description: 'Provider service name (of this server) or address' }),
    count: count.optional(),
    category: category.optional(),
    origin: tokenOrigin.optional(),
    maxPrice: maxPrice.optional(),
  })
  .strict()
  .meta({ id: 'IssueTokens' })

export const issueChannelBody = z
  .object({
    count: count.optional(),
    category: category.optional(),
    origin: tokenOrigin.optional(),
    maxPrice: maxPrice.optional(),
  })
  .strict()
  .meta({ id: 'IssueChannelTokens' })

export const tokensSchema = z
  .object({
    channel: z.string(),
    chainId: z.number(),
    tokenId: z.string(),
    tokens: z.array(tokenString).meta({
      description:
        'Tokens with never-issued counts, ascending (consecutive unless another instance took counts in between)',
    }),
    categories: z
      .array(z.string())
      .optional()
      .meta({ description: "Version 2 channels: the channel's category names" }),
    prices: z.array(z.string()).optional().meta({
      description:
        "Version 2 channels: the token ID's price table (wei per request of each category) the tokens are signed at; a consumer checks it before paying",
    }),
    origins: z.array(z.string().nullable()).optional().meta({
      description:
        "Version 2 channels: each category's origin consumer (lowercase address) or null, in the channel's order",
    }),
    category: z.number().int().optional().meta({
      description:
        'Version 2 channels: the index of the category the tokens raise; a provider route that serves any category (`*`) is told it in the `payment-category` header',
    }),
  })
  .meta({ id: 'Tokens' })

/** A route's price (wei per request): the token is refused as `terms_rejected`, and nothing accepted, when its channel pays less. */
const routePrice = wei.meta({
  description:
    "The price of the provider's route (wei per request): a channel paying less per request is refused as `terms_rejected` and the count is not accepted",
  example: '1000',
})

/** One token of a batch: its wire form alone, or with the price of the route it pays for. */
const verifyItem = z.union([
  tokenString,
  z.object({ token: tokenString, price: routePrice.optional(), category: category.optional() }).strict(),
])

export const verifyBody = z
  .union([
    // Titled: the API reference names each form by its title (else both are "object").
    z
      .object({ token: tokenString, price: routePrice.optional(), category: category.optional() })
      .strict()
      .meta({ title: 'One token' }),
    z
      .object({ tokens: z.array(verifyItem).min(1).max(1000) })
      .strict()
      .meta({ title: 'Tokens of several requests' }),
  ])
  .meta({ id: 'Verify' })

export const acceptedSchema = z
  .object({
    accepted: z.literal(true),
    channel: z.string(),
    tokenId: z.string(),
    requests: z.string(),
    value: z.string().meta({ description: 'requests × cost per request, in wei' }),
    category: z.number().int().optional().meta({
      description:
        "Version 2 channels: the index of the category charged; `requests` is that category's count in the token",
    }),
    consumer: z.string().optional().meta({
      description:
        "The channel's consumer (lowercase address): who paid. A service calling others on its behalf names it as their `origin` (exact transitive tracing)",
    }),
  })
  .meta({ id: 'Accepted' })

export const verifyResultsSchema = z
  .object({
    results: z.array(
      z.union([acceptedSchema, z.object({ accepted: z.literal(false), error: errorSchema.shape.error })]),
    ),
  })
  .meta({ id: 'VerifyResults' })

export const transactionSchema = z
  .object({
    action: z.string(),
    transactionHash: z.string(),
    blockNumber: z.string(),
  })
  .meta({ id: 'Transaction' })

export const channelSchema = z
  .object({
    chainId: z.number(),
    address: z.string(),
    consumer: z.object({ address: z.string(), service: z.string().nullable() }),
    provider: z.object({ address: z.string(), service: z.string().nullable() }),
    costPerRequest: z.string(),
    redemptionTimeout: z.string(),
    terminationTimeout: z.string(),
    autoFund: z.object({ threshold: z.string(), amount: z.string() }).nullable(),
    chain: z
      .object({
        phase: z.enum(['open', 'redeeming', 'terminating', 'terminated']),
        consumerFunds: z.string(),
        providerFunds: z.string(),
        activeTokenId: z.string(),
        expiringTokenId: z.string(),
        redeemableAt: z.string(),
        lastTokenId: z.string(),
        terminatesAt: z.string(),
        terminated: z.boolean(),
        blockNumber: z.string(),
      })
      .meta({ description: 'State on chain (read at most PAYMENT_CHAIN_CACHE_MS ago)' }),
    server: z
      .object({
        issued: z.array(z.object({ tokenId: z.string(), requests: z.string() })),
        accepted: z.array(
          z.object({
            tokenId: z.string(),
            highest: z.string(),
            accepted: z.string(),
            missingRanges: z.number(),
            pendingValue: z.string().meta({ description: 'Accepted, not yet redeemed (wei)' }),
            closed: z.boolean(),
            redeemedTx: z.string().nullable(),
            redeemedAmount: z.string().nullable(),
          }),
        ),
        lastError: z.string().nullable(),
        retryAt: z.string().nullable(),
      })
      .meta({ description: 'What this server issued and accepted, and the runner’s last error' }),
    v2: channelV2Schema,
  })
  .meta({ id: 'Channel' })
