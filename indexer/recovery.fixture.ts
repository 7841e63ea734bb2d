import path from 'node:path'
import type { Address, LocalAccount } from 'viem'
import { afterAll, expect } from 'vitest'
import { intermediaryFactoryAbi } from '../contracts/generated'
import { readChannelState } from '../lib/channel'
import type { Child } from '../stack/child'
import type { TestChain } from '../test/kit/chain'
import { createTestDatabase, type TestDatabase } from '../test/kit/database'
import {
  deploymentOf,
  type FactoryDeployment,
  indexedChannelState,
  indexedRows,
  indexerState,
  nonCanonicalRows,
  sendCall,
  testIndexer,
} from '../test/kit/indexer'
import { type ChannelTestbed, startChannelTestbed } from '../test/kit/testbed'
import type { IndexerOptions } from './indexer'

/*
 * Shared setup of the recovery suites (recovery.*.test.ts): the indexer against what goes
 * wrong in real life, the process killed at any moment, blocks replaced by a reorg, a dev chain
 * reset under it, the node gone. After each, the index must hold exactly the rows a clean run
 * over the node's current chain writes.
 */

/** The repository's root (where `indexer/main.ts` is run from). */
export const root = path.resolve(import.meta.dirname, '..')

/**
 * Chains, databases and child processes for one test file, all stopped after its tests
 * (call it at the top of the file), and the checks the recovery suites share.
 */
export function recoveryKit() {
  const chains: TestChain[] = []
  const databases: TestDatabase[] = []
  const children: Child[] = []

  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop(1_000)))
    await Promise.all(databases.map((d) => d.drop()))
    await Promise.all(chains.map((c) => c.stop()))
  })

  /**
   * A fresh testbed (anvil, the factory by account 0 at its first nonce, so a reset or restarted
   * chain gets it back at the same address by `deployFactory()`), stopped after the file's tests.
   */
  async function chainOf(): Promise<ChannelTestbed> {
    const chain = await startChannelTestbed()
    chains.push(chain)
    return chain
  }

  /** A fresh database, dropped after the file's tests. */
  async function database(): Promise<TestDatabase> {
    const d = await createTestDatabase()
    databases.push(d)
    return d
  }

  /** Rows of a clean, in-process run over the node's current chain into a fresh database. */
  async function cleanRows(
    chain: TestChain,
    factory: FactoryDeployment,
    options: Partial<IndexerOptions> = {},
  ) {
    const { db } = await database()
    await testIndexer({ chain, db, factory, ...options }).syncToHead()
    return indexedRows(db, chain.chain.id)
  }

  /**
   * The index holds the node's current chain and nothing else: cursor at the head, no row of a
   * replaced block, exactly the channels the factory opened on this chain with the contract's
   * state, and the rows of a clean run.
   */
  async function expectIndexOf(
    db: TestDatabase['db'],
    chain: TestChain,
    factory: FactoryDeployment,
    options: Partial<IndexerOptions> = {},
  ) {
    const chainId = chain.chain.id
    const head = await chain.publicClient.getBlock()
    const state = await indexerState(db, chainId)
    expect({ number: state.cursorNumber, hash: state.cursorHash }).toEqual({
      number: head.number,
      hash: head.hash,
    })
    expect(await nonCanonicalRows(db, chain)).toEqual({
      blocks: [],
      transactions: [],
      events: [],
      recent: [],
    })
    const opened = await chain.publicClient.getContractEvents({
      address: factory.address,
      abi: intermediaryFactoryAbi,
      eventName: 'ChannelOpened',
      fromBlock: factory.blockNumber,
    })
    const channels = await db.channel.findMany({ where: { chainId }, orderBy: { address: 'asc' } })
    expect(channels.map((c) => c.address)).toEqual(opened.map((e) => e.args.channel!.toLowerCase()).sort())
    for (const { address } of channels) {
      expect(await indexedChannelState(db, chainId, address as Address)).toEqual(
        await readChannelState({
          client: chain.publicClient,
          address: address as Address,
          blockNumber: head.number,
        }),
      )
    }
    expect(await indexedRows(db, chainId)).toEqual(await cleanRows(chain, factory, options))
  }

  /**
   * A testbed with one funded channel `a` from its consumer (c1) to its provider (c2); accounts
   * 3 and 4 open the orphaned branch's channels, account 5 calls as a stranger.
   */
  async function chainWithChannel() {
    const chain = await chainOf()
    const factory = deploymentOf(chain)
    const [c1, c2] = [chain.consumer, chain.provider]
    const [c3, c4, stranger] = chain.accounts.slice(3, 6) as [LocalAccount, LocalAccount, LocalAccount]
    const a = await chain.open({ value: 10_000n })
    await sendCall(chain, { account: c1, address: a, functionName: 'deposit', value: 1_000n })
    await chain.testClient.mine({ blocks: 2 })
    const call = (
      account: LocalAccount,
      address: Address,
      functionName: string,
      args?: unknown[],
      value?: bigint,
    ) => sendCall(chain, { account, address, functionName, args, value })

    /** The branch that gets replaced: two channels opened, a deposit and a redemption on `a` (5 blocks). */
    async function orphanBranch() {
      const x1 = await chain.open({ consumer: c3, provider: c4.address, value: 5_000n })
      const x2 = await chain.open({ consumer: c4, provider: c3.address })
      await call(c1, a, 'deposit', [], 2_000n)
      await call(c2, a, 'startRedemption', [2n])
      await call(c3, x1, 'deposit', [], 300n)
      return [x1, x2]
    }
    return { chain, factory, a, accounts: { c1, c2, c3, c4, stranger }, call, orphanBranch }
  }

  return { chains, children, chainOf, database, cleanRows, expectIndexOf, chainWithChannel }
}
