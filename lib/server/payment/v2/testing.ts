import { type Address, createPublicClient, type Hex, http as httpTransport, type PublicClient } from 'viem'
import { intermediaryFactoryV2Abi, intermediaryFactoryV2Bytecode } from '../../../../contracts/generated'
import { formatToken } from '../../../../packages/payment-client/src/token'
import { formatTokenV2, parseTokenV2 } from '../../../../packages/payment-client/src/tokenV2'
import {
  type PaymentCores,
  servePayment,
  startPaymentCores,
  type TestPayment,
  testSettings,
} from '../../../../test/kit/payment'
import { type ChannelTestbed, startChannelTestbed } from '../../../../test/kit/testbed'
import { bigintOf } from '../../../columns/kinds'
import { FACTORY_V2_CONTRACT, saveDeployment } from '../../deployments'
import { signTokenNative } from '../../tokenCrypto'
import type { ChannelRecord } from '../channels'
import type { PaymentSettings } from '../server'
import type { Service } from '../services'
import { sameTeam, tcpProxy } from '../testing'
import { signTokenV2Native } from './tokenCryptoV2'

/*
 * Test helpers of version 2 channels on test/kit's startPaymentCores(): an IntermediaryFactoryV2
 * deployed beside the testbed's v1 factory and recorded as the stack records it, alice
 * (consumer) and bob (provider), channels opened through the Payment Server with a price
 * table, and the token calls over real HTTP (the server's fast path).
 */

/** The two categories most tests use: small at 1,000 wei, large at 5,000 wei per request. */
export const TWO_CATEGORIES = [
  { name: 'small', price: 1_000n },
  { name: 'large', price: 5_000n },
]

/** The counts a v2 wire token carries. */
export const countsOf = (token: string) => parseTokenV2(token).token.requests

