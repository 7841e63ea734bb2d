import { describe, expect, it } from 'vitest'
import type { TestChain } from '../test/kit/chain'
import {
  buildChannelHistory,
  deploymentOf,
  indexedChannelState,
  indexedRows,
  indexerState,
  isCaughtUp,
  memoryLogger,
  sendCall,
  testIndexer,
  waitFor,
} from '../test/kit/indexer'
import { recoveryKit } from './recovery.fixture'

/*
 * The indexer on a reset dev chain: it clears the chain's rows and indexes the new chain,
 * wherever its factory is now (see recovery.fixture.ts).
 */

const { chainOf, database, expectIndexOf } = recoveryKit()

/** `anvil_reset` without parameters: a new genesis (a new hash), no contracts, nonces at 0. */
async function resetChain(chain: TestChain) {
  const genesis = await chain.publicClient.getBlock({ blockNumber: 0n })
  await chain.testClient.request({ method: 'anvil_reset', params: [] } as never)
  expect(await chain.publicClient.getBlockNumber()).toBe(0n)
  expect((await chain.publicClient.getBlock({ blockNumber: 0n })).hash).not.toBe(genesis.hash)
}

describe('indexer on a reset dev chain', () => {
  it('syncToHead() clears a reset chain and indexes the new one, with its factory at another block', async () => {
    const chain = await chainOf()
    const address = chain.factory
    let factory = deploymentOf(chain)
    const old = await buildChannelHistory(chain, { rounds: 2 })
    const { db } = await database()
    const log = memoryLogger()
    const indexer = testIndexer({ chain, db, factory: () => factory, log })
    await indexer.syncToHead()
    const oldCursor = (await indexerState(db, chain.chain.id)).cursorNumber!
    expect(await db.channel.count()).toBe(3)

    // A new history: the factory (same deployer, same address) three blocks later, two channels
    // at the addresses of the old first two with other parties, and a head above the old cursor.
    await resetChain(chain)
    await chain.testClient.mine({ blocks: 3 })
    expect(await chain.deployFactory()).toBe(address)
    factory = { address, blockNumber: 4n }
    const [, c1, c2, c3, c4] = chain.accounts
    const y1 = await chain.open({ consumer: c4!, provider: c3!.address, value: 42n })
    const y2 = await chain.open({ consumer: c3!, provider: c1!.address })
    expect([y1, y2]).toEqual(old.channels.slice(0, 2))
    await sendCall(chain, { account: c4!, address: y1, functionName: 'deposit', value: 8n })
    await sendCall(chain, { account: c2!, address: y1, functionName: 'deposit', value: 8n }) // reverts
    await chain.testClient.mine({ blocks: Number(oldCursor) })
    await indexer.syncToHead()

    expect(log.lines.filter((l) => l.includes('was reset')).join('\n')).toMatch(
      /chain 31337 was reset \(none of the last \d+ indexed blocks up to \d+ is on it any more\)/,
    )
    expect(await indexedChannelState(db, chain.chain.id, old.channels[2]!)).toBeNull()
    expect(await indexedChannelState(db, chain.chain.id, y1)).toMatchObject({
      consumer: c4!.address.toLowerCase(),
      consumerFunds: 50n,
    })
    await expectIndexOf(db, chain, factory)

    // Reset again and stay short: the head goes back further than the finality depth.
    const cursor = (await indexerState(db, chain.chain.id)).cursorNumber!
    await resetChain(chain)
    expect(await chain.deployFactory()).toBe(address)
    factory = { address, blockNumber: 1n }
    await chain.open({ consumer: c1!, provider: c2!.address, value: 5n })
    const head = await chain.publicClient.getBlockNumber()
    expect(head + 12n).toBeLessThan(cursor)
    await indexer.syncToHead()
    expect(log.lines.filter((l) => l.includes('was reset')).at(-1)).toContain(
      `chain 31337 was reset (its head went back from ${cursor} to ${head}, past the finality depth of 12)`,
    )
    expect(log.lines.some((l) => l.includes('reorg:'))).toBe(false)
    await expectIndexOf(db, chain, factory)
    // Two chain resets; the factory moving with the first is not counted as one.
    expect(await indexerState(db, chain.chain.id)).toMatchObject({ resets: 2, reorgs: 0 })
  })

  it('run() clears a reset chain, waits and reports while its factory is missing, then indexes it', async () => {
    const chain = await chainOf()
    const address = chain.factory
    let factory = deploymentOf(chain)
    await buildChannelHistory(chain, { rounds: 1 })
    const { db } = await database()
    const log = memoryLogger()
    const stop = new AbortController()
    let settled: unknown = false
    const running = testIndexer({ chain, db, factory: () => factory, log })
      .run(stop.signal)
      .then(
        () => (settled = 'resolved'),
        (error) => (settled = error),
      )
    const state = () => db.indexerState.findUnique({ where: { chainId: chain.chain.id } })
    const caughtUp = () => isCaughtUp(db, chain, { clean: true })
    try {
      await waitFor(caughtUp, { what: 'the first catch-up' })
      expect((await indexedRows(db, chain.chain.id)).events.length).toBeGreaterThan(10)

      await resetChain(chain)
      await waitFor(async () => (await state())?.lastError?.includes('is not deployed') === true, {
        what: 'last_error to report the missing factory',
      })
      expect(log.lines.some((l) => l.includes('chain 31337 was reset'))).toBe(true)
      // The old chain's rows are gone while the indexer waits, and it is still running.
      const waiting = await indexedRows(db, chain.chain.id)
      expect([waiting.blocks, waiting.transactions, waiting.events, waiting.channels]).toEqual([
        [],
        [],
        [],
        [],
      ])
      expect(waiting.state[0]!.cursor_number).toBeNull()
      expect(settled).toBe(false)

      await chain.testClient.mine({ blocks: 2 })
      factory = { address, blockNumber: 3n }
      expect(await chain.deployFactory()).toBe(address)
      await buildChannelHistory(chain, { rounds: 1 })
      await waitFor(caughtUp, { what: 'indexing the new chain' })
    } finally {
      stop.abort()
      await running
    }
    expect(settled).toBe('resolved')
    await expectIndexOf(db, chain, factory)
  })
})
