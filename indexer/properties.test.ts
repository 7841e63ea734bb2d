import fc from 'fast-check'
import { type Hex, maxUint256, type TransactionReceipt } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryAbi } from '../contracts/generated'
import { readChannelState } from '../lib/channel'
import { signTokenNative } from '../lib/server/tokenCrypto'
import { createTestDatabase } from '../test/kit/database'
import { indexedChannelState, indexerState, sendCall, testIndexer } from '../test/kit/indexer'
import { type ChannelTestbed, startChannelTestbed } from '../test/kit/testbed'
import type { Indexer } from './indexer'
import {
  type Channel,
  type Op,
  opsArb,
  PAIRS,
  type Role,
  type Setup,
  STRANGER,
  setupArb,
  totalsFromReceipts,
} from './properties.fixture'

/*
 * Model-free property test of the indexer: random operation sequences over several channels
 * (valid, over-funded and zero-request redemptions, withdrawals and terminations by either
 * party, and calls that revert) run on anvil and are indexed at random points. Whenever the
 * indexer has caught up, every channel's indexed state equals what the contract reports at the
 * cursor block, its totals equal the sums of the events in the receipts, and every transaction
 * sent is indexed with its status. Each run works in an EVM snapshot and a fresh database.
 */

let chain: ChannelTestbed

beforeAll(async () => {
  chain = await startChannelTestbed()
})
afterAll(() => chain?.stop())

async function runSequence(setup: Setup, ops: Op[]) {
  const snapshot = await chain.testClient.snapshot()
  const database = await createTestDatabase()
  try {
    const { db } = database
    const chainId = chain.chain.id
    const newIndexer = (): Indexer => testIndexer({ chain, db, ...setup })
    let indexer = newIndexer()
    const channels: Channel[] = []
    const receipts: TransactionReceipt[] = []
    const account = (c: Channel, role: Role) =>
      chain.accounts[role === 'consumer' ? c.consumer : role === 'provider' ? c.provider : STRANGER]!
    const read = (c: Channel, functionName: 'expiringTokenId' | 'lastTokenId') =>
      chain.publicClient.readContract({ address: c.address, abi: intermediaryAbi, functionName })

    const check = async (step: string) => {
      const head = await chain.publicClient.getBlockNumber()
      const state = await indexerState(db, chainId)
      expect({ step, cursor: state.cursorNumber }).toEqual({ step, cursor: head })
      for (const c of channels) {
        expect({ step, state: await indexedChannelState(db, chainId, c.address) }).toEqual({
          step,
          state: await readChannelState({
            client: chain.publicClient,
            address: c.address,
            blockNumber: state.cursorNumber!,
          }),
        })
        const row = await db.channel.findUniqueOrThrow({
          where: { chainId_address: { chainId, address: c.address } },
        })
        expect({
          step,
          totalDeposited: row.totalDeposited.toFixed(),
          totalRedeemed: row.totalRedeemed.toFixed(),
          totalRequests: row.totalRequests.toFixed(),
          totalWithdrawn: row.totalWithdrawn.toFixed(),
          redemptions: row.redemptions,
          eventCount: row.eventCount,
          terminatedBy: row.terminatedBy,
        }).toEqual({ step, ...totalsFromReceipts(receipts, c.address) })
      }
      expect(await db.channel.count({ where: { chainId } }), step).toBe(channels.length)
      // Every transaction sent is there with its status, failed ones included; nothing else.
      const txs = await db.transaction.findMany({
        where: { chainId, blockNumber: { gt: chain.factoryBlock } },
        orderBy: [{ blockNumber: 'asc' }, { txIndex: 'asc' }],
        select: { hash: true, status: true },
      })
      expect({ step, txs }).toEqual({
        step,
        txs: receipts.map((r) => ({ hash: r.transactionHash, status: r.status })),
      })
      const logs = receipts.flatMap((r) => r.logs).length
      expect({ step, events: state.eventsIndexed }).toEqual({ step, events: BigInt(logs) })
    }

    for (const [index, op] of ops.entries()) {
      const step = `#${index} ${JSON.stringify(op, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`
      if (op.kind === 'open') {
        const [consumer, provider] = PAIRS[op.pair]!
        const { channel, receipt } = await chain.openChannel({
          consumer: chain.accounts[consumer]!,
          provider: chain.accounts[provider]!.address,
          value: op.value,
          costPerRequest: op.cost,
          redemptionTimeout: op.timeout,
          terminationTimeout: 3n * op.timeout + op.extra,
        })
        channels.push({ address: channel, consumer, provider })
        receipts.push(receipt)
        continue
      }
      if (op.kind === 'advance') {
        await chain.advanceTime(op.seconds)
        continue
      }
      if (op.kind === 'index') {
        if (op.restart) indexer = newIndexer()
        await indexer.syncToHead()
        await check(step)
        continue
      }
      const c = channels[op.ch % channels.length]!
      const by = account(c, op.by)
      let args: readonly unknown[] = []
      let value: bigint | undefined
      if (op.kind === 'deposit') value = op.amount
      if (op.kind === 'startRedemption') {
        const last = await read(c, 'lastTokenId')
        args = [op.fresh ? last + BigInt(op.step) : last]
      }
      if (op.kind === 'redeem') {
        const tokenId = await read(c, 'expiringTokenId')
        const requests =
          op.token === 'zero'
            ? 0n
            : op.token === 'overfunded'
              ? maxUint256 - BigInt(op.requests)
              : op.requests
        let signature: Hex = '0x'
        if (requests !== 0n) {
          const signer = op.token === 'wrongSigner' ? c.provider : c.consumer
          signature = signTokenNative({
            privateKey: chain.keys[signer]!,
            chainId,
            channel: c.address,
            tokenId,
            requests,
          }).signature
        }
        args = [requests, signature]
      }
      receipts.push(
        await sendCall(chain, { account: by, address: c.address, functionName: op.kind, args, value }),
      )
    }
    await indexer.syncToHead()
    await check('end')
  } finally {
    await database.drop()
    await chain.testClient.revert({ id: snapshot })
  }
}

