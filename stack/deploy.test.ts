import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  intermediaryFactoryDeployedBytecode,
  intermediaryFactoryV2DeployedBytecode,
} from '../contracts/generated'
import { createChainClient } from '../lib/server/chain'
import { FACTORY_V2_CONTRACT, findDeployment } from '../lib/server/deployments'
import { startTestChain, type TestChain } from '../test/kit/chain'
import { createTestDatabase, type TestDatabase } from '../test/kit/database'
import { ANVIL_KEYS } from './anvil'
import { ensureFactory, ensureFactoryV2 } from './deploy'
import { startPrunedNode } from './deploy.fixture'

let t: TestChain
let d: TestDatabase
beforeAll(async () => {
  t = await startTestChain()
})
afterAll(() => t.stop())
afterEach(async () => {
  await d?.drop()
})

describe('ensureFactory()', () => {
  it('ensureFactory() deploys once, records it, and reuses it on the next start', async () => {
    d = await createTestDatabase()
    const first = await ensureFactory({
      db: d.db,
      client: t.publicClient,
      rpcUrl: t.url,
      deployerKey: ANVIL_KEYS[0],
    })
    expect(first.deployed).toBe(true)
    expect(await t.publicClient.getCode({ address: first.address })).toBe(intermediaryFactoryDeployedBytecode)
    const record = await findDeployment({ db: d.db, chainId: 31337 })
    expect(record?.address).toBe(first.address)
    expect(record?.blockNumber).toBe(first.blockNumber)

    const nonce = await t.publicClient.getTransactionCount({ address: t.accounts[0]!.address })
    const second = await ensureFactory({
      db: d.db,
      client: t.publicClient,
      rpcUrl: t.url,
      deployerKey: ANVIL_KEYS[0],
    })
    expect(second.deployed).toBe(false)
    expect(second.address).toBe(first.address)
    expect(await t.publicClient.getTransactionCount({ address: t.accounts[0]!.address })).toBe(nonce)
  })

  it('ensureFactory() deploys again when the dev chain was reset (same chain id, same genesis)', async () => {
    d = await createTestDatabase()
    const before = await ensureFactory({
      db: d.db,
      client: t.publicClient,
      rpcUrl: t.url,
      deployerKey: ANVIL_KEYS[0],
    })
    const other = await startTestChain()
    try {
      const genesis = await other.publicClient.getBlock({ blockNumber: 0n })
      // anvil keeps chain id and genesis across resets: only later block hashes differ.
      await other.testClient.mine({ blocks: Number(before.blockNumber) + 1 })
      const sameHeight = await other.publicClient.getBlock({ blockNumber: before.blockNumber })
      expect(sameHeight.hash).not.toBe(before.blockHash)
      const logs: string[] = []
      const after = await ensureFactory({
        db: d.db,
        client: other.publicClient,
        rpcUrl: other.url,
        deployerKey: ANVIL_KEYS[0],
        log: (l) => logs.push(l),
      })
      expect(after.deployed).toBe(true)
      expect(after.genesisHash).toBe(genesis.hash)
      expect(logs.join('\n')).toMatch(/was reset/)
      expect((await findDeployment({ db: d.db, chainId: 31337 }))?.genesisHash).toBe(genesis.hash)
    } finally {
      await other.stop()
    }
  })

  it("ensureFactory() starts a FACTORY_ADDRESS at its first event's block, on a node without archive state", async () => {
    d = await createTestDatabase()
    await t.testClient.mine({ blocks: 5 })
    const factory = await t.deployFactory(t.accounts[3])
    await t.testClient.mine({ blocks: 4 })
    const { receipt } = await t.openChannel({
      factory,
      consumer: t.accounts[1]!,
      provider: t.accounts[2]!.address,
    })
    await t.openChannel({ factory, consumer: t.accounts[1]!, provider: t.accounts[4]!.address })
    await t.testClient.mine({ blocks: 7 })
    // A node that keeps no past state, and caps eth_getLogs at 4 blocks per query.
    const node = await startPrunedNode(t.url, { maxLogRange: 4n })
    try {
      const logs: string[] = []
      const result = await ensureFactory({
        db: d.db,
        client: createChainClient({ rpcUrl: node.url }),
        rpcUrl: node.url,
        factoryAddress: factory,
        log: (l) => logs.push(l),
      })
      expect(node.refused).toEqual(expect.arrayContaining(['eth_getLogs']))
      expect(node.refused).not.toContain('eth_getCode')
      expect(result).toMatchObject({
        deployed: false,
        address: factory,
        blockNumber: receipt.blockNumber,
        txHash: null,
      })
      expect(result.blockHash).toBe(receipt.blockHash)
      expect(logs).toEqual([
        `FACTORY_BLOCK is not set: the indexer starts at block ${receipt.blockNumber}, the factory's first event`,
      ])
    } finally {
      await node.stop()
    }
  })

  it('ensureFactory() starts a FACTORY_ADDRESS that emitted nothing yet at the head', async () => {
    d = await createTestDatabase()
    const factory = await t.deployFactory(t.accounts[3])
    await t.testClient.mine({ blocks: 3 })
    const head = await t.publicClient.getBlockNumber({ cacheTime: 0 })
    const node = await startPrunedNode(t.url)
    try {
      const client = createChainClient({ rpcUrl: node.url })
      const result = await ensureFactory({ db: d.db, client, rpcUrl: node.url, factoryAddress: factory })
      expect(result.blockNumber).toBe(head)
      expect(node.refused).toEqual([])
    } finally {
      await node.stop()
    }
  })

  it('ensureFactory() keeps the recorded deployment, its transaction too, when started with its FACTORY_ADDRESS', async () => {
    d = await createTestDatabase()
    const deployed = await ensureFactory({
      db: d.db,
      client: t.publicClient,
      rpcUrl: t.url,
      deployerKey: ANVIL_KEYS[0],
    })
    expect(deployed.txHash).toMatch(/^0x[0-9a-f]{64}$/)
    await t.testClient.mine({ blocks: 3 })
    const again = await ensureFactory({
      db: d.db,
      client: t.publicClient,
      rpcUrl: t.url,
      factoryAddress: deployed.address,
    })
    const { deployed: _, ...record } = deployed
    expect(again).toEqual({ ...record, deployed: false })
    expect(await findDeployment({ db: d.db, chainId: 31337 })).toEqual(record)
  })

  it('ensureFactory() refuses a FACTORY_ADDRESS without code, and a chain without factory or key', async () => {
    d = await createTestDatabase()
    await expect(
      ensureFactory({
        db: d.db,
        client: t.publicClient,
        rpcUrl: t.url,
        factoryAddress: '0x000000000000000000000000000000000000dead',
      }),
    ).rejects.toThrow(/has no code/)
    await expect(ensureFactory({ db: d.db, client: t.publicClient, rpcUrl: t.url })).rejects.toThrow(
      /set FACTORY_ADDRESS .* or DEPLOYER_PRIVATE_KEY/,
    )
    expect(await findDeployment({ db: d.db, chainId: 31337 })).toBeNull()
  })
})

