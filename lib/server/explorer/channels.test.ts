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

let bed: ExplorerTestbed

beforeAll(async () => {
  bed = await startExplorerTestbed()
}, 120_000)

afterAll(() => bed?.stop())

describe('channels and addresses', () => {
  it('lists the channel with exact state and shows its countdown, events and transactions', async () => {
    const page = channelPageSchema.parse(await listChannels(bed.ctx))
    expect(page.channels).toHaveLength(1)
    const state = {
      consumerFunds: await bed.chain.publicClient.readContract({
        address: bed.channel,
        abi: intermediaryAbi,
        functionName: 'consumerFunds',
      }),
      redeemableAt: await bed.chain.publicClient.readContract({
        address: bed.channel,
        abi: intermediaryAbi,
        functionName: 'redeemableAt',
      }),
    }
    expect(page.channels[0]).toMatchObject({
      address: bed.channel,
      phase: 'redeeming',
      costPerRequest: '123456789',
      consumerFunds: state.consumerFunds.toString(),
      providerFunds: String(7n * 123_456_789n),
      expiringTokenId: '2',
      activeTokenId: '3',
      totalRequests: '7',
      redemptions: '1',
    })

    const detail = channelDetailSchema.parse(await getChannel(bed.ctx, bed.channel))
    const head = await bed.chain.publicClient.getBlock()
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
      bed.tx.failed,
      expect.any(String), // the second startRedemption
      bed.tx.redeem,
      bed.tx.start,
      bed.tx.deposit,
      bed.tx.open, // sent to the factory, listed with the channel it opened
    ])
    expect(detail.transactions.find((t) => t.hash === bed.tx.failed)?.status).toBe('reverted')
    await expectError(getChannel(bed.ctx, bed.chain.accounts[1]!.address), 404, 'not_found')
    await expectError(getChannel(bed.ctx, 'nope'), 400, 'invalid_address')
  })

  it('counts down in blocks at the recent block time, and is due at the deadline', () => {
    expect(countdown(1_000n, 940n, 12)).toMatchObject({ secondsLeft: 60, blocksLeft: '5', due: false })
    expect(countdown(1_000n, 1_000n, 12)).toMatchObject({ secondsLeft: 0, blocksLeft: '0', due: true })
    expect(countdown(1_000n, 999n, null)).toMatchObject({ secondsLeft: 1, blocksLeft: null, due: false })
  })

  it('lists the newest channel events across channels with a cursor', async () => {
    const first = eventPageSchema.parse(await listEvents(bed.ctx, { limit: 4 }))
    const second = await listEvents(bed.ctx, { limit: 4, cursor: first.nextCursor })
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
    expect(second.labels[bed.chain.accounts[1]!.address.toLowerCase()]).toMatchObject({ name: 'alice' })
  })

  it('shows an address with balance, label, its channels and its transactions', async () => {
    const consumer = bed.chain.accounts[1]!.address
    const detail = addressDetailSchema.parse(await getAddress(bed.ctx, consumer))
    expect(detail).toMatchObject({
      address: consumer.toLowerCase(),
      kind: 'account',
      balance: (await bed.chain.publicClient.getBalance({ address: consumer })).toString(),
      nonce: String(await bed.chain.publicClient.getTransactionCount({ address: consumer })),
      label: { name: 'alice', team: 'team-a', kind: 'service' },
      channel: null,
      head: { indexed: (await bed.database.db.indexerState.findFirstOrThrow()).cursorNumber!.toString() },
    })
    expect(detail.channels.map((c) => c.address)).toEqual([bed.channel])
    expect(detail.transactions.map((t) => t.hash)).toEqual([bed.tx.deposit, bed.tx.open])

    const asChannel = await getAddress(bed.ctx, bed.channel, { limit: 2 })
    expect(asChannel.kind).toBe('contract')
    expect(asChannel.channel?.address).toBe(bed.channel)
    expect(asChannel.transactions).toHaveLength(2)
    const rest = await getAddress(bed.ctx, bed.channel, { limit: 25, cursor: asChannel.nextCursor })
    expect([...asChannel.transactions, ...rest.transactions].map((t) => t.hash)).toEqual([
      bed.tx.failed,
      expect.any(String), // the second startRedemption
      bed.tx.redeem,
      bed.tx.start,
      bed.tx.deposit,
    ])
  })
})

