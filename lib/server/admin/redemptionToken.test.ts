import { type Address, type Hex, type LocalAccount, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  formatToken,
  parseToken,
  recoverTokenSigner,
  signToken,
} from '../../../packages/payment-client/src/token'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { testIndexer } from '../../../test/kit/indexer'
import { type ChannelTestbed, startChannelTestbed } from '../../../test/kit/testbed'
import { TOKEN_REQUEST_MAX_TTL_SECONDS, tokenRequestTypedData } from '../../admin/tokenRequest'
import { isAppError } from '../../errors'
import { createChainClient } from '../chain'
import type { ServerContext } from '../context'
import { redemptionToken, redemptionTokenBody } from './redemptionToken'

/*
 * POST /api/channels/{address}/redemption-token's handler against a real anvil and Postgres: a
 * channel opened through the factory (and indexed, so the dashboard knows the factory), a token
 * the Payment Server accepted for it stored in payment_accepted, and requests signed with
 * anvil's dev keys: only the channel's provider, with a fresh request for this chain, channel
 * and token ID, gets the token.
 */

/** A fixed "now" for the expiry checks (no wall clock). */
const NOW = 4_102_444_800n

let chain: ChannelTestbed
let database: TestDatabase
let ctx: ServerContext
/** The channel with an accepted token; `other` has the same provider and none. */
let channel: Address
let other: Address
let chainId: number
/** The consumer's token for token ID 1 of `channel`, as the Payment Server stored it. */
let stored: { requests: bigint; signature: Hex; lastAcceptedAt: Date }

beforeAll(async () => {
  chain = await startChannelTestbed()
  database = await createTestDatabase()
  chainId = chain.chain.id
  channel = await chain.open({ costPerRequest: 1_000n, value: parseEther('1') })
  other = await chain.open()
  await testIndexer({
    chain,
    db: database.db,
    factory: { address: chain.factory, blockNumber: chain.factoryBlock },
  }).syncToHead()

  const token = await signToken({ account: chain.consumer, chainId, channel, tokenId: 1n, requests: 42n })
  stored = { requests: 42n, signature: token.signature, lastAcceptedAt: new Date('2099-12-31T23:59:58.123Z') }
  // The provider is a service of this Payment Server (a channel row needs one of its parties to be).
  const service = await database.db.paymentService.create({
    data: {
      name: 'bob',
      team: 'team-b',
      address: chain.provider.address.toLowerCase(),
      keySource: 'env',
      keyEnv: 'BOB_KEY',
      apiKeyHash: Buffer.alloc(32, 2),
      apiKeyPrefix: 'psk_bob_x',
    },
  })
  for (const address of [channel, other]) {
    await database.db.paymentChannel.create({
      data: {
        chainId,
        address,
        consumer: chain.consumer.address.toLowerCase(),
        provider: chain.provider.address.toLowerCase(),
        providerServiceId: service.id,
        costPerRequest: '1000',
        redemptionTimeout: 60n,
        terminationTimeout: 600n,
      },
    })
  }
  await database.db.paymentAccepted.create({
    data: {
      chainId,
      channel,
      tokenId: '1',
      highest: stored.requests.toString(),
      signature: stored.signature,
      counts: { highest: stored.requests.toString(), missing: [], forgotten: '0' },
      accepted: '42',
      lastAcceptedAt: stored.lastAcceptedAt,
    },
  })

  ctx = { db: database.db, chain: createChainClient({ rpcUrl: chain.url }), rpcUrl: chain.url }
}, 120_000)

afterAll(async () => {
  await database?.drop()
  await chain?.stop()
})

