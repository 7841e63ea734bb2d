import path from 'node:path'
import { type Address, encodeAbiParameters, type Hex, keccak256, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileSolidity } from '../../../test/kit/solidity'
import { txDetailSchema } from '../../explorer/api'
import { createChainClient } from '../chain'
import type { ServerContext } from '../context'
import { getTransaction } from '.'
import { type ExplorerTestbed, startExplorerTestbed } from './testing'

/*
 * An indexed transaction shows every log of its receipt: ChannelOpener
 * (test/kit/contracts/ChannelOpener.sol) opens a channel through the factory and emits two logs
 * of its own, so the receipt holds four logs of which the index keeps two.
 */

let bed: ExplorerTestbed
let opener: Address
let hash: Hex

beforeAll(async () => {
  bed = await startExplorerTestbed()
  const { abi, bytecode } = compileSolidity(
    path.join(import.meta.dirname, '../../../test/kit/contracts/ChannelOpener.sol'),
    'ChannelOpener',
  )
  const consumer = bed.chain.consumer
  const deployed = await bed.chain.mined(await bed.chain.wallet(consumer).deployContract({ abi, bytecode }))
  opener = deployed.contractAddress!.toLowerCase() as Address
  hash = await bed.chain.wallet(consumer).writeContract({
    address: opener,
    abi,
    functionName: 'open',
    args: [bed.factory, bed.chain.provider.address],
    value: 5_000n,
    chain: null,
  })
  await bed.chain.mined(hash)
  await bed.indexer.syncToHead()
}, 120_000)

afterAll(() => bed?.stop())

const topic = (signature: string) => keccak256(toHex(signature))

describe('an indexed transaction through another contract', () => {
  it('getTransaction() lists all four logs of the receipt, decoded where the ABI is known and raw otherwise', async () => {
    const indexed = await bed.ctx.db.event.count({ where: { txHash: hash } })
    expect(indexed).toBe(2)
    const detail = txDetailSchema.parse(await getTransaction(bed.ctx, hash))
    expect(detail.transaction.source).toBe('index')
    expect(detail.eventsSource).toBe('node')
    expect(detail.eventsNote).toBeNull()
    const receipt = await bed.chain.publicClient.getTransactionReceipt({ hash })
    expect(receipt.logs).toHaveLength(4)
    expect(detail.events.map((e) => [e.logIndex, e.address, e.name])).toEqual([
      [String(receipt.logs[0]!.logIndex), opener, null],
      [String(receipt.logs[1]!.logIndex), receipt.logs[1]!.address.toLowerCase(), 'Deposited'],
      [String(receipt.logs[2]!.logIndex), bed.factory.toLowerCase(), 'ChannelOpened'],
      [String(receipt.logs[3]!.logIndex), opener, null],
    ])
    const consumer = bed.chain.consumer.address.toLowerCase()
    const channel = receipt.logs[1]!.address.toLowerCase()
    // The opener's own logs, raw: topics and data as the node gave them.
    expect(detail.events[0]).toEqual({
      logIndex: String(receipt.logs[0]!.logIndex),
      address: opener,
      name: null,
      signature: null,
      args: null,
      topics: [topic('Before(address,uint256)'), `0x${consumer.slice(2).padStart(64, '0')}`],
      data: encodeAbiParameters([{ type: 'uint256' }], [5_000n]),
    })
    expect(detail.events[3]).toMatchObject({
      name: null,
      args: null,
      topics: [topic('After(address,string)'), `0x${channel.slice(2).padStart(64, '0')}`],
      data: encodeAbiParameters([{ type: 'string' }], ['opened']),
    })
    // The channel's and the factory's, decoded.
    expect(detail.events[1]!.args).toContainEqual({ name: 'amount', type: 'uint256', value: '5000' })
    expect(detail.events[2]!.args).toContainEqual({ name: 'channel', type: 'address', value: channel })
    expect(detail.events[2]!.args).toContainEqual({ name: 'consumer', type: 'address', value: opener })
  })

  it('getTransaction() without the node falls back to the indexed events and says so', async () => {
    const dead = 'http://127.0.0.1:9'
    const ctx: ServerContext = { ...bed.ctx, chain: createChainClient({ rpcUrl: dead }), rpcUrl: dead }
    const detail = txDetailSchema.parse(await getTransaction(ctx, hash))
    expect(detail.eventsSource).toBe('index')
    expect(detail.events.map((e) => e.name)).toEqual(['Deposited', 'ChannelOpened'])
    expect(detail.eventsNote).toMatch(/^The chain node does not answer \(.+\)\. These are the indexed/)
    expect(detail.eventsNote).toMatch(/logs of other contracts are not shown\.$/)
  })
})
