import { type Address, type Hex, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryAbi, intermediaryFactoryAbi } from '../../../contracts/generated'
import { startTestChain, type TestChain } from '../../../test/kit/chain'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { sendCall, testIndexer } from '../../../test/kit/indexer'
import { isAppError } from '../../errors'
import {
  addressDetailSchema,
  blockDetailSchema,
  blockPageSchema,
  channelDetailSchema,
  channelPageSchema,
  eventPageSchema,
  txDetailSchema,
} from '../../explorer/api'
import { createChainClient } from '../chain'
import { signTokenNative } from '../tokenCrypto'
import {
  getAddress,
  getBlock,
  getChannel,
  getTransaction,
  listBlocks,
  listChannels,
  listEvents,
  search,
} from '.'
import { countdown } from './channels'
import { explorerOpenApi } from './openapi'
import type { ExplorerContext } from './shared'

/*
 * The explorer's reads against a real anvil and a real indexed Postgres: one channel's life
 * (open with a deposit, deposit, redemption with a real token, a stranger's failing deposit),
 * a plain ether transfer the index does not hold, and every answer checked against its schema
 * and against values known from the chain.
 */

let chain: TestChain
let database: TestDatabase
let ctx: ExplorerContext
let factory: Address
let factoryBlock: bigint
let channel: Address
let indexer: ReturnType<typeof testIndexer>
const tx: Record<'open' | 'deposit' | 'start' | 'redeem' | 'failed' | 'transfer', Hex> = {} as never

async function expectError(promise: Promise<unknown>, status: number, code: string): Promise<string> {
  try {
    await promise
  } catch (error) {
    expect(isAppError(error)).toBe(true)
    const e = error as { status: number; code: string; message: string }
    expect({ status: e.status, code: e.code }).toEqual({ status, code })
    expect(e.message.length).toBeGreaterThan(10)
    return e.message
  }
  throw new Error(`expected a ${status} ${code}`)
}

beforeAll(async () => {
  chain = await startTestChain()
  database = await createTestDatabase()
  const [, consumer, provider, stranger] = chain.accounts as [
    never,
    TestChain['accounts'][0],
    TestChain['accounts'][0],
    TestChain['accounts'][0],
  ]
  factory = await chain.deployFactory()
  factoryBlock = await chain.publicClient.getBlockNumber()
  const opened = await chain.openChannel({
    factory,
    consumer,
    provider: provider.address,
    value: parseEther('1'),
    costPerRequest: 123_456_789n,
    redemptionTimeout: 60n,
    terminationTimeout: 600n,
  })
  channel = opened.channel
  tx.open = opened.receipt.transactionHash
  tx.deposit = (
    await sendCall(chain, { account: consumer, address: channel, functionName: 'deposit', value: 5_000n })
  ).transactionHash
  tx.start = (
    await sendCall(chain, {
      account: provider,
      address: channel,
      functionName: 'startRedemption',
      args: [2n],
    })
  ).transactionHash
  await chain.advanceTime(61)
  const token = signTokenNative({
    privateKey: chain.keys[1],
    chainId: chain.chain.id,
    channel,
    tokenId: 1n,
    requests: 7n,
  })
  tx.redeem = (
    await sendCall(chain, {
      account: provider,
      address: channel,
      functionName: 'redeem',
      args: [7n, token.signature],
    })
  ).transactionHash
  // A second redemption left pending, so the channel has a countdown.
  await sendCall(chain, { account: provider, address: channel, functionName: 'startRedemption', args: [3n] })
  const failed = await sendCall(chain, {
    account: stranger,
    address: channel,
    functionName: 'deposit',
    value: 1n,
  })
  expect(failed.status).toBe('reverted')
  tx.failed = failed.transactionHash

  await database.db.paymentService.create({
    data: {
      name: 'alice',
      team: 'team-a',
      address: consumer.address.toLowerCase(),
      keySource: 'env',
      keyEnv: 'ALICE_KEY',
      apiKeyHash: Buffer.alloc(32, 1),
      apiKeyPrefix: 'psk_alice_x',
    },
  })
  indexer = testIndexer({
    chain,
    db: database.db,
    factory: { address: factory, blockNumber: factoryBlock },
  })
  await indexer.syncToHead()

  // After indexing: a transfer the index never holds (no channel involved).
  tx.transfer = await chain
    .wallet(stranger)
    .sendTransaction({ to: consumer.address, value: 1_234_567_890_123_456_789n })
  await chain.mined(tx.transfer)

  ctx = { db: database.db, chain: createChainClient({ rpcUrl: chain.url }), rpcUrl: chain.url }
}, 120_000)

