import type { AddressInfo } from 'node:net'
import express from 'express'
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryV2Abi } from '../../../contracts/generated'
import { createPaymentConsumer } from '../../../packages/payment-client/src/consumer'
import { paymentRequired } from '../../../packages/payment-client/src/middleware/express'
import { createPaymentVerifier, type Payment } from '../../../packages/payment-client/src/provider'
import { testIndexer } from '../../../test/kit/indexer'
import { createChainClient } from '../chain'
import type { ServerContext } from '../context'
import { FACTORY_V2_CONTRACT, findDeployment } from '../deployments'
import { callRoute } from '../payment/api/testing'
import { openChannelBody } from '../payment/schemas'
import { paymentKitV2 } from '../payment/v2/testing'
import { costGraph } from './graph'
import { serviceCosts } from './service'

/*
 * Exact transitive tracing end to end (thesis 3.4): alice and bob call charlie, charlie calls
 * dave for their deep requests and tags each with its origin (the consumer of the request it
 * serves, `payment.consumer`) through a version 2 channel whose categories trace alice and bob;
 * dave's route serves any category. Real Payment Server, client library and Express services,
 * the runner redeeming on anvil, the real indexer. The service page's figures for alice and bob
 * are checked against the Redeemed logs read from the chain by viem.
 */

const { kit, parties, t } = paymentKitV2()
const CHARLIE_PRICE = 10_000n
const DAVE_PRICES = [3_000n, 3_000n]
let ctx: ServerContext
let channel: Address
const servers: Array<{ close: () => void }> = []