describe('ensureFactoryV2()', () => {
  it('ensureFactoryV2() deploys IntermediaryFactoryV2 beside v1 once, under its own contract name, and reuses it', async () => {
    d = await createTestDatabase()
    const v1 = await ensureFactory({
      db: d.db,
      client: t.publicClient,
      rpcUrl: t.url,
      deployerKey: ANVIL_KEYS[0],
    })
    const first = await ensureFactoryV2({
      db: d.db,
      client: t.publicClient,
      rpcUrl: t.url,
      deployerKey: ANVIL_KEYS[0],
    })
    expect(first?.deployed).toBe(true)
    expect(first?.address).not.toBe(v1.address)
    expect(await t.publicClient.getCode({ address: first!.address })).toBe(
      intermediaryFactoryV2DeployedBytecode,
    )
    const record = await findDeployment({ db: d.db, chainId: 31337, contract: FACTORY_V2_CONTRACT })
    expect(record).toMatchObject({ address: first?.address, contract: 'IntermediaryFactoryV2' })
    expect((await findDeployment({ db: d.db, chainId: 31337 }))?.address).toBe(v1.address)

    const again = await ensureFactoryV2({
      db: d.db,
      client: t.publicClient,
      rpcUrl: t.url,
      deployerKey: ANVIL_KEYS[0],
    })
    expect(again).toMatchObject({ deployed: false, address: first?.address })
  })

  it('ensureFactoryV2() without a deployment or a key answers null and says so (v1 channels only)', async () => {
    d = await createTestDatabase()
    const logs: string[] = []
    expect(
      await ensureFactoryV2({ db: d.db, client: t.publicClient, rpcUrl: t.url, log: (l) => logs.push(l) }),
    ).toBeNull()
    expect(logs).toEqual([
      'no IntermediaryFactoryV2 on chain 31337 and no DEPLOYER_PRIVATE_KEY: version 2 channels cannot be opened',
    ])
  })
})
