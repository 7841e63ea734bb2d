import { parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { startTestPayment, type TestPayment, testSettings } from '../../../test/kit/payment'
import { type ChannelTestbed, startChannelTestbed } from '../../../test/kit/testbed'
import { bigintOf } from '../../columns/kinds'
import { FACTORY_CONTRACT, saveDeployment } from '../deployments'
import { callRoute } from './api/testing'
import type { Service } from './services'
import { accept } from './testing'

/*
 * The Payment Server on a dev chain that is reset under it (anvil_reset, then the factory
 * deployed again at the same address, as npm start does): it notices, retires the old chain's
 * channels with their records kept, answers 410 `channel_retired` about them (never 503), and
 * opens a new channel for the same pair.
 */

let testbed: ChannelTestbed
/** The databases of the suite's tests, each with the cores on it. */
const databases: Array<{ database: TestDatabase; cores: TestPayment[] }> = []

beforeAll(async () => {
  testbed = await startChannelTestbed()
})
afterAll(async () => {
  for (const { database, cores } of databases) {
    for (const c of cores.reverse()) await c.stop()
    await database.drop()
  }
  await testbed?.stop()
})

/** A database of its own for a test, with the factory's deployment recorded. */
async function freshDatabase() {
  const database = await createTestDatabase()
  databases.push({ database, cores: [] })
  await recordFactory(database)
  return database
}

/** Records the factory's deployment as npm start does (stack/deploy.ts): the chain's reference block. */
async function recordFactory(database: TestDatabase) {
  const receipt = await testbed.publicClient.getBlock({ blockNumber: testbed.factoryBlock })
  const genesis = await testbed.publicClient.getBlock({ blockNumber: 0n })
  await saveDeployment({
    db: database.db,
    record: {
      chainId: testbed.chain.id,
      contract: FACTORY_CONTRACT,
      address: testbed.factory,
      blockNumber: testbed.factoryBlock,
      blockHash: receipt.hash,
      txHash: null,
      genesisHash: genesis.hash,
    },
  })
}

/** A core on the suite's chain and `database`; the background check is left to the test. */
async function core(database: TestDatabase, keystoreSecret?: string) {
  const settings = testSettings({ chainCheckMs: 3_600_000 })
  const t = await startTestPayment({
    testbed,
    database,
    settings: keystoreSecret ? { ...settings, keystoreSecret } : settings,
  })
  databases.find((d) => d.database === database)?.cores.push(t)
  return t
}

/** anvil_reset: a new chain with the same id, no contracts; the factory deployed again, and recorded. */
async function resetChain(database: TestDatabase, services: Service[]) {
  const before = await testbed.publicClient.getBlock({ blockNumber: testbed.factoryBlock })
  await testbed.testClient.request({ method: 'anvil_reset', params: [] } as never)
  await testbed.testClient.mine({ blocks: 2 }) // the factory lands at another block than before
  expect(await testbed.deployFactory()).toBe(testbed.factory)
  testbed.factoryBlock = await testbed.publicClient.getBlockNumber()
  expect((await testbed.publicClient.getBlock({ blockNumber: before.number })).hash).not.toBe(before.hash)
  await recordFactory(database)
  for (const s of services) {
    await testbed.mined(
      await testbed.wallet(testbed.accounts[9]!).sendTransaction({ to: s.address, value: parseEther('100') }),
    )
  }
}

describe('Payment Server on a reset dev chain', () => {
  it("a running server retires the old chain's channels on the first call about one (410 channel_retired, not 503), keeps their records, and opens a new channel for the pair", async () => {
    const database = await freshDatabase()
    const t = await core(database)
    const other = await core(database, t.server.settings.keystoreSecret)
    const alice = (await t.service('alice')).service
    const bob = (await t.service('bob', { price: 1_000n })).service
    const opened = await callRoute(t.server, 'channels.open', {
      caller: alice,
      body: { provider: 'bob', deposit: '1000000' },
    })
    expect(opened.status).toBe(201)
    const old = await t.server.channels.forParty(opened.body.channel.address, alice)
    await accept(t, old, alice, bob, 3)
    const [unspent] = (await t.server.issuer.issue({ channel: old, consumer: alice, count: 1 })).tokens
    // The other instance knows the channel too (and remembers it).
    expect(await other.server.channels.find(old.address)).toMatchObject({ address: old.address })

    await resetChain(database, [alice, bob])

    const gone = await callRoute(t.server, 'channels.get', {
      caller: alice,
      params: { address: old.address },
    })
    expect(gone).toMatchObject({ status: 410, body: { error: { code: 'channel_retired' } } })
    expect(gone.body.error.message).toMatch(
      new RegExp(
        `^Channel ${old.address} belonged to chain 31337 before it was reset \\(retired .+\\); open a new channel\\.$`,
      ),
    )
    expect(t.log.lines.find((l) => l.includes('was reset'))).toMatch(
      /chain 31337 was reset \(block \d+ is 0x[0-9a-f]{64} on the node, was 0x[0-9a-f]{64}\): retired 1 payment channels of epoch 1 \(1 token IDs issued, 1 accepted, 3000 wei accepted and never redeemed\)/,
    )
    // Retired, not deleted: the rows are kept for audit, the actions too.
    const [retired] = await database.db.paymentRetiredChannel.findMany({ where: { address: old.address } })
    expect(retired).toMatchObject({ epoch: 1, consumer: alice.address, provider: bob.address })
    expect(bigintOf(retired!.unredeemedValue)).toBe(3_000n)
    expect(retired!.accepted).toMatchObject([{ token_id: 1, highest: 3 }])
    expect(await database.db.paymentAction.count({ where: { channel: old.address, action: 'open' } })).toBe(1)
    expect(await database.db.paymentChannel.count()).toBe(0)

    const health = await callRoute(t.server, 'health', { caller: alice })
    expect(health.body.chain).toMatchObject({
      epoch: 2,
      retiredChannels: 1,
      reference: { block: testbed.factoryBlock.toString() },
    })
    expect(
      (await t.server.metrics.registry.getSingleMetricAsString('payment_retired_channels_total'))
        .split('\n')
        .at(-1),
    ).toBe('payment_retired_channels_total 1')

    // A token of the old channel is refused as such, not as a node failure.
    expect(await t.server.verifier.verify(bob, unspent as string)).toMatchObject({
      accepted: false,
      code: 'channel_retired',
      status: 410,
    })

    // The other instance sees the new epoch at its next check and forgets what it remembered.
    await other.server.chainEpoch.check()
    const elsewhere = await callRoute(other.server, 'channels.get', {
      caller: alice,
      params: { address: old.address },
    })
    expect(elsewhere).toMatchObject({ status: 410, body: { error: { code: 'channel_retired' } } })

    // Get-or-create does not give the retired channel back: it opens one on the new chain.
    const reopened = await callRoute(t.server, 'channels.open', {
      caller: alice,
      body: { provider: 'bob', deposit: '1000000' },
    })
    expect(reopened).toMatchObject({ status: 201, body: { created: true } })
    const fresh = reopened.body.channel.address as string
    expect(await testbed.state(fresh as `0x${string}`)).toMatchObject({
      consumer: alice.address,
      consumerFunds: 1_000_000n,
    })
    const tokens = await callRoute(other.server, 'tokens.issue', {
      caller: alice,
      body: { provider: 'bob', count: 2 },
    })
    expect(tokens).toMatchObject({ status: 200, body: { channel: fresh, tokenId: '1' } })
    // The runner works on the new channel only: no duty of the old one is tried (its sent
    // transactions are the watcher's: runner/txWatcher.ts).
    expect(await t.server.runner.runOnce()).toEqual({ leader: true, channels: 1 })
    const duties = new RegExp(`runner: ${old.address} (read state|provider duties|consumer duties)`)
    expect(t.log.lines.filter((l) => duties.test(l))).toEqual([])
    expect(await t.server.chainEpoch.check()).toBeNull()
  })

  it('a server started on a reset chain with the old database retires the old channels before its first call', async () => {
    const database = await freshDatabase()
    const t = await core(database)
    const carol = (await t.service('carol')).service
    const dave = (await t.service('dave', { price: 1_000n })).service
    const channel = await t.channel(carol, dave)
    await accept(t, channel, carol, dave, 2)
    const epoch = (await t.server.chainEpoch.status()).epoch
    // The process ends (its database and chain stay).
    const { cores } = databases.at(-1) as (typeof databases)[number]
    await (cores.pop() as TestPayment).stop()

    await resetChain(database, [carol, dave])
    const restarted = await core(database, t.server.settings.keystoreSecret)
    expect(restarted.log.lines.find((l) => l.includes('was reset'))).toContain('retired 1 payment channels')
    expect(await restarted.server.chainEpoch.status()).toMatchObject({ epoch: epoch + 1 })
    expect(
      await callRoute(restarted.server, 'tokens.issueForChannel', {
        caller: carol,
        params: { address: channel.address },
        body: { count: 1 },
      }),
    ).toMatchObject({ status: 410, body: { error: { code: 'channel_retired' } } })
    const opened = await callRoute(restarted.server, 'channels.open', {
      caller: carol,
      body: { provider: 'dave', deposit: '1000000' },
    })
    expect(opened).toMatchObject({ status: 201, body: { created: true } })
  })
})