afterAll(async () => {
  await database?.drop()
  await chain?.stop()
})

describe('transactions', () => {
  it('decodes the factory call that opened the channel, with typed exact arguments and both events', async () => {
    const detail = txDetailSchema.parse(await getTransaction(ctx, tx.open))
    const t = detail.transaction
    const receipt = await chain.publicClient.getTransactionReceipt({ hash: tx.open })
    const sent = await chain.publicClient.getTransaction({ hash: tx.open })
    expect(t).toMatchObject({
      source: 'index',
      status: 'success',
      from: chain.accounts[1]!.address.toLowerCase(),
      to: factory.toLowerCase(),
      value: '1000000000000000000',
      blockNumber: receipt.blockNumber.toString(),
      txIndex: String(receipt.transactionIndex),
      gasUsed: receipt.gasUsed.toString(),
      effectiveGasPrice: receipt.effectiveGasPrice.toString(),
      fee: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
      nonce: String(sent.nonce),
      gasLimit: sent.gas.toString(),
      input: sent.input,
      channel: factory.toLowerCase(),
      revert: null,
    })
    expect(t.call).toEqual({
      name: 'open',
      signature: 'open(address,uint256,uint256,uint256)',
      selector: sent.input.slice(0, 10),
      args: [
        { name: 'provider', type: 'address', value: chain.accounts[2]!.address.toLowerCase() },
        { name: 'costPerRequest', type: 'uint256', value: '123456789' },
        { name: 'redemptionTimeout', type: 'uint256', value: '60' },
        { name: 'terminationTimeout', type: 'uint256', value: '600' },
      ],
    })
    expect(detail.events.map((e) => e.name)).toEqual(['Deposited', 'ChannelOpened'])
    const openedEvent = detail.events[1]!
    expect(openedEvent.args).toContainEqual({ name: 'channel', type: 'address', value: channel })
    expect(openedEvent.topics).toEqual(receipt.logs[1]!.topics.map((x) => x.toLowerCase()))
    expect(detail.labels[chain.accounts[1]!.address.toLowerCase()]).toMatchObject({
      name: 'alice',
      team: 'team-a',
    })
    expect(detail.labels[factory.toLowerCase()]).toMatchObject({ kind: 'factory' })
    expect(detail.labels[channel]).toMatchObject({
      kind: 'channel',
      name: expect.stringMatching(/^channel alice → 0x/),
    })
  })

  it('decodes a redemption with the signature bytes and the Redeemed amounts', async () => {
    const detail = await getTransaction(ctx, tx.redeem)
    expect(detail.transaction.call?.name).toBe('redeem')
    expect(detail.transaction.call?.args[0]).toEqual({ name: 'requests', type: 'uint256', value: '7' })
    expect(detail.transaction.call?.args[1]).toMatchObject({ name: 'signature', type: 'bytes' })
    const redeemed = detail.events.find((e) => e.name === 'Redeemed')
    expect(redeemed?.args).toContainEqual({
      name: 'amount',
      type: 'uint256',
      value: String(7n * 123_456_789n),
    })
  })

  it('gives the custom error of a failed call by name, with a sentence', async () => {
    const detail = await getTransaction(ctx, tx.failed)
    expect(detail.transaction.status).toBe('reverted')
    expect(detail.transaction.revert).toMatchObject({ name: 'NotConsumer', args: [] })
    expect(detail.transaction.revert?.message).toMatch(/consumer/i)
    expect(detail.transaction.call?.name).toBe('deposit')
    expect(detail.events).toEqual([])
  })

  it('reads a transaction the index does not hold from the node', async () => {
    const detail = txDetailSchema.parse(await getTransaction(ctx, tx.transfer))
    expect(detail.transaction).toMatchObject({
      source: 'node',
      status: 'success',
      value: '1234567890123456789',
      call: null,
      input: '0x',
      to: chain.accounts[1]!.address.toLowerCase(),
    })
    expect(detail.transaction.fee).toBe(
      (BigInt(detail.transaction.gasUsed!) * BigInt(detail.transaction.effectiveGasPrice!)).toString(),
    )
    expect(detail.transaction.confirmations).toBe('1')
  })

  it('refuses a malformed hash (400) and says a well-formed unknown one is nowhere (404)', async () => {
    await expectError(getTransaction(ctx, '0x1234'), 400, 'invalid_hash')
    const message = await expectError(getTransaction(ctx, `0x${'ab'.repeat(32)}`), 404, 'not_found')
    expect(message).toContain('neither in the index nor on the node')
  })
})

