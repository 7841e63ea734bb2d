import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectError } from '../../../test/kit/errors'
import { blockDetailSchema, blockPageSchema, txDetailSchema } from '../../explorer/api'
import { getBlock, getTransaction, listBlocks } from '.'
import { type ExplorerTestbed, startExplorerTestbed } from './testing'

/*
 * The explorer's transactions and blocks against a real anvil and a real indexed Postgres
 * (see startExplorerTestbed()): every answer checked against its schema and against values
 * known from the chain.
 */

let bed: ExplorerTestbed

beforeAll(async () => {
  bed = await startExplorerTestbed()
}, 120_000)

afterAll(() => bed?.stop())

describe('transactions', () => {
  it('decodes the factory call that opened the channel, with typed exact arguments and both events', async () => {
    const detail = txDetailSchema.parse(await getTransaction(bed.ctx, bed.tx.open))
    const t = detail.transaction
    const receipt = await bed.chain.publicClient.getTransactionReceipt({ hash: bed.tx.open })
    const sent = await bed.chain.publicClient.getTransaction({ hash: bed.tx.open })
    expect(t).toMatchObject({
      source: 'index',
      status: 'success',
      from: bed.chain.accounts[1]!.address.toLowerCase(),
      to: bed.factory.toLowerCase(),
      value: '1000000000000000000',
      blockNumber: receipt.blockNumber.toString(),
      txIndex: String(receipt.transactionIndex),
      gasUsed: receipt.gasUsed.toString(),
      effectiveGasPrice: receipt.effectiveGasPrice.toString(),
      fee: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
      nonce: String(sent.nonce),
      gasLimit: sent.gas.toString(),
      input: sent.input,
      channel: bed.factory.toLowerCase(),
      revert: null,
    })
    expect(t.call).toEqual({
      name: 'open',
      signature: 'open(address,uint256,uint256,uint256)',
      selector: sent.input.slice(0, 10),
      args: [
        { name: 'provider', type: 'address', value: bed.chain.accounts[2]!.address.toLowerCase() },
        { name: 'costPerRequest', type: 'uint256', value: '123456789' },
        { name: 'redemptionTimeout', type: 'uint256', value: '60' },
        { name: 'terminationTimeout', type: 'uint256', value: '600' },
      ],
    })
    expect(detail.events.map((e) => e.name)).toEqual(['Deposited', 'ChannelOpened'])
    const openedEvent = detail.events[1]!
    expect(openedEvent.args).toContainEqual({ name: 'channel', type: 'address', value: bed.channel })
    expect(openedEvent.topics).toEqual(receipt.logs[1]!.topics.map((x) => x.toLowerCase()))
    expect(detail.labels[bed.chain.accounts[1]!.address.toLowerCase()]).toMatchObject({
      name: 'alice',
      team: 'team-a',
    })
    expect(detail.labels[bed.factory.toLowerCase()]).toMatchObject({ kind: 'factory' })
    expect(detail.labels[bed.channel]).toMatchObject({
      kind: 'channel',
      name: expect.stringMatching(/^channel alice → 0x/),
    })
  })

  it('decodes a redemption with the signature bytes and the Redeemed amounts', async () => {
    const detail = await getTransaction(bed.ctx, bed.tx.redeem)
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
    const detail = await getTransaction(bed.ctx, bed.tx.failed)
    expect(detail.transaction.status).toBe('reverted')
    expect(detail.transaction.revert).toMatchObject({ name: 'NotConsumer', args: [] })
    expect(detail.transaction.revert?.message).toMatch(/consumer/i)
    expect(detail.transaction.call?.name).toBe('deposit')
    expect(detail.events).toEqual([])
  })

  it('reads a transaction the index does not hold from the node', async () => {
    const detail = txDetailSchema.parse(await getTransaction(bed.ctx, bed.tx.transfer))
    expect(detail.transaction).toMatchObject({
      source: 'node',
      status: 'success',
      value: '1234567890123456789',
      call: null,
      input: '0x',
      to: bed.chain.accounts[1]!.address.toLowerCase(),
    })
    expect(detail.transaction.fee).toBe(
      (BigInt(detail.transaction.gasUsed!) * BigInt(detail.transaction.effectiveGasPrice!)).toString(),
    )
    expect(detail.transaction.confirmations).toBe('1')
  })

  it('refuses a malformed hash (400) and says a well-formed unknown one is nowhere (404)', async () => {
    await expectError(getTransaction(bed.ctx, '0x1234'), 400, 'invalid_hash')
    const message = await expectError(getTransaction(bed.ctx, `0x${'ab'.repeat(32)}`), 404, 'not_found')
    expect(message).toContain('neither in the index nor on the node')
  })
})

