import type { Hex } from 'viem'
import type { Db } from '../lib/server/db/client'
import { createBenchChain } from '../scripts/bench/eventPump'
import { startAnvil } from '../stack/anvil'
import { type Child, startNodeScript } from '../stack/child'
import { waitFor } from '../test/kit/indexer'
import { root } from './recovery.fixture'

/*
 * Shared setup of the lease suites (lease.*.test.ts): indexer processes (indexer/main.ts) on
 * one database, named by INSTANCE_ID, and a chain of many events packed into few transactions.
 */

/** Deposits per transaction of the event chain (gas: 5M + 11k each, under a 30M block). */
const PER_TX = 300

/** An indexer process and every line it wrote. */
export type IndexerProcess = Child & { id: string; lines: string[]; has(text: string): boolean }

export type SpawnIndexerParameters = {
  id: string
  databaseUrl: string
  rpcUrl: string
  factory: { address: Hex; blockNumber: bigint }
  /** More variables, or others instead (`undefined` unsets one, e.g. FACTORY_BLOCK). */
  env?: Record<string, string | undefined>
}

/**
 * Starts `indexer/main.ts` as instance `id` (INSTANCE_ID); `children` collects it for the
 * kit's cleanup. One block per range, so a backfill is many small transactions.
 */
export function spawnIndexer(children: Child[], p: SpawnIndexerParameters): IndexerProcess {
  const lines: string[] = []
  const child = startNodeScript({
    name: `indexer ${p.id}`,
    root,
    script: 'indexer/main.ts',
    env: {
      ...process.env,
      DATABASE_URL: p.databaseUrl,
      RPC_URL: p.rpcUrl,
      FACTORY_ADDRESS: p.factory.address,
      FACTORY_BLOCK: p.factory.blockNumber.toString(),
      INSTANCE_ID: p.id,
      INDEXER_MAX_BLOCK_RANGE: '1',
      INDEXER_TARGET_LOGS: '10',
      INDEXER_POLL_MS: '20',
      INDEXER_PORT: '0',
      LOG_LEVEL: 'info',
      ...p.env,
    },
    onLine: (line) => lines.push(line),
  })
  children.push(child)
  return Object.assign(child, { id: p.id, lines, has: (text: string) => lines.some((l) => l.includes(text)) })
}

/** Waits until `indexer` wrote a line containing `text`. */
export function waitForLine(indexer: IndexerProcess, text: string, timeoutMs = 120_000): Promise<void> {
  return waitFor(() => indexer.has(text), {
    timeoutMs,
    what: `indexer ${indexer.id} to log "${text}" (it logged: ${indexer.lines.slice(-5).join(' | ')})`,
  })
}

/**
 * An anvil whose history holds `transactions` transactions of PER_TX + 1 events each (a
 * channel opened, then deposits into it), each followed by `emptyBlocks` empty blocks;
 * `stop()` ends it.
 */
export async function eventChain({
  transactions,
  emptyBlocks = 0,
}: {
  transactions: number
  emptyBlocks?: number
}) {
  const anvil = await startAnvil({ gasLimit: 30_000_000n })
  const chain = await createBenchChain({ url: anvil.url })
  const mine = (blocks: number) =>
    chain.client.request({ method: 'anvil_mine', params: [`0x${blocks.toString(16)}`] } as never)
  let events = 0
  for (let i = 0; i < transactions; i++) {
    events += (await (i === 0 ? chain.open : chain.pump)(PER_TX)).events
    if (emptyBlocks > 0) await mine(emptyBlocks)
  }
  return {
    url: anvil.url,
    client: chain.client,
    factory: { address: chain.factory.address.toLowerCase() as Hex, blockNumber: chain.factory.blockNumber },
    events,
    /** Another transaction of PER_TX events. */
    pump: () => chain.pump(PER_TX),
    stop: () => anvil.stop(),
  }
}

/** Every log the node has from the factory's block to `head`, as `block:logIndex:txHash`. */
export async function chainLogs(chain: Awaited<ReturnType<typeof eventChain>>, head: bigint) {
  const logs = await chain.client.getLogs({ fromBlock: chain.factory.blockNumber, toBlock: head })
  return logs.map((l) => `${l.blockNumber}:${l.logIndex}:${l.transactionHash}`).sort()
}

/** Every indexed event of `chainId`, as chainLogs() names them. */
export async function indexedLogs(db: Db, chainId: number) {
  const rows = await db.event.findMany({
    where: { chainId },
    select: { blockNumber: true, logIndex: true, txHash: true },
  })
  return rows.map((r) => `${r.blockNumber}:${r.logIndex}:${r.txHash}`).sort()
}