/** A core with a v2 factory, alice and bob, HTTP token calls and reads of what was accepted. */
export function paymentKitV2({
  proxied = false,
  settings,
  client: clientOf,
}: {
  /** The server reads the chain through a TCP proxy (`kit.proxy()`) a test can close: a node outage. */
  proxied?: boolean
  settings?: Partial<PaymentSettings>
  /** The server's node client made from the testbed's (a test that counts or filters calls). */
  client?: (bed: ChannelTestbed) => PublicClient
} = {}) {
  let cores: PaymentCores | undefined
  let core: TestPayment | undefined
  let http: Awaited<ReturnType<typeof servePayment>> | undefined
  let providers = 0
  let proxy: Awaited<ReturnType<typeof tcpProxy>> | undefined
  let realBed: ChannelTestbed | undefined
  const parties = {} as { alice: Service; bob: Service; aliceKey: Hex; aliceApi: string; bobApi: string }
  const t = (): TestPayment => {
    if (!core) throw new Error('paymentKitV2: call start() first')
    return core
  }

  /** POSTs `body` to the Payment Server's `path` as the service with `apiKey`; status and JSON. */
  async function post(path: string, apiKey: string, body: unknown) {
    const response = await fetch(`${http?.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(body),
    })
    // biome-ignore lint/suspicious/noExplicitAny: a test reads the answer's fields by name
    return { status: response.status, body: (await response.json()) as any }
  }

  const kit = {
    async start() {
      const bed = await startChannelTestbed()
      realBed = bed
      let seen = bed
      if (proxied) {
        proxy = await tcpProxy(Number(new URL(bed.url).port))
        // No retries, so a refusal is at once.
        const client = createPublicClient({
          chain: bed.chain,
          transport: httpTransport(proxy.url, { retryCount: 0 }),
        })
        seen = { ...bed, publicClient: client as unknown as ChannelTestbed['publicClient'] }
      }
      if (clientOf)
        seen = { ...seen, publicClient: clientOf(seen) as unknown as ChannelTestbed['publicClient'] }
      cores = await startPaymentCores(seen)
      // No counts taken ahead unless a test asks (so what was issued is what was asked for).
      core = await cores.core(undefined, testSettings({ issueAhead: 0, ...settings }))
      const { testbed, database, server } = core
      const alice = await core.service('alice', { price: null })
      const bob = await core.service('bob', { price: null })
      Object.assign(parties, {
        alice: alice.service,
        bob: bob.service,
        aliceApi: alice.apiKey,
        bobApi: bob.apiKey,
        aliceKey: await server.services.privateKey(alice.service),
      })
      const hash = await testbed.wallet(testbed.accounts[0]!).deployContract({
        abi: intermediaryFactoryV2Abi,
        bytecode: intermediaryFactoryV2Bytecode,
      })
      const receipt = await testbed.mined(hash)
      const genesis = await testbed.publicClient.getBlock({ blockNumber: 0n })
      await saveDeployment({
        db: database.db,
        record: {
          chainId: server.chainId,
          contract: FACTORY_V2_CONTRACT,
          address: receipt.contractAddress as Address,
          blockNumber: receipt.blockNumber,
          blockHash: receipt.blockHash,
          txHash: hash,
          genesisHash: genesis.hash,
        },
      })
      http = await servePayment(server)
      return { t: core, ...parties }
    },

    async stop() {
      await http?.close()
      await cores?.stop()
      await proxy?.close()
      await realBed?.stop()
    },

    /** The TCP proxy between the server and its node (with `proxied`). */
    proxy: () => proxy as Awaited<ReturnType<typeof tcpProxy>>,

    /**
     * A fresh v2 channel from alice to a new provider service (opening is get-or-create per
     * pair, so each call registers its own provider), through the Payment Server.
     */
    async open({
      prices = TWO_CATEGORIES,
      deposit = 1_000_000n,
      providerPrice = null,
    }: {
      prices?: ReadonlyArray<{ name: string; price: bigint }>
      deposit?: bigint
      /** The provider service's own lowest price per request (none by default). */
      providerPrice?: bigint | null
    } = {}) {
      const provider = await t().service(`provider-${++providers}`, { price: providerPrice })
      const { channel } = await t().server.channels.open({
        consumer: parties.alice,
        provider: provider.service.address,
        costPerRequest: 0n,
        deposit,
        redemptionTimeout: 60n,
        terminationTimeout: 600n,
        autoFund: null,
        prices,
      })
      return { channel, provider: provider.service, providerApi: provider.apiKey }
    },

    /** POST /api/payment/tokens as alice, for her open channel to `channel`'s provider. */
    issue: (
      channel: ChannelRecord,
      body: { count?: number; category?: number | string; maxPrice?: string } = {},
    ) => post('/api/payment/tokens', parties.aliceApi, { provider: channel.provider, ...body }),

    /** POST /api/payment/tokens/verify as the provider with `apiKey`. */
    verify: (apiKey: string, body: unknown) => post('/api/payment/tokens/verify', apiKey, body),

    post,

    /** The base URL of the Payment Server's token calls (its fast path over HTTP). */
    url: () => http?.url as string,

    /** A second core on the same testbed, database and keystore (another instance of the team's server). */
    secondCore: (settings: Partial<PaymentSettings> = {}) =>
      (cores as PaymentCores).core(t(), sameTeam(t(), { issueAhead: 0, ...settings })),

    /** A v2 wire token for `channel`, signed by alice unless another key is given. */
    wire({
      channel,
      tokenId = 1n,
      prices = TWO_CATEGORIES.map((c) => c.price),
      requests,
      key = parties.aliceKey,
    }: {
      channel: Address
      tokenId?: bigint
      prices?: readonly bigint[]
      requests: readonly bigint[]
      key?: Hex
    }): string {
      const chainId = t().server.chainId
      const token = signTokenV2Native({ privateKey: key, chainId, channel, tokenId, prices, requests })
      return formatTokenV2({ chainId, token })
    },

    /** A v1 wire token for `channel`, signed by alice (a v1 token where a v2 one belongs). */
    wireV1({
      channel,
      tokenId = 1n,
      requests,
    }: {
      channel: Address
      tokenId?: bigint
      requests: bigint
    }): string {
      const chainId = t().server.chainId
      const token = signTokenNative({ privateKey: parties.aliceKey, chainId, channel, tokenId, requests })
      return formatToken({ chainId, token })
    },

    /** The payment_accepted_v2 row of a token ID, numbers as bigint (undefined when none). */
    async acceptedRow(channel: Address, tokenId = 1n) {
      const row = await t().database.db.paymentAcceptedV2.findFirst({
        where: { channel, tokenId: tokenId.toString() },
      })
      return (
        row && {
          requests: row.requests.map(bigintOf),
          prices: row.prices.map(bigintOf),
          accepted: bigintOf(row.accepted),
          signature: row.signature,
          redeemedAmount: row.redeemedAmount ? bigintOf(row.redeemedAmount) : null,
        }
      )
    },

    /** The issuer's frontier of a token ID (payment_issued_v2), undefined when none. */
    async frontier(channel: Address, tokenId = 1n) {
      const row = await t().database.db.paymentIssuedV2.findFirst({
        where: { channel, tokenId: tokenId.toString() },
      })
      return row?.requests.map(bigintOf)
    },
  }
  return { kit, parties, t }
}
