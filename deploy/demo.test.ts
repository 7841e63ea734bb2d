/**
 * The demo chain of compose's `demo` profile and the Kubernetes demo overlay: a real anvil
 * started with the committed genesis holds a factory that opens channels, and the product's own
 * factory check accepts it as given (FACTORY_ADDRESS, FACTORY_BLOCK 0) with no deployment.
 */
import { readFileSync } from 'node:fs'
import { createPublicClient, createWalletClient, http, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryFactoryAbi, intermediaryFactoryDeployedBytecode } from '../contracts/generated'
import { ANVIL_KEYS } from '../stack/anvil'
import type { Child } from '../stack/child'
import { ensureFactory } from '../stack/deploy'
import { createTestDatabase, type TestDatabase } from '../test/kit/database'
import { DEMO_CHAIN_ID, DEMO_FACTORY_ADDRESS, DEMO_GENESIS_FILE, demoGenesisText } from './demoGenesis'
import { startDemoChain } from './testing'

describe('the demo genesis', () => {
  let anvil: Child
  let url: string
  let database: TestDatabase

  beforeAll(async () => {
    ;({ url, anvil } = await startDemoChain())
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await anvil?.stop()
    await database?.drop()
  })

  it('is the committed file (regenerate: npx tsx deploy/demoGenesis.ts)', () => {
    expect(readFileSync(DEMO_GENESIS_FILE, 'utf8')).toBe(demoGenesisText())
  })

  it("holds the factory's current code on anvil's chain, with anvil's dev accounts funded", async () => {
    const client = createPublicClient({ transport: http(url) })
    expect(await client.getChainId()).toBe(DEMO_CHAIN_ID)
    expect(await client.getCode({ address: DEMO_FACTORY_ADDRESS })).toBe(intermediaryFactoryDeployedBytecode)
    const dev = privateKeyToAccount(ANVIL_KEYS[0])
    expect(await client.getBalance({ address: dev.address })).toBe(parseEther('10000'))
  })

  it('opens a channel through the factory, which counts it', async () => {
    const chain = { ...foundry, id: DEMO_CHAIN_ID }
    const client = createPublicClient({ chain, transport: http(url) })
    const consumer = createWalletClient({
      chain,
      transport: http(url),
      account: privateKeyToAccount(ANVIL_KEYS[1]),
    })
    const provider = privateKeyToAccount(ANVIL_KEYS[2]).address
    const hash = await consumer.writeContract({
      address: DEMO_FACTORY_ADDRESS,
      abi: intermediaryFactoryAbi,
      functionName: 'open',
      args: [provider, 1_000n, 3_600n, 3n * 3_600n],
      value: parseEther('1'),
    })
    expect((await client.waitForTransactionReceipt({ hash })).status).toBe('success')
    const count = await client.readContract({
      address: DEMO_FACTORY_ADDRESS,
      abi: intermediaryFactoryAbi,
      functionName: 'channelCount',
    })
    expect(count).toBe(1n)
  })

  it("is accepted by the product's factory check as given, without deploying", async () => {
    const client = createPublicClient({ transport: http(url) })
    const result = await ensureFactory({
      db: database.db,
      client,
      rpcUrl: url,
      factoryAddress: DEMO_FACTORY_ADDRESS,
      factoryBlock: 0n,
    })
    expect(result).toMatchObject({
      address: DEMO_FACTORY_ADDRESS,
      blockNumber: 0n,
      deployed: false,
      txHash: null,
    })
  })
})
