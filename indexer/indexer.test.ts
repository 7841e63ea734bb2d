import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readChannelState } from '../lib/channel'
import { bigintOf } from '../lib/columns/kinds'
import { createTestDatabase, type TestDatabase } from '../test/kit/database'
import {
  deploymentOf,
  type FactoryDeployment,
  indexedChannelState,
  indexedRows,
  memoryLogger,
  sendCall,
  testIndexer,
  waitFor,
} from '../test/kit/indexer'
import { type ChannelTestbed, startChannelTestbed } from '../test/kit/testbed'

/*
 * One channel life on anvil (open with a deposit, deposit, redemption with a real token,
 * withdrawals, termination, failed calls), indexed into Postgres: decoded rows, channel state
 * equal to the contract's, and the same rows however often and from wherever it is indexed.
 */

let chain: ChannelTestbed
let factory: FactoryDeployment
const channels: Address[] = []
const failed: Hex[] = []
let databases: TestDatabase[] = []

async function database() {
  const d = await createTestDatabase()
  databases.push(d)
  return d
}

beforeAll(async () => {
  chain = await startChannelTestbed()
  const { consumer, provider, stranger } = chain
  const deployedAt = await chain.publicClient.getTransactionCount({ address: chain.accounts[0]!.address })
  expect(deployedAt).toBe(1)
  factory = deploymentOf(chain)

  const a = await chain.open({ value: 10_000n })
  const b = await chain.open({ consumer: provider, provider: consumer.address })
  channels.push(a, b)

  await chain.send(consumer, a, 'deposit', [], 5_000n)
  await chain.send(provider, a, 'startRedemption', [7n])
  await chain.advanceTime(61)
  await chain.send(provider, a, 'redeem', [3n, await chain.sign(a, 1n, 3n)])
  await chain.send(provider, a, 'withdraw')
  // Failing calls (sent with a fixed gas limit, so they are mined): a stranger deposits, the
  // consumer withdraws before termination.
  for (const [account, functionName, value] of [
    [stranger, 'deposit', 1n],
    [consumer, 'withdraw', undefined],
  ] as const) {
    const receipt = await sendCall(chain, { account, address: a, functionName, value })
    expect(receipt.status).toBe('reverted')
    failed.push(receipt.transactionHash)
  }
  await chain.send(consumer, a, 'startTermination')
  await chain.send(provider, a, 'terminate')
  await chain.send(consumer, a, 'withdraw')
}, 120_000)

afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()))
  databases = []
  await chain?.stop()
})

