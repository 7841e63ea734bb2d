import type { PublicClient } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { paymentRoutes } from '../routes'
import { createPriceTables } from './priceTables'
import { paymentKitV2 } from './testing'

/*
 * A version 2 channel's price tables read from a node that, like public RPC endpoints, refuses
 * eth_getLogs over more than a few blocks: the Payment Server reads them in ranges it accepts
 * (from the channel's opening block when the index has the channel; here it has not, so from
 * the first block) and finds every table.
 */

const { kit, parties, t } = paymentKitV2()
beforeAll(() => kit.start())
afterAll(() => kit.stop())

const setPrices = paymentRoutes.find((r) => r.name === 'channels.prices')?.handler as (
  p: unknown,
) => Promise<unknown>

/** The testbed's node, but eth_getLogs over more than `blocks` blocks is refused, as a public node does. */
function rangeLimited(client: PublicClient, blocks: bigint, spans: bigint[]): PublicClient {
  return new Proxy(client, {
    get(target, key, receiver) {
      if (key !== 'getContractEvents') return Reflect.get(target, key, receiver)
      return (args: { fromBlock: bigint; toBlock: bigint }) => {
        const span = args.toBlock - args.fromBlock + 1n
        spans.push(span)
        if (span > blocks) return Promise.reject(new Error(`query exceeds max block range ${blocks}`))
        return target.getContractEvents(args as Parameters<PublicClient['getContractEvents']>[0])
      }
    },
  })
}

describe('price tables from a range-limited node', () => {
  it('reads every table in ranges the node accepts, from the channel on', async () => {
    const opened = await kit.open({ deposit: 1_000_000n })
    const { channel, provider } = opened
    await setPrices({
      server: t().server,
      caller: provider,
      params: { address: channel.address },
      body: { prices: ['1500', '7000'] },
    })
    t().server.settings.redeemValue = 1n
    // A paid request, so the runner has something to redeem and starts the redemption.
    const issued = await t().server.issuerV2.issue({
      channel,
      consumer: parties.alice,
      count: 1,
      category: 'small',
    })
    const outcomes = await t().server.verifier.verifyMany(
      provider,
      issued.tokens.map((token) => ({ token, category: 'small' })),
    )
    expect(outcomes.every((o) => o.accepted)).toBe(true)
    await t().server.runner.runOnce()
    await t().server.runner.runOnce()
    // Blocks on, so the channel's life spans several of the node's ranges.
    await t().testbed.testClient.mine({ blocks: 12 })

    const spans: bigint[] = []
    const client = rangeLimited(t().testbed.publicClient as unknown as PublicClient, 4n, spans)
    const tables = createPriceTables({
      db: t().database.db,
      client,
      chainId: t().server.chainId,
      maxBlockRange: 4,
    })
    expect(await tables.tableOf(channel.address, 2n)).toEqual([1_500n, 7_000n])
    expect(await tables.tableOf(channel.address, 1n)).toEqual([1_000n, 5_000n])
    expect(spans.length).toBeGreaterThan(1)
    expect(spans.every((s) => s <= 4n)).toBe(true)

    // The same node with one read over every block, as before: refused.
    const whole = createPriceTables({
      db: t().database.db,
      client,
      chainId: t().server.chainId,
      maxBlockRange: 1_000_000,
    })
    await expect(whole.tableOf(channel.address, 2n)).rejects.toMatchObject({ code: 'chain_unavailable' })
  })
})