describe('search', () => {
  it('leads a number, a hash, an address, a channel and a service name to their pages', async () => {
    const receipt = await bed.chain.publicClient.getTransactionReceipt({ hash: bed.tx.open })
    expect(await search(bed.ctx, ` ${receipt.blockNumber} `)).toEqual({
      kind: 'block',
      path: `/blocks/${receipt.blockNumber}`,
    })
    expect(await search(bed.ctx, bed.tx.open.toUpperCase().replace('0X', '0x'))).toEqual({
      kind: 'transaction',
      path: `/tx/${bed.tx.open}`,
    })
    expect(await search(bed.ctx, bed.tx.transfer)).toEqual({
      kind: 'transaction',
      path: `/tx/${bed.tx.transfer}`,
    })
    expect(await search(bed.ctx, receipt.blockHash)).toEqual({
      kind: 'block',
      path: `/blocks/${receipt.blockNumber}`,
    })
    const consumer = bed.chain.accounts[1]!.address
    expect(await search(bed.ctx, consumer)).toEqual({
      kind: 'address',
      path: `/address/${consumer.toLowerCase()}`,
    })
    expect(await search(bed.ctx, bed.channel)).toEqual({ kind: 'address', path: `/channels/${bed.channel}` })
    // A service's name opens the service's page, whatever its case.
    expect(await search(bed.ctx, 'Alice')).toEqual({ kind: 'service', path: '/services/alice' })
  })

  it('says what it looked for when nothing matches, and what it accepts for garbage', async () => {
    expect(await expectError(search(bed.ctx, '999999999'), 404, 'not_found')).toContain('does not exist yet')
    expect(await expectError(search(bed.ctx, `0x${'cd'.repeat(32)}`), 404, 'not_found')).toContain(
      'No transaction or block',
    )
    expect(await expectError(search(bed.ctx, 'bob'), 404, 'not_found')).toContain('No service')
    expect(await expectError(search(bed.ctx, '0xzz; drop table'), 400, 'invalid_query')).toContain(
      'not a block number',
    )
    await expectError(search(bed.ctx, '   '), 400, 'invalid_query')
  })
})

// Last: it opens more channels, which the tests above do not expect.
it('pages through channels newest first, channels of one block told apart by address', async () => {
  const [, , provider, , other] = bed.chain.accounts
  // Two opens mined into one block, so the cursor's second key (the address) decides.
  await bed.chain.testClient.setAutomine(false)
  const hashes = await Promise.all(
    [bed.chain.accounts[3]!, bed.chain.accounts[5]!].map((consumer) =>
      bed.chain.wallet(consumer).writeContract({
        address: bed.factory,
        abi: intermediaryFactoryAbi,
        functionName: 'open',
        args: [provider!.address, 1n, 60n, 600n],
      }),
    ),
  )
  await bed.chain.testClient.mine({ blocks: 1 })
  await bed.chain.testClient.setAutomine(true)
  for (const hash of hashes) await bed.chain.mined(hash)
  await bed.chain.openChannel({ factory: bed.factory, consumer: other!, provider: provider!.address })
  await bed.indexer.syncToHead()

  const seen: string[] = []
  let cursor: string | null = null
  do {
    const page: Awaited<ReturnType<typeof listChannels>> = await listChannels(bed.ctx, { limit: 1, cursor })
    seen.push(...page.channels.map((c) => c.address))
    cursor = page.nextCursor
  } while (cursor)
  const rows = await bed.database.db.channel.findMany({
    orderBy: [{ openedBlock: 'desc' }, { address: 'desc' }],
  })
  expect(rows).toHaveLength(4)
  expect(rows[1]!.openedBlock).toBe(rows[2]!.openedBlock)
  expect(seen).toEqual(rows.map((r) => r.address))
})