describe('indexer against random channel operations', () => {
  it('keeps every channel equal to the contract and its totals equal to the receipts, indexed at random points', async () => {
    await fc.assert(fc.asyncProperty(setupArb, opsArb, runSequence), {
      numRuns: 25,
      // A failure shrinks (each run takes about a second); stop shrinking at some point.
      interruptAfterTimeLimit: 100_000,
      markInterruptAsFailure: true,
    })
  }, 150_000)

  it('a channel redeeming tokens of 2^256-1 requests over and over does not stop the indexer', async () => {
    // Anyone can open a channel between two of their own accounts and redeem unfunded tokens
    // with huge request counts (they pay nothing: the amount is capped at the funds, 0 here).
    // total_requests sums them: nine reach 1.04e78, past NUMERIC(78,0).
    const snapshot = await chain.testClient.snapshot()
    const { db, drop } = await createTestDatabase()
    try {
      const channel = await chain.open({ redemptionTimeout: 1n, terminationTimeout: 3n })
      for (let tokenId = 1n; tokenId <= 9n; tokenId++) {
        const signature = await chain.sign(channel, tokenId, maxUint256)
        const call = (functionName: string, args: unknown[]) =>
          sendCall(chain, { account: chain.provider, address: channel, functionName, args })
        expect((await call('startRedemption', [tokenId + 1n])).status).toBe('success')
        await chain.advanceTime(2)
        expect((await call('redeem', [maxUint256, signature])).status).toBe('success')
      }
      await testIndexer({ chain, db }).syncToHead()
      expect(await indexedChannelState(db, chain.chain.id, channel)).toEqual(
        await readChannelState({ client: chain.publicClient, address: channel }),
      )
      const row = await db.channel.findUniqueOrThrow({
        where: { chainId_address: { chainId: chain.chain.id, address: channel } },
      })
      expect(row.totalRequests.toFixed()).toBe((9n * maxUint256).toString())
      expect(row.redemptions).toBe(9)
    } finally {
      await drop()
      await chain.testClient.revert({ id: snapshot })
    }
  })
})