describe('blocks', () => {
  it('pages through indexed blocks newest first with a cursor, with no gaps or repeats', async () => {
    const first = blockPageSchema.parse(await listBlocks(ctx, { limit: 3 }))
    const indexedHead = (await database.db.indexerState.findFirstOrThrow()).cursorNumber!
    expect(first.blocks.map((b) => b.number)).toEqual([0n, 1n, 2n].map((i) => (indexedHead - i).toString()))
    expect(first.head.indexed).toBe(indexedHead.toString())
    expect(Object.keys(first.labels)).toEqual([]) // anvil's miner is nobody we know
    expect(first.head.number).toBe((indexedHead + 1n).toString()) // the unindexed transfer's block
    const second = await listBlocks(ctx, { limit: 3, cursor: first.nextCursor })
    expect(second.blocks[0]!.number).toBe((indexedHead - 3n).toString())
    let all = [...first.blocks, ...second.blocks]
    let cursor = second.nextCursor
    while (cursor) {
      const page = await listBlocks(ctx, { limit: 100, cursor })
      all = all.concat(page.blocks)
      cursor = page.nextCursor
    }
    // The index starts at the factory's block.
    expect(all.map((b) => BigInt(b.number))).toEqual(
      Array.from({ length: Number(indexedHead - factoryBlock) + 1 }, (_, i) => indexedHead - BigInt(i)),
    )
    await expectError(listBlocks(ctx, { cursor: 'zzz' }), 400, 'invalid_cursor')
  })

  it('shows a block with its header and its transactions, labelled', async () => {
    const receipt = await chain.publicClient.getTransactionReceipt({ hash: tx.open })
    const node = await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber })
    const detail = blockDetailSchema.parse(await getBlock(ctx, receipt.blockNumber.toString()))
    expect(detail.block).toMatchObject({
      number: node.number.toString(),
      hash: node.hash,
      parentHash: node.parentHash,
      gasUsed: node.gasUsed.toString(),
      gasLimit: node.gasLimit.toString(),
      baseFeePerGas: node.baseFeePerGas?.toString(),
      size: node.size.toString(),
      txCount: '1',
      source: 'index',
      timestamp: new Date(Number(node.timestamp) * 1000).toISOString(),
    })
    expect(detail.transactions).toEqual([
      expect.objectContaining({
        hash: tx.open,
        method: 'open',
        status: 'success',
        value: '1000000000000000000',
      }),
    ])
  })

  it('reads a block newer than the index from the node, its transaction with status', async () => {
    const receipt = await chain.publicClient.getTransactionReceipt({ hash: tx.transfer })
    const detail = await getBlock(ctx, receipt.blockNumber.toString())
    expect(detail.block.source).toBe('node')
    expect(detail.transactions).toEqual([
      expect.objectContaining({
        hash: tx.transfer,
        status: 'success',
        method: null,
        value: '1234567890123456789',
      }),
    ])
  })

  it('answers 404 past the head and 400 for what is not a number', async () => {
    const head = await chain.publicClient.getBlockNumber()
    const message = await expectError(getBlock(ctx, (head + 5n).toString()), 404, 'not_found')
    expect(message).toContain(`newest block is ${head}`)
    await expectError(getBlock(ctx, '12abc'), 400, 'invalid_block_number')
    await expectError(getBlock(ctx, '-1'), 400, 'invalid_block_number')
  })
})

