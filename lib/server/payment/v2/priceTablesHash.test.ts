import {
  type Address,
  createPublicClient,
  encodeEventTopics,
  type Hex,
  http,
  type Log,
  type PublicClient,
  type Transport,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryV2Abi } from '../../../../contracts/generated'
import type { ChannelTestbed } from '../../../../test/kit/testbed'
import type { ChannelRecord } from '../channels'
import { createPriceTables, pricesHashOf } from './priceTables'
import { paymentKitV2 } from './testing'

/*
 * A version 2 channel's price tables checked against the contract's hashes (issue 29, a
 * reviewer's gap): the tables come from PricesAnnounced logs read from the channel's opening
 * block as the index says it, and nothing checked them against `pricesHash`. A wrong block in
 * the index, or a node that drops a log, left an announcement out, and the Payment Server
 * signed and accepted tokens of the new ID at the old prices, which the contract refuses at
 * redemption. The node is the real anvil; only what a test says is filtered out of its logs.
 */

/**
 * What a test does to the calls of a client: counts them, may drop one announcement's log, and
 * may answer a head `lag` blocks behind the real one (a node of a load balancer that is behind).
 */
type Node = { calls: string[]; drop?: { channel: string; fromTokenId: bigint }; lag?: bigint }

const ANNOUNCED = encodeEventTopics({ abi: intermediaryV2Abi, eventName: 'PricesAnnounced' })[0] as Hex

/** A client of the testbed's node over HTTP whose calls `node` counts and whose logs it filters. */
function watchedClient(bed: ChannelTestbed, node: Node): PublicClient {
  const base = http(bed.url, { retryCount: 0 })
  const transport: Transport = (params) => {
    const inner = base(params)
    return {
      ...inner,
      request: (async (args: { method: string; params?: unknown }) => {
        node.calls.push(args.method)
        const result = await inner.request(args as Parameters<typeof inner.request>[0])
        if (args.method === 'eth_blockNumber' && node.lag)
          return `0x${(BigInt(result as Hex) - node.lag).toString(16)}`
        const drop = node.drop
        if (args.method !== 'eth_getLogs' || !drop) return result
        return (result as Log[]).filter(
          (l) =>
            !(
              l.address.toLowerCase() === drop.channel.toLowerCase() &&
              l.topics[0] === ANNOUNCED &&
              BigInt(l.topics[1] as Hex) === drop.fromTokenId
            ),
        )
      }) as typeof inner.request,
    }
  }
  return createPublicClient({ chain: bed.chain, transport }) as PublicClient
}

const serverNode: Node = { calls: [] }
const { kit, parties, t } = paymentKitV2({ client: (bed) => watchedClient(bed, serverNode) })
beforeAll(() => kit.start())
afterAll(() => kit.stop())

const OPENING = [1_000n, 5_000n]
const ANNOUNCED_PRICES = [1_500n, 7_000n]

/**
 * A paid request on a fresh channel, then the runner starts its redemption with a new table:
 * ID 2 is active at ANNOUNCED_PRICES (version 1), ID 1 expiring at the opening's (version 0).
 */
async function announcedChannel() {
  return announce(await kit.open({ deposit: 1_000_000n }))
}

/** {@link announcedChannel} on a channel opened before. */
async function announce(opened: Awaited<ReturnType<typeof kit.open>>) {
  const { channel, provider } = opened
  const issued = await t().server.issuerV2.issue({
    channel,
    consumer: parties.alice,
    count: 1,
    category: 'small',
  })
  expect(
    await t().server.verifier.verifyMany(provider, [
      { token: issued.tokens[0] as string, category: 'small' },
    ]),
  ).toMatchObject([{ accepted: true }])
  await t().server.channels.setPendingPrices(channel, ANNOUNCED_PRICES)
  t().server.settings.redeemValue = 1n
  await t().server.runner.runOnce()
  await t().server.runner.runOnce()
  const sent = await t().database.db.paymentSentTx.findFirst({
    where: { channel: channel.address, action: 'startRedemptionWithPrices' },
  })
  const receipt = await t().testbed.publicClient.getTransactionReceipt({ hash: sent?.hash as Hex })
  expect(await read(channel, 'activeTokenId')).toBe(2n)
  return { ...opened, announcedAt: receipt.blockNumber }
}