describe('blocks', () => {
  it('pages through indexed blocks newest first with a cursor, with no gaps or repeats', async () => {
    const first = blockPageSchema.parse(await listBlocks(bed.ctx, { limit: 3 }))
    const indexedHead = (await bed.database.db.indexerState.findFirstOrThrow()).cursorNumber!
    expect(first.blocks.map((b) => b.number)).toEqual([0n, 1n, 2n].map((i) => (indexedHead - i).toString()))
    expect(first.head.indexed).toBe(indexedHead.toString())
    expect(Object.keys(first.labels)).toEqual([]) // anvil's miner is nobody we know
    expect(first.head.number).toBe((indexedHead + 1n).toString()) // the unindexed transfer's block
    const second = await listBlocks(bed.ctx, { limit: 3, cursor: first.nextCursor })
    expect(second.blocks[0]!.number).toBe((indexedHead - 3n).toString())
    let all = [...first.blocks, ...second.blocks]
    let cursor = second.nextCursor
    while (cursor) {
      const page = await listBlocks(bed.ctx, { limit: 100, cursor })
      all = all.concat(page.blocks)
      cursor = page.nextCursor
    }
    // The index starts at the factory's block.
    expect(all.map((b) => BigInt(b.number))).toEqual(
      Array.from({ length: Number(indexedHead - bed.factoryBlock) + 1 }, (_, i) => indexedHead - BigInt(i)),
    )
    await expectError(listBlocks(bed.ctx, { cursor: 'zzz' }), 400, 'invalid_cursor')
  })

  it('shows a block with its header and its transactions, labelled', async () => {
    const receipt = await bed.chain.publicClient.getTransactionReceipt({ hash: bed.tx.open })
    const node = await bed.chain.publicClient.getBlock({ blockNumber: receipt.blockNumber })
    const detail = blockDetailSchema.parse(await getBlock(bed.ctx, receipt.blockNumber.toString()))
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
        hash: bed.tx.open,
        method: 'open',
        status: 'success',
        value: '1000000000000000000',
      }),
    ])
  })

  it('reads a block newer than the index from the node, its transaction with status', async () => {
    const receipt = await bed.chain.publicClient.getTransactionReceipt({ hash: bed.tx.transfer })
    const detail = await getBlock(bed.ctx, receipt.blockNumber.toString())
    expect(detail.block.source).toBe('node')
    expect(detail.transactions).toEqual([
      expect.objectContaining({
        hash: bed.tx.transfer,
        status: 'success',
        method: null,
        value: '1234567890123456789',
      }),
    ])
  })

  it('answers 404 past the head and 400 for what is not a number', async () => {
    const head = await bed.chain.publicClient.getBlockNumber()
    const message = await expectError(getBlock(bed.ctx, (head + 5n).toString()), 404, 'not_found')
    expect(message).toContain(`newest block is ${head}`)
    await expectError(getBlock(bed.ctx, '12abc'), 400, 'invalid_block_number')
    await expectError(getBlock(bed.ctx, '-1'), 400, 'invalid_block_number')
  })
})
