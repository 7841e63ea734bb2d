import { describe, expect, it } from 'vitest'
import { spawnChild } from '../stack/child'
import { buildChannelHistory, deploymentOf, indexedRows, indexerState, waitFor } from '../test/kit/indexer'
import { recoveryKit, root } from './recovery.fixture'

/*
 * The indexer process killed with SIGKILL mid-backfill resumes and ends with the rows of a
 * clean run (see recovery.fixture.ts).
 */

const { children, chainOf, database, cleanRows } = recoveryKit()

describe('indexer process killed with SIGKILL', () => {
  it('main.ts resumes after kill -9 mid-backfill and ends with the rows of a clean run', async () => {
    const chain = await chainOf()
    const factory = deploymentOf(chain)
    await buildChannelHistory(chain, { rounds: 3, emptyBlocks: 120 })
    const head = await chain.publicClient.getBlockNumber()
    expect(head - factory.blockNumber).toBeGreaterThan(300n)

    const { db, url } = await database()
    const output: string[] = []
    const spawnIndexer = () => {
      const child = spawnChild({
        name: 'indexer',
        command: process.execPath,
        args: ['--import', 'tsx', 'indexer/main.ts'],
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: url,
          RPC_URL: chain.url,
          FACTORY_ADDRESS: factory.address,
          FACTORY_BLOCK: factory.blockNumber.toString(),
          // One block per range: hundreds of small transactions to be killed in the middle of.
          INDEXER_MAX_BLOCK_RANGE: '1',
          INDEXER_TARGET_LOGS: '10',
          INDEXER_POLL_MS: '20',
          // A killed leader's lease runs out soon, so the next process takes over soon.
          INDEXER_LEASE_SECONDS: '1',
          INDEXER_PORT: '0',
          LOG_LEVEL: 'info',
        },
        onLine: (line) => output.push(line),
      })
      children.push(child)
      return child
    }
    const cursor = async () =>
      (await db.indexerState.findUnique({ where: { chainId: chain.chain.id } }))?.cursorNumber ?? null

    const span = head - factory.blockNumber
    const killedAt: bigint[] = []
    for (const share of [20n, 45n, 70n]) {
      const target = factory.blockNumber + (span * share) / 100n
      const child = spawnIndexer()
      await waitFor(async () => ((await cursor()) ?? -1n) >= target, {
        what: `cursor to reach ${target}`,
      })
      process.kill(-child.process.pid!, 'SIGKILL')
      await child.exited
      expect(child.process.signalCode).toBe('SIGKILL')
      const at = (await cursor())!
      // Killed partway: past the previous kill, short of the head.
      expect(at).toBeGreaterThan(killedAt.at(-1) ?? factory.blockNumber)
      expect(at).toBeLessThan(head)
      killedAt.push(at)
    }

    const last = spawnIndexer()
    await waitFor(
      async () => {
        const s = await db.indexerState.findUnique({ where: { chainId: chain.chain.id } })
        return s?.cursorNumber === head && s.phase === 'live'
      },
      { what: 'the restarted indexer to reach the head' },
    )
    await last.stop(10_000)
    expect(last.process.signalCode).toBeNull()
    expect(last.process.exitCode).toBe(0)
    // Each restart resumed from its cursor instead of starting over.
    expect(
      output
        .filter((l) => l.includes('indexing chain'))
        .map((l) => l.match(/from (the factory's )?block \d+/)?.[0]),
    ).toEqual([
      `from the factory's block ${factory.blockNumber}`,
      ...killedAt.map((n) => `from block ${n + 1n}`),
    ])

    const rows = await indexedRows(db, chain.chain.id)
    expect(rows).toEqual(await cleanRows(chain, factory))
    expect(rows.blocks).toHaveLength(Number(span) + 1)
    expect((await indexerState(db, chain.chain.id)).lastError).toBeNull()
  })
})
