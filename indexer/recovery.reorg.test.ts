import { describe, expect, it } from 'vitest'
import {
  indexedChannelState,
  indexerState,
  isCaughtUp,
  memoryLogger,
  testIndexer,
  waitFor,
} from '../test/kit/indexer'
import { createIndexerMetrics } from './metrics'
import { recoveryKit } from './recovery.fixture'

/*
 * The indexer on a reorg: the replaced blocks' rows go, the channels they touched are
 * recomputed, and the index ends as a clean run over the new branch (see recovery.fixture.ts).
 */

const { database, expectIndexOf, chainWithChannel } = recoveryKit()

describe('indexer on a reorg', () => {
  it.for(['all', 'relevant'] as const)(
    'syncToHead() drops the replaced blocks when the new branch is longer, as long, or shorter (%s blocks)',
    async (blocks) => {
      const { chain, factory, a, accounts, call, orphanBranch } = await chainWithChannel()
      const { c1, c2, c3, stranger } = accounts
      const { db } = await database()
      const log = memoryLogger()
      const indexer = testIndexer({ chain, db, factory, log, blocks })
      await indexer.syncToHead()
      const base = await chain.publicClient.getBlockNumber()
      let snapshot = await chain.testClient.snapshot()

      const branches = {
        /** Different events and more blocks. */
        longer: async () => {
          await call(c1, a, 'deposit', [], 700n)
          // The factory's next channel: the address x1 had on the orphaned branch, other parties and terms.
          await chain.open({ consumer: c2, provider: c1.address, costPerRequest: 7n })
          await call(c2, a, 'startRedemption', [9n])
          await chain.testClient.mine({ blocks: 6 })
        },
        /** As many blocks as the orphaned branch (the head's hash differs, not its number). */
        equal: async () => {
          await chain.open({ consumer: c3, provider: c1.address, value: 1n })
          await call(stranger, a, 'deposit', [], 5n) // reverts
          await call(c1, a, 'deposit', [], 900n)
          await call(c2, a, 'startRedemption', [3n])
          await call(c2, a, 'withdraw') // reverts: nothing to withdraw
        },
        /** Fewer blocks: the head goes back below the cursor. */
        shorter: async () => {
          await call(c1, a, 'deposit', [], 123n)
          await call(c1, a, 'startTermination')
        },
      }
      for (const [name, branch] of Object.entries(branches)) {
        await chain.testClient.revert({ id: snapshot })
        snapshot = await chain.testClient.snapshot()
        const [x1, x2] = await orphanBranch()
        const orphanHead = await chain.publicClient.getBlockNumber()
        await indexer.syncToHead()
        expect(await indexedChannelState(db, chain.chain.id, x2!), name).not.toBeNull()
        expect((await indexedChannelState(db, chain.chain.id, x1!))?.consumerFunds, name).toBe(5_300n)
        expect((await indexedChannelState(db, chain.chain.id, a))?.expiringTokenId, name).toBe(1n)

        await chain.testClient.revert({ id: snapshot })
        snapshot = await chain.testClient.snapshot()
        await branch()
        const head = await chain.publicClient.getBlockNumber()
        expect(Math.sign(Number(head - orphanHead)), name).toBe({ longer: 1, equal: 0, shorter: -1 }[name])
        const reorgsBefore = log.lines.filter((l) => l.includes('reorg:')).length
        await indexer.syncToHead()

        const reorgs = log.lines.filter((l) => l.includes('reorg:'))
        expect(reorgs.length, name).toBe(reorgsBefore + 1)
        expect(reorgs.at(-1), name).toContain(`rolled back to block ${base} `)
        expect(
          log.lines.some((l) => l.includes('was reset')),
          name,
        ).toBe(false)
        expect(await indexedChannelState(db, chain.chain.id, x2!), name).toBeNull()
        await expectIndexOf(db, chain, factory, { blocks })
      }
      const state = await indexerState(db, chain.chain.id)
      // Three replaced orphaned branches, and the branches replaced by the next orphaned one.
      expect(state.reorgs).toBe(5)
      expect(state.resets).toBe(0)
    },
  )

  it('run() notices a reorg by itself and rolls back', async () => {
    const { chain, factory, a, accounts, call, orphanBranch } = await chainWithChannel()
    const { c1, c2 } = accounts
    const { db } = await database()
    const log = memoryLogger()
    const stop = new AbortController()
    const metrics = createIndexerMetrics()
    metrics.leading(true)
    const running = testIndexer({ chain, db, factory, log, metrics }).run(stop.signal)
    const caughtUp = () => isCaughtUp(db, chain)
    try {
      await waitFor(caughtUp, { what: 'the first catch-up' })
      const base = await chain.publicClient.getBlockNumber()
      const snapshot = await chain.testClient.snapshot()
      const [, x2] = await orphanBranch()
      await waitFor(caughtUp, { what: 'indexing the orphaned branch' })
      expect(await indexedChannelState(db, chain.chain.id, x2!)).not.toBeNull()

      await chain.testClient.revert({ id: snapshot })
      await call(c1, a, 'deposit', [], 77n)
      await call(c2, a, 'startRedemption', [4n])
      await chain.testClient.mine({ blocks: 8 })
      await waitFor(async () => log.lines.some((l) => l.includes('reorg:')) && (await caughtUp()), {
        what: 'the reorg to be handled',
      })
      expect(log.lines.filter((l) => l.includes('reorg:')).join('\n')).toContain(
        `rolled back to block ${base} `,
      )
    } finally {
      stop.abort()
      await running
    }
    expect(log.lines.filter((l) => l.includes('was reset'))).toEqual([])
    // GET /metrics counts it, and the indexed block is the head again.
    const sample = async (name: string) =>
      (await metrics.registry.getSingleMetric(name)!.get()).values[0]!.value
    expect(await sample('indexer_reorgs_total')).toBe(1)
    expect(await sample('indexer_indexed_block')).toBe(Number(await chain.publicClient.getBlockNumber()))
    expect(await indexedChannelState(db, chain.chain.id, a)).toMatchObject({
      consumerFunds: 11_077n,
      activeTokenId: 4n,
    })
    await expectIndexOf(db, chain, factory)
  })
})