describe('channels and addresses', () => {
  it('lists the channel with exact state and shows its countdown, events and transactions', async () => {
    const page = channelPageSchema.parse(await listChannels(ctx))
    expect(page.channels).toHaveLength(1)
    const state = {
      consumerFunds: await chain.publicClient.readContract({
        address: channel,
        abi: intermediaryAbi,
        functionName: 'consumerFunds',
      }),
      redeemableAt: await chain.publicClient.readContract({
        address: channel,
        abi: intermediaryAbi,
        functionName: 'redeemableAt',
      }),
    }
    expect(page.channels[0]).toMatchObject({
      address: channel,
      phase: 'redeeming',
      costPerRequest: '123456789',
      consumerFunds: state.consumerFunds.toString(),
      providerFunds: String(7n * 123_456_789n),
      expiringTokenId: '2',
      activeTokenId: '3',
      totalRequests: '7',
      redemptions: '1',
    })

    const detail = channelDetailSchema.parse(await getChannel(ctx, channel))
    const head = await chain.publicClient.getBlock()
    expect(detail.countdowns.redeemable).toMatchObject({
      at: new Date(Number(state.redeemableAt) * 1000).toISOString(),
      secondsLeft: Number(state.redeemableAt - head.timestamp),
      due: false,
    })
    expect(detail.countdowns.termination).toBeNull()
    expect(detail.events.map((e) => e.name)).toEqual([
      'RedemptionStarted',
      'Redeemed',
      'RedemptionStarted',
      'Deposited',
      'ChannelOpened',
      'Deposited',
    ])
    expect(detail.transactions.map((t) => t.hash)).toEqual([
      tx.failed,
      expect.any(String), // the second startRedemption
      tx.redeem,
      tx.start,
      tx.deposit,
      tx.open, // sent to the factory, listed with the channel it opened
    ])
    expect(detail.transactions.find((t) => t.hash === tx.failed)?.status).toBe('reverted')
    await expectError(getChannel(ctx, chain.accounts[1]!.address), 404, 'not_found')
    await expectError(getChannel(ctx, 'nope'), 400, 'invalid_address')
  })

  it('counts down in blocks at the recent block time, and is due at the deadline', () => {
    expect(countdown(1_000n, 940n, 12)).toMatchObject({ secondsLeft: 60, blocksLeft: '5', due: false })
    expect(countdown(1_000n, 1_000n, 12)).toMatchObject({ secondsLeft: 0, blocksLeft: '0', due: true })
    expect(countdown(1_000n, 999n, null)).toMatchObject({ secondsLeft: 1, blocksLeft: null, due: false })
  })

  it('lists the newest channel events across channels with a cursor', async () => {
    const first = eventPageSchema.parse(await listEvents(ctx, { limit: 4 }))
    const second = await listEvents(ctx, { limit: 4, cursor: first.nextCursor })
    expect([...first.events, ...second.events].map((e) => e.name)).toEqual([
      'RedemptionStarted',
      'Redeemed',
      'RedemptionStarted',
      'Deposited',
      'ChannelOpened',
      'Deposited',
    ])
    expect(second.nextCursor).toBeNull()
    // Addresses in the arguments are labelled too (the consumer of Deposited is alice).
    expect(second.labels[chain.accounts[1]!.address.toLowerCase()]).toMatchObject({ name: 'alice' })
  })

  it('shows an address with balance, label, its channels and its transactions', async () => {
    const consumer = chain.accounts[1]!.address
    const detail = addressDetailSchema.parse(await getAddress(ctx, consumer))
    expect(detail).toMatchObject({
      address: consumer.toLowerCase(),
      kind: 'account',
      balance: (await chain.publicClient.getBalance({ address: consumer })).toString(),
      nonce: String(await chain.publicClient.getTransactionCount({ address: consumer })),
      label: { name: 'alice', team: 'team-a', kind: 'service' },
      channel: null,
      head: { indexed: (await database.db.indexerState.findFirstOrThrow()).cursorNumber!.toString() },
    })
    expect(detail.channels.map((c) => c.address)).toEqual([channel])
    expect(detail.transactions.map((t) => t.hash)).toEqual([tx.deposit, tx.open])

    const asChannel = await getAddress(ctx, channel, { limit: 2 })
    expect(asChannel.kind).toBe('contract')
    expect(asChannel.channel?.address).toBe(channel)
    expect(asChannel.transactions).toHaveLength(2)
    const rest = await getAddress(ctx, channel, { limit: 25, cursor: asChannel.nextCursor })
    expect([...asChannel.transactions, ...rest.transactions].map((t) => t.hash)).toEqual([
      tx.failed,
      expect.any(String), // the second startRedemption
      tx.redeem,
      tx.start,
      tx.deposit,
    ])
  })
})

