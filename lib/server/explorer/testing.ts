import { type Address, type Hex, parseEther } from 'viem'
import { expect } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { sendCall, testIndexer } from '../../../test/kit/indexer'
import { type ChannelTestbed, startChannelTestbed } from '../../../test/kit/testbed'
import { createChainClient } from '../chain'
import type { ServerContext } from '../context'

/** The transactions the explorer's tests look up, by what they did. */
export type ExplorerTxs = Record<'open' | 'deposit' | 'start' | 'redeem' | 'failed' | 'transfer', Hex>

/** What the explorer's tests read: a chain with one channel's life on it, indexed. */
export type ExplorerTestbed = {
  chain: ChannelTestbed
  database: TestDatabase
  ctx: ServerContext
  factory: Address
  factoryBlock: bigint
  channel: Address
  indexer: ReturnType<typeof testIndexer>
  tx: ExplorerTxs
  stop(): Promise<void>
}

/**
 * A real anvil and a real indexed Postgres with one channel's life (open with a deposit,
 * deposit, redemption with a real token, a second redemption left pending, a stranger's
 * failing deposit), a service label for the consumer, and after indexing a plain ether
 * transfer the index does not hold.
 */
export async function startExplorerTestbed(): Promise<ExplorerTestbed> {
  const chain = await startChannelTestbed()
  let dropDatabase = async () => {}
  try {
    const tx = {} as ExplorerTxs
    const database = await createTestDatabase()
    dropDatabase = () => database.drop()
    const { consumer, provider, stranger, factory, factoryBlock } = chain
    const opened = await chain.openChannel({
      value: parseEther('1'),
      costPerRequest: 123_456_789n,
      redemptionTimeout: 60n,
      terminationTimeout: 600n,
    })
    const channel = opened.channel
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
    tx.redeem = (
      await sendCall(chain, {
        account: provider,
        address: channel,
        functionName: 'redeem',
        args: [7n, await chain.sign(channel, 1n, 7n)],
      })
    ).transactionHash
    // A second redemption left pending, so the channel has a countdown.
    await sendCall(chain, {
      account: provider,
      address: channel,
      functionName: 'startRedemption',
      args: [3n],
    })
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
    const indexer = testIndexer({ chain, db: database.db })
    await indexer.syncToHead()

    // After indexing: a transfer the index never holds (no channel involved).
    tx.transfer = await chain
      .wallet(stranger)
      .sendTransaction({ to: consumer.address, value: 1_234_567_890_123_456_789n })
    await chain.mined(tx.transfer)

    const ctx = { db: database.db, chain: createChainClient({ rpcUrl: chain.url }), rpcUrl: chain.url }
    const stop = async () => {
      await database.drop()
      await chain.stop()
    }
    return { chain, database, ctx, factory, factoryBlock, channel, indexer, tx, stop }
  } catch (error) {
    // Setup failed halfway: the suite's afterAll has no testbed to stop, so stop what started.
    await Promise.allSettled([dropDatabase(), chain.stop()])
    throw error
  }
}