describe('indexer on one channel life', () => {
  it('stores every event decoded, in chain order, with uint256 exact', async () => {
    const { db } = await database()
    await testIndexer({ chain, db, factory }).syncToHead()
    const rows = await indexedRows(db, chain.chain.id)
    const [a] = channels
    const names = rows.events.filter((e) => e.channel === a).map((e) => e.name)
    expect(names).toEqual([
      'Deposited',
      'ChannelOpened',
      'Deposited',
      'RedemptionStarted',
      'Redeemed',
      'Withdrawn',
      'TerminationStarted',
      'Terminated',
      'Withdrawn',
    ])
    const redeemed = rows.events.find((e) => e.name === 'Redeemed')!
    expect(redeemed.args).toEqual({
      tokenId: '1',
      requests: '3',
      amount: '3000',
      consumerFunds: '12000',
      providerFunds: '3000',
    })
    const opened = rows.events.find((e) => e.name === 'ChannelOpened' && e.channel === a)!
    expect(opened.address).toBe(factory.address.toLowerCase())
    expect((opened.args as Record<string, string>).provider).toBe(chain.provider.address.toLowerCase())
    expect(rows.state[0]!.events_indexed).toBe(String(rows.events.length))
  })

  it('keeps the channel state equal to what the contract reports', async () => {
    const { db } = await database()
    await testIndexer({ chain, db, factory }).syncToHead()
    for (const address of channels) {
      const onChain = await readChannelState({ client: chain.publicClient, address })
      const { address: _a, ...indexed } = (await indexedChannelState(db, chain.chain.id, address))!
      const { address: _b, ...contract } = onChain
      expect(indexed).toEqual(contract)
    }
    const row = await db.channel.findUniqueOrThrow({
      where: { chainId_address: { chainId: chain.chain.id, address: channels[0]! } },
    })
    expect(row.totalDeposited.toFixed()).toBe('15000')
    expect(row.totalRedeemed.toFixed()).toBe('3000')
    expect(row.totalRequests.toFixed()).toBe('3')
    expect(row.totalWithdrawn.toFixed()).toBe('15000')
    expect(row.terminatedBy).toBe(chain.provider.address.toLowerCase())
    expect(row.redemptions).toBe(1)
  })

  it('decodes transactions, failed ones with their custom error', async () => {
    const { db } = await database()
    await testIndexer({ chain, db, factory }).syncToHead()
    const txs = await db.transaction.findMany({
      where: { chainId: chain.chain.id },
      orderBy: { blockNumber: 'asc' },
    })
    expect(txs[0]!.contractAddress).toBe(factory.address.toLowerCase())
    const open = txs.find((t) => t.functionName === 'open')!
    expect(open.functionArgs).toEqual({
      provider: chain.provider.address.toLowerCase(),
      costPerRequest: '1000',
      redemptionTimeout: '60',
      terminationTimeout: '600',
    })
    expect(open.value.toFixed()).toBe('10000')
    expect(open.fee.toFixed()).toBe((bigintOf(open.gasUsed) * bigintOf(open.effectiveGasPrice)).toString())
    const redeem = txs.find((t) => t.functionName === 'redeem')!
    expect((redeem.functionArgs as Record<string, string>).requests).toBe('3')

    const [stranger, early] = failed.map((h) => txs.find((t) => t.hash === h)!)
    expect(stranger).toMatchObject({ status: 'reverted', functionName: 'deposit', errorName: 'NotConsumer' })
    expect(early).toMatchObject({ status: 'reverted', functionName: 'withdraw', errorName: 'NotTerminated' })
    expect(early!.errorArgs).toEqual({})
    expect(stranger!.channel).toBe(channels[0])
    // Every block from the factory's to the head is there, linked by parent hash.
    const blocks = await db.block.findMany({ where: { chainId: chain.chain.id }, orderBy: { number: 'asc' } })
    const head = await chain.publicClient.getBlockNumber()
    expect(blocks.map((b) => b.number)).toEqual(
      Array.from(
        { length: Number(head - factory.blockNumber + 1n) },
        (_, i) => factory.blockNumber + BigInt(i),
      ),
    )
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.parentHash).toBe(blocks[i - 1]!.hash)
  })

  it('is idempotent: indexing again, in ranges of one block, or from a second process gives the same rows', async () => {
    const first = await database()
    await testIndexer({ chain, db: first.db, factory }).syncToHead()
    const once = await indexedRows(first.db, chain.chain.id)
    await testIndexer({ chain, db: first.db, factory }).syncToHead()
    expect(await indexedRows(first.db, chain.chain.id)).toEqual(once)

    const second = await database()
    await testIndexer({ chain, db: second.db, factory, maxBlockRange: 1, maxBlocksPerRange: 1 }).syncToHead()
    expect(await indexedRows(second.db, chain.chain.id)).toEqual(once)

    const third = await database()
    await testIndexer({ chain, db: third.db, factory, blocks: 'relevant' }).syncToHead()
    const relevant = await indexedRows(third.db, chain.chain.id)
    expect(relevant.events).toEqual(once.events)
    expect(relevant.channels).toEqual(once.channels)
    // Relevant mode keeps only blocks with an event (and the factory's); it cannot see failed
    // calls, which emit nothing, without reading every block.
    const succeeded = once.transactions.filter((t) => t.status === 'success')
    expect(relevant.transactions).toEqual(succeeded)
    const withTx = new Set(succeeded.map((t) => t.block_number))
    expect(relevant.blocks.map((b) => b.number)).toEqual(
      once.blocks.map((b) => b.number).filter((n) => withTx.has(n)),
    )
  })

  it('waits, reports and retries while the factory is not known', async () => {
    const { db } = await database()
    const log = memoryLogger()
    let known: typeof factory | null = null
    const indexer = testIndexer({ chain, db, factory: () => known, log })
    const stop = new AbortController()
    const running = indexer.run(stop.signal)
    await waitFor(() => log.lines.some((l) => l.includes('no factory deployment is known')))
    known = factory
    await waitFor(
      async () =>
        (await db.indexerState.findUnique({ where: { chainId: chain.chain.id } }))?.phase === 'live',
    )
    stop.abort()
    await running
    const state = await db.indexerState.findUniqueOrThrow({ where: { chainId: chain.chain.id } })
    expect(state.cursorNumber).toBe(await chain.publicClient.getBlockNumber())
    expect(state.lastError).toBeNull()
  })
})