const read = (channel: ChannelRecord, functionName: 'activeTokenId' | 'expiringTokenId') =>
  t().testbed.publicClient.readContract({
    address: channel.address as Address,
    abi: intermediaryV2Abi,
    functionName,
  })

/** A price tables reader of its own on the testbed's node, its calls counted by `node`. */
const ownTables = (node: Node) =>
  createPriceTables({
    db: t().database.db,
    client: watchedClient(t().testbed, node),
    chainId: t().server.chainId,
  })

describe('price tables checked against the contract', () => {
  it("hashes a table as the contract's pricesHash does, for the opening table and an announced one", async () => {
    const { channel } = await announcedChannel()
    const at = { address: channel.address as Address, abi: intermediaryV2Abi } as const
    const pub = t().testbed.publicClient
    const [active, expiring] = await pub.readContract({ ...at, functionName: 'priceVersions' })
    expect([active, expiring]).toEqual([1n, 0n])
    expect(await pub.readContract({ ...at, functionName: 'pricesHash', args: [0n] })).toBe(
      pricesHashOf(OPENING),
    )
    expect(await pub.readContract({ ...at, functionName: 'initialPricesHash' })).toBe(pricesHashOf(OPENING))
    expect(await pub.readContract({ ...at, functionName: 'pricesHash', args: [1n] })).toBe(
      pricesHashOf(ANNOUNCED_PRICES),
    )
    expect(pricesHashOf(ANNOUNCED_PRICES)).not.toBe(pricesHashOf(OPENING))
  })

  it('an opening block in the index past the announcement: read again from block 0, the announced table is found; an ID read costs no call after', async () => {
    const { channel, announcedAt } = await announcedChannel()
    // The index's row says the channel opened after its announcement (another chain's row, a
    // missed reorg): the read from there finds no PricesAnnounced at all.
    await t().database.db.$executeRaw`INSERT INTO channel (chain_id, address, consumer, provider,
      cost_per_request, redemption_timeout, termination_timeout, opened_block, opened_tx, opened_at,
      consumer_funds, provider_funds, active_token_id, expiring_token_id, redeemable_at, last_token_id,
      terminates_at, terminated, total_deposited, total_redeemed, total_requests, total_withdrawn,
      redemptions, event_count, last_event_block, contract_version)
      VALUES (${t().server.chainId}, ${channel.address.toLowerCase()}, ${channel.consumer.toLowerCase()},
        ${channel.provider.toLowerCase()}, 1000, 60, 600, ${announcedAt + 1n}, '0x01', 0, 0, 0, 2, 1, 0, 2,
        0, false, 0, 0, 0, 0, 1, 1, ${announcedAt + 1n}, 2)`
    await t().testbed.testClient.mine({ blocks: 3 }) // so that the read from there has blocks to read
    const node: Node = { calls: [] }
    const tables = ownTables(node)
    expect(await tables.tableOf(channel.address, 2n)).toEqual(ANNOUNCED_PRICES)
    expect(await tables.tableOf(channel.address, 1n)).toEqual(OPENING)
    expect(node.calls.filter((m) => m === 'eth_getLogs').length).toBe(2) // the read and its retry from block 0

    // Both IDs were checked at that read: asking again is served from memory, no call at all.
    node.calls.length = 0
    expect(await tables.tableOf(channel.address, 2n)).toEqual(ANNOUNCED_PRICES)
    expect(await tables.tableOf(channel.address, 1n)).toEqual(OPENING)
    expect(node.calls).toEqual([])
  })

  it('a node that drops the announcement even from block 0: price_table_mismatch, no token issued or accepted for the ID, logged once', async () => {
    const opened = await announcedChannel()
    const { channel, providerApi } = opened
    serverNode.drop = { channel: channel.address, fromTokenId: 2n }
    try {
      const own = ownTables(serverNode)
      await expect(own.tableOf(channel.address, 2n)).rejects.toMatchObject({
        code: 'price_table_mismatch',
        status: 503,
      })

      t().server.priceTables.forget(channel.address)
      const issued = await kit.issue(channel, { category: 'small' })
      expect(issued.status).toBe(503)
      expect(issued.body.error.code).toBe('price_table_mismatch')
      const message: string = issued.body.error.message
      expect(message).toContain(channel.address.toLowerCase())
      expect(message).toContain('token ID 2')
      expect(message).toContain(pricesHashOf(ANNOUNCED_PRICES)) // the contract's
      expect(message).toContain(pricesHashOf(OPENING)) // what the logs gave
      expect(await kit.frontier(channel.address as Address, 2n)).toBeUndefined()

      const token = kit.wire({
        channel: channel.address as Address,
        tokenId: 2n,
        prices: ANNOUNCED_PRICES,
        requests: [1n, 0n],
      })
      const verified = await kit.verify(providerApi, { token, category: 'small' })
      expect(verified.status).toBe(503)
      expect(verified.body.error.code).toBe('price_table_mismatch')
      expect(await kit.acceptedRow(channel.address as Address, 2n)).toBeNull()

      const warnings = t().log.lines.filter(
        (l) => l.includes('warn:') && l.includes(channel.address.toLowerCase()),
      )
      expect(warnings).toHaveLength(1)
    } finally {
      serverNode.drop = undefined
    }

    // The node answers the whole log again: the next read finds the table and tokens are issued at it.
    t().server.priceTables.forget(channel.address)
    const issued = await kit.issue(channel, { category: 'small' })
    expect(issued.status).toBe(200)
    expect(issued.body.prices).toEqual(ANNOUNCED_PRICES.map(String))
  })

  it('an ID that became active after the tables were read is checked when first asked for, and its table read then', async () => {
    const opened = await kit.open({ deposit: 1_000_000n })
    const { channel } = opened
    const node: Node = { calls: [] }
    const tables = ownTables(node)
    // Read while ID 1 is the chain's last.
    expect(await tables.tableOf(channel.address, 1n)).toEqual(OPENING)
    await announce(opened)

    node.calls.length = 0
    expect(await tables.tableOf(channel.address, 2n)).toEqual(ANNOUNCED_PRICES)
    expect(node.calls).toContain('eth_call') // pricesHash and priceVersions, once
    node.calls.length = 0
    expect(await tables.tableOf(channel.address, 2n)).toEqual(ANNOUNCED_PRICES)
    expect(await tables.tableOf(channel.address, 1n)).toEqual(OPENING)
    expect(node.calls).toEqual([])
  })

  it("a node behind the caller's state (its head before the announcement): the new ID is refused, not served at an older ID's table, until the node has it", async () => {
    const { channel, announcedAt } = await announcedChannel()
    const head = await t().testbed.publicClient.getBlockNumber()
    const node: Node = { calls: [], lag: head - announcedAt + 1n }
    const tables = ownTables(node)
    await expect(tables.tableOf(channel.address, 2n)).rejects.toMatchObject({
      code: 'chain_unavailable',
      status: 503,
      message: expect.stringContaining('has not seen token ID 2'),
    })
    // Asked again at once: refused without asking the node; ID 1, which it has, is served.
    node.calls.length = 0
    await expect(tables.tableOf(channel.address, 2n)).rejects.toMatchObject({ code: 'chain_unavailable' })
    expect(node.calls).toEqual([])
    expect(await tables.tableOf(channel.address, 1n)).toEqual(OPENING)

    // The node caught up: after the short wait, the ID's table is read and checked.
    node.lag = 0n
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(await tables.tableOf(channel.address, 2n)).toEqual(ANNOUNCED_PRICES)
  })
})
