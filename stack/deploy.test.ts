import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryFactoryDeployedBytecode } from '../contracts/generated'
import { findDeployment } from '../lib/server/deployments'
import { startTestChain, type TestChain } from '../test/kit/chain'
import { createTestDatabase, type TestDatabase } from '../test/kit/database'
import { ANVIL_KEYS } from './anvil'
import { ensureFactory, firstBlockWithCode } from './deploy'

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

  it('ensureFactory() uses FACTORY_ADDRESS as is and finds its deployment block', async () => {
    d = await createTestDatabase()
    await t.testClient.mine({ blocks: 5 })
    const address = await t.deployFactory(t.accounts[3])
    const expectedBlock = await firstBlockWithCode(t.publicClient, address)
    await t.testClient.mine({ blocks: 7 })
    const result = await ensureFactory({
      db: d.db,
      client: t.publicClient,
      rpcUrl: t.url,
      factoryAddress: address,
    })
    expect(result.deployed).toBe(false)
    expect(result.address).toBe(address)
    expect(result.blockNumber).toBe(expectedBlock)
    const receiptBlock = (await t.publicClient.getBlock({ blockNumber: expectedBlock })).hash
    expect(result.blockHash).toBe(receiptBlock)
    expect(await t.publicClient.getCode({ address, blockNumber: expectedBlock - 1n })).toBeUndefined()
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