/** A request body signed by `account` (the provider unless said otherwise). */
async function body({
  account = chain.provider,
  signedChannel = channel,
  signedChainId = chainId,
  signedTokenId = 1n,
  tokenId = signedTokenId,
  expiresAt = NOW + 300n,
}: {
  account?: LocalAccount
  signedChannel?: Address
  signedChainId?: number
  signedTokenId?: bigint
  tokenId?: bigint
  expiresAt?: bigint
} = {}) {
  const signature = await account.signTypedData(
    tokenRequestTypedData({
      chainId: signedChainId,
      request: { channel: signedChannel, tokenId: signedTokenId, expiresAt },
    }),
  )
  return redemptionTokenBody.parse({
    tokenId: tokenId.toString(),
    expiresAt: expiresAt.toString(),
    signature,
  })
}

/** The AppError status, code and message `promise` rejects with; fails when it resolves. */
async function refusal(
  promise: Promise<unknown>,
): Promise<{ status: number; code: string; message: string }> {
  try {
    const answer = await promise
    throw new Error(`expected a refusal, got ${JSON.stringify(answer)}`)
  } catch (error) {
    if (!isAppError(error)) throw error
    return { status: error.status, code: error.code, message: error.message }
  }
}

describe('redemptionToken', () => {
  it("redemptionToken() hands the provider exactly the stored highest count, the consumer's signature and the wire token", async () => {
    const answer = await redemptionToken({ ctx, channel, body: await body(), nowSeconds: NOW })
    const wire = formatToken({
      chainId,
      token: { channel, tokenId: 1n, requests: stored.requests, signature: stored.signature },
    })
    expect(answer).toEqual({
      channel,
      tokenId: '1',
      contractVersion: 1,
      requests: '42',
      prices: null,
      signature: stored.signature,
      token: wire,
      lastAcceptedAt: '2099-12-31T23:59:58.123Z',
      redeemedTx: null,
    })
    expect(wire).toBe(`v1.31337.${channel}.1.42.${stored.signature.toLowerCase()}`)
    // The token handed out is one the contract will take: the consumer's signature for this chain and channel.
    const parsed = parseToken(answer.token)
    expect(await recoverTokenSigner({ chainId: parsed.chainId, token: parsed.token })).toBe(
      chain.consumer.address,
    )
  })

  it('redemptionToken() accepts a request that expires exactly 10 minutes ahead or 1 second ahead', async () => {
    for (const expiresAt of [NOW + BigInt(TOKEN_REQUEST_MAX_TTL_SECONDS), NOW + 1n]) {
      const answer = await redemptionToken({ ctx, channel, body: await body({ expiresAt }), nowSeconds: NOW })
      expect({ expiresAt, requests: answer.requests }).toEqual({ expiresAt, requests: '42' })
    }
  })

  it('redemptionToken() refuses an expired request with 400 request_expired', async () => {
    for (const expiresAt of [NOW, NOW - 1n, 0n]) {
      expect(
        await refusal(redemptionToken({ ctx, channel, body: await body({ expiresAt }), nowSeconds: NOW })),
      ).toEqual({
        status: 400,
        code: 'request_expired',
        message: 'The signed request has expired; sign a new one.',
      })
    }
  })

  it('redemptionToken() refuses a request valid for more than 10 minutes with 400 invalid_expiry', async () => {
    expect(TOKEN_REQUEST_MAX_TTL_SECONDS).toBe(600)
    for (const expiresAt of [NOW + 601n, NOW + 86_400n]) {
      expect(
        await refusal(redemptionToken({ ctx, channel, body: await body({ expiresAt }), nowSeconds: NOW })),
      ).toEqual({
        status: 400,
        code: 'invalid_expiry',
        message: 'The signed request may stay valid for at most 10 minutes.',
      })
    }
  })

  const notProvider = {
    status: 403,
    code: 'not_provider',
    message: "The request is not signed by the channel's provider: only the provider may fetch its tokens.",
  }

  it("redemptionToken() refuses a request signed by the channel's consumer with 403 not_provider", async () => {
    expect(
      await refusal(
        redemptionToken({ ctx, channel, body: await body({ account: chain.consumer }), nowSeconds: NOW }),
      ),
    ).toEqual(notProvider)
  })

  it('redemptionToken() refuses a request signed by a stranger with 403 not_provider', async () => {
    expect(
      await refusal(
        redemptionToken({ ctx, channel, body: await body({ account: chain.stranger }), nowSeconds: NOW }),
      ),
    ).toEqual(notProvider)
  })

  it("redemptionToken() refuses the provider's request signed for another of its channels with 403", async () => {
    expect(
      await refusal(
        redemptionToken({ ctx, channel, body: await body({ signedChannel: other }), nowSeconds: NOW }),
      ),
    ).toEqual(notProvider)
  })

  it("redemptionToken() refuses the provider's request signed for another token ID with 403", async () => {
    expect(
      await refusal(
        redemptionToken({
          ctx,
          channel,
          body: await body({ signedTokenId: 2n, tokenId: 1n }),
          nowSeconds: NOW,
        }),
      ),
    ).toEqual(notProvider)
  })

  it("redemptionToken() refuses the provider's request signed for another chain with 403", async () => {
    expect(
      await refusal(
        redemptionToken({ ctx, channel, body: await body({ signedChainId: 1 }), nowSeconds: NOW }),
      ),
    ).toEqual(notProvider)
  })

  it('redemptionToken() refuses a signature that recovers to no address with 403', async () => {
    const zeros = redemptionTokenBody.parse({
      tokenId: '1',
      expiresAt: (NOW + 60n).toString(),
      signature: `0x${'00'.repeat(65)}`,
    })
    expect(await refusal(redemptionToken({ ctx, channel, body: zeros, nowSeconds: NOW }))).toEqual(
      notProvider,
    )
  })

  it('redemptionToken() refuses a token ID beyond uint256 with 403 rather than failing', async () => {
    const huge = redemptionTokenBody.parse({
      tokenId: '9'.repeat(78),
      expiresAt: (NOW + 60n).toString(),
      signature: (await body()).signature,
    })
    expect(await refusal(redemptionToken({ ctx, channel, body: huge, nowSeconds: NOW }))).toEqual(notProvider)
  })

  it('redemptionToken() answers 404 not_found for an address that is not a channel of the factory', async () => {
    for (const address of [
      chain.stranger.address.toLowerCase() as Address,
      chain.factory.toLowerCase() as Address,
    ]) {
      expect(
        await refusal(
          redemptionToken({
            ctx,
            channel: address,
            body: await body({ signedChannel: address }),
            nowSeconds: NOW,
          }),
        ),
      ).toEqual({ status: 404, code: 'not_found', message: `${address} is not a channel of this factory.` })
    }
  })

  it('redemptionToken() answers 404 no_token when the Payment Server accepted no token for that token ID', async () => {
    expect(
      await refusal(
        redemptionToken({ ctx, channel, body: await body({ signedTokenId: 2n }), nowSeconds: NOW }),
      ),
    ).toEqual({
      status: 404,
      code: 'no_token',
      message: 'The Payment Server here has accepted no token for token ID 2 of this channel.',
    })
    expect(
      await refusal(
        redemptionToken({ ctx, channel: other, body: await body({ signedChannel: other }), nowSeconds: NOW }),
      ),
    ).toEqual({
      status: 404,
      code: 'no_token',
      message: 'The Payment Server here has accepted no token for token ID 1 of this channel.',
    })
  })

  it('redemptionTokenBody refuses bodies that are not decimal numbers and a 65-byte signature', () => {
    const ok = { tokenId: '1', expiresAt: '100', signature: `0x${'ab'.repeat(65)}` }
    expect(redemptionTokenBody.safeParse(ok).success).toBe(true)
    for (const bad of [
      { ...ok, tokenId: '01' },
      { ...ok, tokenId: '-1' },
      { ...ok, expiresAt: '1e3' },
      { ...ok, signature: `0x${'ab'.repeat(64)}` },
      { ...ok, extra: true },
    ]) {
      expect(redemptionTokenBody.safeParse(bad).success, JSON.stringify(bad)).toBe(false)
    }
  })
})
