import { afterAll, describe, expect, it } from 'vitest'
import { findDeployment } from '../lib/server/deployments'
import { waitFor } from '../test/kit/indexer'
import { eventChain, spawnIndexer } from './lease.fixture'
import { recoveryKit } from './recovery.fixture'

/*
 * The indexer run alone with FACTORY_ADDRESS and no FACTORY_BLOCK (it waited for ever before):
 * it starts at the factory's first event, found with eth_getLogs, and records it as the
 * deployment, so a restart reads it back instead of looking again.
 */

const { children, database } = recoveryKit()
const chains: { stop(): Promise<unknown> }[] = []
afterAll(async () => {
  await Promise.all(chains.map((c) => c.stop()))
})

describe('the indexer with FACTORY_ADDRESS and no FACTORY_BLOCK', () => {
  it("indexes from the factory's first event and records it as the deployment", async () => {
    const chain = await eventChain({ transactions: 2 })
    chains.push(chain)
    const chainId = await chain.client.getChainId()
    const { db, url } = await database()
    const [first] = await chain.client.getLogs({ address: chain.factory.address, fromBlock: 0n })
    spawnIndexer(children, {
      id: 'alone',
      databaseUrl: url,
      rpcUrl: chain.url,
      factory: chain.factory,
      env: { FACTORY_BLOCK: undefined },
    })
    const head = await chain.client.getBlockNumber()
    await waitFor(
      async () => (await db.indexerState.findUnique({ where: { chainId } }))?.cursorNumber === head,
      { what: 'the indexer to index the chain' },
    )
    expect(await findDeployment({ db, chainId })).toMatchObject({
      address: chain.factory.address,
      blockNumber: first?.blockNumber,
      txHash: null,
    })
    expect(await db.event.count({ where: { chainId } })).toBe(chain.events)
  })
})
