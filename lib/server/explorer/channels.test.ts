import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryAbi, intermediaryFactoryAbi } from '../../../contracts/generated'
import { expectError } from '../../../test/kit/errors'
import {
  addressDetailSchema,
  channelDetailSchema,
  channelPageSchema,
  eventPageSchema,
} from '../../explorer/api'
import { getAddress, getChannel, listChannels, listEvents, search } from '.'
import { countdown } from './channels'
import { type ExplorerTestbed, startExplorerTestbed } from './testing'

/*
 * The explorer's channels, events, addresses and search against a real anvil and a real
 * indexed Postgres (see startExplorerTestbed()): every answer checked against its schema and
 * against values known from the chain.
 */

let chain: ExplorerTestbed['chain']
let database: ExplorerTestbed['database']
let ctx: ExplorerTestbed['ctx']
let factory: ExplorerTestbed['factory']
let channel: ExplorerTestbed['channel']
let indexer: ExplorerTestbed['indexer']
let tx: ExplorerTestbed['tx']
let testbed: ExplorerTestbed

beforeAll(async () => {
  testbed = await startExplorerTestbed()
  ;({ chain, database, ctx, factory, channel, indexer, tx } = testbed)
}, 120_000)

afterAll(() => testbed?.stop())

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