describe('search', () => {
  it('leads a number, a hash, an address, a channel and a service name to their pages', async () => {
    const receipt = await chain.publicClient.getTransactionReceipt({ hash: tx.open })
    expect(await search(ctx, ` ${receipt.blockNumber} `)).toEqual({
      kind: 'block',
      path: `/blocks/${receipt.blockNumber}`,
    })
    expect(await search(ctx, tx.open.toUpperCase().replace('0X', '0x'))).toEqual({
      kind: 'transaction',
      path: `/tx/${tx.open}`,
    })
    expect(await search(ctx, tx.transfer)).toEqual({ kind: 'transaction', path: `/tx/${tx.transfer}` })
    expect(await search(ctx, receipt.blockHash)).toEqual({
      kind: 'block',
      path: `/blocks/${receipt.blockNumber}`,
    })
    const consumer = chain.accounts[1]!.address
    expect(await search(ctx, consumer)).toEqual({
      kind: 'address',
      path: `/address/${consumer.toLowerCase()}`,
    })
    expect(await search(ctx, channel)).toEqual({ kind: 'address', path: `/channels/${channel}` })
    expect(await search(ctx, 'Alice')).toEqual({
      kind: 'address',
      path: `/address/${consumer.toLowerCase()}`,
    })
  })

  it('says what it looked for when nothing matches, and what it accepts for garbage', async () => {
    expect(await expectError(search(ctx, '999999999'), 404, 'not_found')).toContain('does not exist yet')
    expect(await expectError(search(ctx, `0x${'cd'.repeat(32)}`), 404, 'not_found')).toContain(
      'No transaction or block',
    )
    expect(await expectError(search(ctx, 'bob'), 404, 'not_found')).toContain('No service')
    expect(await expectError(search(ctx, '0xzz; drop table'), 400, 'invalid_query')).toContain(
      'not a block number',
    )
    await expectError(search(ctx, '   '), 400, 'invalid_query')
  })
})

it('documents every explorer route in OpenAPI 3.1', () => {
  const doc = explorerOpenApi()
  expect(Object.keys(doc.paths ?? {}).sort()).toEqual([
    '/api/address/{address}',
    '/api/blocks',
    '/api/blocks/{number}',
    '/api/channels',
    '/api/channels/{address}',
    '/api/channels/{address}/redemption-token',
    '/api/costs/graph',
    '/api/costs/report.csv',
    '/api/costs/series',
    '/api/costs/services/{name}',
    '/api/events',
    '/api/rpc',
    '/api/search',
    '/api/services/labels',
    '/api/tx/{hash}',
  ])
})

// Last: it opens more channels, which the tests above do not expect.
it('pages through channels newest first, channels of one block told apart by address', async () => {
  const [, , provider, , other] = chain.accounts
  // Two opens mined into one block, so the cursor's second key (the address) decides.
  await chain.testClient.setAutomine(false)
  const hashes = await Promise.all(
    [chain.accounts[3]!, chain.accounts[5]!].map((consumer) =>
      chain.wallet(consumer).writeContract({
        address: factory,
        abi: intermediaryFactoryAbi,
        functionName: 'open',
        args: [provider!.address, 1n, 60n, 600n],
      }),
    ),
  )
  await chain.testClient.mine({ blocks: 1 })
  await chain.testClient.setAutomine(true)
  for (const hash of hashes) await chain.mined(hash)
  await chain.openChannel({ factory, consumer: other!, provider: provider!.address })
  await indexer.syncToHead()

  const seen: string[] = []
  let cursor: string | null = null
  do {
    const page: Awaited<ReturnType<typeof listChannels>> = await listChannels(ctx, { limit: 1, cursor })
    seen.push(...page.channels.map((c) => c.address))
    cursor = page.nextCursor
  } while (cursor)
  const rows = await database.db.channel.findMany({ orderBy: [{ openedBlock: 'desc' }, { address: 'desc' }] })
  expect(rows).toHaveLength(4)
  expect(rows[1]!.openedBlock).toBe(rows[2]!.openedBlock)
  expect(seen).toEqual(rows.map((r) => r.address))
})