/** Serves `handler` behind the payment middleware of the service with `apiKey` (`category: '*'` for dave). */
async function serve(
  apiKey: string,
  options: { category?: '*' },
  handler: (payment: Payment, deep: boolean) => Promise<unknown>,
) {
  const app = express()
  const verifier = createPaymentVerifier({ serverUrl: kit.url(), apiKey })
  app.get('/', paymentRequired(verifier, options), async (req, res) => {
    res.json(await handler((req as { payment?: Payment }).payment as Payment, req.query.deep === '1'))
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  servers.push(server)
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeAll(async () => {
  await kit.start()
  const charlie = await t().service('charlie', { price: CHARLIE_PRICE })
  const dave = await t().service('dave', { price: null })
  for (const consumer of [parties.alice, parties.bob])
    await t().channel(consumer, charlie.service, { costPerRequest: CHARLIE_PRICE })
  const opened = await callRoute(t().server, 'channels.open', {
    caller: charlie.service,
    body: openChannelBody.parse({
      provider: 'dave',
      deposit: '1000000',
      prices: [
        { name: 'for-alice', price: String(DAVE_PRICES[0]), origin: 'alice' },
        { name: 'for-bob', price: String(DAVE_PRICES[1]), origin: 'bob' },
      ],
    }),
  })
  channel = opened.body.channel.address

  const daveUrl = await serve(dave.apiKey, { category: '*' }, async (p) => ({ category: p.category }))
  const charlieCalls = createPaymentConsumer({ serverUrl: kit.url(), apiKey: charlie.apiKey, prefetch: 0 })
  const charlieUrl = await serve(charlie.apiKey, {}, async (payment, deep) => {
    if (!deep) return { deep: false }
    // The request is made for whoever paid charlie: its origin.
    const answer = await charlieCalls.fetch('dave', daveUrl, { origin: payment.consumer })
    return { deep: true, dave: await answer.json() }
  })

  // alice: 3 deep calls of 5; bob: 1 of 2.
  for (const [who, apiKey, deep] of [
    ['alice', parties.aliceApi, [true, false, true, true, false]],
    ['bob', parties.bobApi, [false, true]],
  ] as const) {
    const calls = createPaymentConsumer({ serverUrl: kit.url(), apiKey, prefetch: 0 })
    for (const d of deep) {
      const response = await calls.fetch('charlie', `${charlieUrl}/?deep=${d ? 1 : 0}`)
      expect({ who, status: response.status }).toEqual({ who, status: 200 })
    }
  }

  // The runner redeems every channel: start, then after the timeout redeem, then book it.
  t().server.settings.redeemValue = 1n
  await t().server.runner.runOnce()
  await t().testbed.advanceTime(61)
  await t().server.runner.runOnce()
  await t().server.runner.runOnce()

  const db = t().database.db
  const v2 = await findDeployment({ db, chainId: t().server.chainId, contract: FACTORY_V2_CONTRACT })
  const indexer = testIndexer({ chain: t().testbed, db, factoryV2: v2 as NonNullable<typeof v2> })
  await indexer.syncToHead()
  const url = t().testbed.url
  ctx = { db, chain: createChainClient({ rpcUrl: url }), rpcUrl: url }
})
afterAll(async () => {
  for (const s of servers) s.close()
  await kit.stop()
})

/** Per category of charlie → dave: the wei and requests redeemed, from the chain's Redeemed logs. */
async function redeemedByCategory() {
  const logs = await t().testbed.publicClient.getContractEvents({
    address: channel,
    abi: intermediaryV2Abi,
    eventName: 'Redeemed',
    fromBlock: 0n,
  })
  const sums = DAVE_PRICES.map(() => ({ requests: 0n, amount: 0n }))
  for (const { args } of logs) {
    const requests = args.requests as readonly bigint[]
    const prices = args.prices as readonly bigint[]
    // Uncapped (the deposit covers it): each category's share is its requests × price.
    expect(args.amount).toBe(requests.reduce((sum, n, i) => sum + n * (prices[i] as bigint), 0n))
    requests.forEach((n, i) => {
      ;(sums[i] as { requests: bigint }).requests += n
      ;(sums[i] as { amount: bigint }).amount += n * (prices[i] as bigint)
    })
  }
  return sums
}

describe('exact transitive tracing through the Payment Server, the chain and the indexer', () => {
  it("the service page's exact parts are what the chain redeemed in each origin's category", async () => {
    const [forAlice, forBob] = await redeemedByCategory()
    // alice made 3 deep calls, bob 1: charlie's calls to dave counted them, category by category.
    expect([forAlice?.requests, forBob?.requests]).toEqual([3n, 1n])

    const charlie = (await t().server.services.byName('charlie'))?.address.toLowerCase()
    const alice = await serviceCosts(ctx, 'alice', { window: 'all' })
    expect(alice.loaded.parts).toEqual([
      expect.objectContaining({
        service: charlie,
        attributed: String(forAlice?.amount),
        traced: String(forAlice?.amount),
        basis: 'exact',
      }),
    ])
    const bob = await serviceCosts(ctx, 'bob', { window: 'all' })
    expect(bob.loaded.parts).toEqual([
      expect.objectContaining({
        service: charlie,
        attributed: String(forBob?.amount),
        traced: String(forBob?.amount),
        basis: 'exact',
      }),
    ])
    // Not the request-share estimate: alice sent 5 of charlie's 7 requests, 5/7 of 12,000 wei
    // would be 8,571; she caused 9,000.
    expect(BigInt(alice.loaded.own)).toBe(5n * CHARLIE_PRICE)
    expect(BigInt(alice.loaded.total)).toBe(5n * CHARLIE_PRICE + (forAlice?.amount as bigint))
    // Together alice and bob carry all of charlie's spend, to the wei.
    const charlieCosts = await serviceCosts(ctx, 'charlie', { window: 'all' })
    expect(BigInt(alice.loaded.attributed) + BigInt(bob.loaded.attributed)).toBe(
      BigInt(charlieCosts.loaded.own),
    )
  })

  it("the graph's charlie → dave edge names the origin of each traced category, with what the chain redeemed in it", async () => {
    const [forAlice, forBob] = await redeemedByCategory()
    const address = async (name: string) => (await t().server.services.byName(name))?.address.toLowerCase()
    const [charlie, dave, alice, bob] = await Promise.all(['charlie', 'dave', 'alice', 'bob'].map(address))
    const graph = await costGraph(ctx, { window: 'all' })
    const edge = graph.edges.find((e) => e.consumer === charlie && e.provider === dave)
    expect(edge?.categories?.map((c) => [c.name, c.origin, c.settled])).toEqual([
      ['for-alice', alice, String(forAlice?.amount)],
      ['for-bob', bob, String(forBob?.amount)],
    ])
    // A pair that traces nothing says nothing of origins.
    const paid = graph.edges.find((e) => e.consumer === alice && e.provider === charlie)
    expect(paid?.categories).toBeUndefined()
  })
})
