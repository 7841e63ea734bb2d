import type { Address, Hex } from 'viem'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { intermediaryAbi } from '../../../../contracts/generated'
import { type PaymentCores, startPaymentCores } from '../../../../test/kit/payment'
import type { ChannelTestbed } from '../../../../test/kit/testbed'
import { accept, actionsOf, sameTeam } from '../testing'

/*
 * The background runner against real Postgres and anvil: one leader at a time, every duty of
 * PRODUCT.md ("Payment Server": finalize redemptions, redeem the last token on termination,
 * terminate, withdraw, auto-fund), backoff instead of a loop, and nothing lost on a restart.
 * One testbed (chain and factory) for the file; each test has a database of its own, so a round only sees its channels.
 */

let cores: PaymentCores
let testbed: ChannelTestbed

beforeAll(async () => {
  cores = await startPaymentCores()
  testbed = cores.testbed
})

afterEach(() => {
  vi.useRealTimers()
})

afterAll(() => cores?.stop())

/** A core on the file's testbed, on a database of its own or on `shared`'s. */
const payment: PaymentCores['core'] = (shared, settings) => cores.core(shared, settings)
const balanceOf = (address: Address) => testbed.publicClient.getBalance({ address })

/** Wei a transaction cost its sender in gas. */
async function gasOf(hash: Hex): Promise<bigint> {
  const receipt = await testbed.publicClient.getTransactionReceipt({ hash })
  return receipt.gasUsed * receipt.effectiveGasPrice
}

async function eventsOf<N extends 'Withdrawn' | 'Deposited' | 'Redeemed'>(address: Address, eventName: N) {
  return testbed.publicClient.getContractEvents({ address, abi: intermediaryAbi, eventName, fromBlock: 0n })
}

describe('runner leadership', () => {
  it('runOnce() leads on exactly one of two cores sharing a database; stop() hands over', async () => {
    const a = await payment()
    const b = await payment(a)
    const first = await Promise.all([a.server.runner.runOnce(), b.server.runner.runOnce()])
    expect(first.map((r) => r.leader).sort()).toEqual([false, true])
    const [leader, other] = first[0]?.leader ? [a, b] : [b, a]
    expect(leader.server.runner.isLeader()).toBe(true)
    expect(other.server.runner.isLeader()).toBe(false)
    // The lock is held across rounds, not taken per round.
    expect(await other.server.runner.runOnce()).toEqual({ leader: false, channels: 0 })
    expect((await leader.server.runner.runOnce()).leader).toBe(true)

    await leader.server.runner.stop()
    expect(leader.server.runner.isLeader()).toBe(false)
    expect((await other.server.runner.runOnce()).leader).toBe(true)
    expect(other.server.runner.isLeader()).toBe(true)
    expect((await leader.server.runner.runOnce()).leader).toBe(false)
  })
})

describe('runner duties', () => {
  it('consumer termination: redeems the last token, terminates, and both sides withdraw', async () => {
    const t = await payment()
    const alice = (await t.service('alice')).service
    const bob = (await t.service('bob')).service
    const channel = await t.channel(alice, bob, { deposit: 1_000_000n, costPerRequest: 1_000n })
    await accept(t, channel, alice, bob, 5)
    await t.server.channels.act(channel, alice, 'startTermination')
    const { terminatesAt } = await testbed.state(channel.address)
    expect(terminatesAt).toBeGreaterThan(0n)

    // The last token goes into redemption and no new token ID becomes active.
    expect(await t.server.runner.runOnce()).toEqual({ leader: true, channels: 1 })
    expect(await testbed.state(channel.address)).toMatchObject({
      activeTokenId: 0n,
      expiringTokenId: 1n,
      lastTokenId: 1n,
      terminatesAt,
      terminated: false,
      providerFunds: 0n,
    })
    await t.server.runner.runOnce() // not due yet: nothing changes
    expect(await testbed.state(channel.address)).toMatchObject({ expiringTokenId: 1n, providerFunds: 0n })

    await testbed.advanceTime(channel.redemptionTimeout + 1n)
    await t.server.runner.runOnce()
    expect(await testbed.state(channel.address)).toMatchObject({
      expiringTokenId: 0n,
      providerFunds: 5_000n,
      consumerFunds: 995_000n,
      terminated: false,
    })
    const row = await t.database.db.paymentAccepted.findUniqueOrThrow({
      where: {
        chainId_channel_tokenId: { chainId: t.server.chainId, channel: channel.address, tokenId: '1' },
      },
    })
    expect(row.redeemedAmount?.toFixed()).toBe('5000')

    // Nothing left to redeem: the provider terminates before the deadline; the consumer takes its refund.
    const aliceBefore = await balanceOf(alice.address)
    await t.server.runner.runOnce()
    expect(await testbed.state(channel.address)).toMatchObject({
      terminated: true,
      consumerFunds: 0n,
      providerFunds: 5_000n,
    })
    const bobBefore = await balanceOf(bob.address)
    await t.server.runner.runOnce()
    expect(await testbed.state(channel.address)).toMatchObject({ consumerFunds: 0n, providerFunds: 0n })

    const withdrawn = await eventsOf(channel.address, 'Withdrawn')
    expect(withdrawn.map((e) => [e.args.to?.toLowerCase(), e.args.amount])).toEqual([
      [alice.address, 995_000n],
      [bob.address, 5_000n],
    ])
    const [refund, earnings] = withdrawn as [(typeof withdrawn)[number], (typeof withdrawn)[number]]
    expect(await balanceOf(alice.address)).toBe(
      aliceBefore + 995_000n - (await gasOf(refund.transactionHash)),
    )
    expect(await balanceOf(bob.address)).toBe(bobBefore + 5_000n - (await gasOf(earnings.transactionHash)))
    expect(await actionsOf(t, channel)).toEqual([
      'open mined',
      'startTermination mined',
      'startRedemption mined',
      'redeem mined',
      'terminate mined',
      'withdraw mined',
      'withdraw mined',
    ])
    await t.server.runner.runOnce() // done: nothing more to send
    expect(await actionsOf(t, channel)).toHaveLength(7)
  })

  it('consumer termination with a provider that is not ours: terminates after the deadline, then withdraws', async () => {
    const t = await payment()
    const alice = (await t.service('alice')).service
    const outsider = testbed.accounts[5]!.address.toLowerCase() as Address
    const { channel } = await t.server.channels.open({
      consumer: alice,
      provider: outsider,
      costPerRequest: 1_000n,
      deposit: 1_000_000n,
      redemptionTimeout: 60n,
      terminationTimeout: 600n,
      autoFund: null,
    })
    expect(channel.providerServiceId).toBeNull()
    await t.server.channels.act(channel, alice, 'startTermination')
    const { terminatesAt } = await testbed.state(channel.address)

    expect(await t.server.runner.runOnce()).toEqual({ leader: true, channels: 1 })
    await testbed.advanceTime(300)
    await t.server.runner.runOnce()
    expect(await testbed.state(channel.address)).toMatchObject({
      terminatesAt,
      terminated: false,
      consumerFunds: 1_000_000n,
    })
    expect(await actionsOf(t, channel)).toEqual(['open mined', 'startTermination mined'])

    await testbed.advanceTime(301) // past terminatesAt
    await t.server.runner.runOnce()
    expect(await testbed.state(channel.address)).toMatchObject({
      terminated: true,
      consumerFunds: 1_000_000n,
    })
    await t.server.runner.runOnce()
    expect(await testbed.state(channel.address)).toMatchObject({
      terminated: true,
      consumerFunds: 0n,
      providerFunds: 0n,
    })
    const withdrawn = await eventsOf(channel.address, 'Withdrawn')
    expect(withdrawn.map((e) => [e.args.to?.toLowerCase(), e.args.amount])).toEqual([
      [alice.address, 1_000_000n],
    ])
    expect(await actionsOf(t, channel)).toEqual([
      'open mined',
      'startTermination mined',
      'terminate mined',
      'withdraw mined',
    ])
  })

  it('provider termination: the runner withdraws both sides in one round', async () => {
    const t = await payment()
    const alice = (await t.service('alice')).service
    const bob = (await t.service('bob')).service
    const channel = await t.channel(alice, bob, { deposit: 1_000_000n, costPerRequest: 1_000n })
    await accept(t, channel, alice, bob, 3)
    t.server.settings.redeemValue = 1n
    await t.server.runner.runOnce()
    await testbed.advanceTime(channel.redemptionTimeout + 1n)
    await t.server.runner.runOnce()
    t.server.settings.redeemValue = 10n ** 18n
    expect(await testbed.state(channel.address)).toMatchObject({
      providerFunds: 3_000n,
      consumerFunds: 997_000n,
    })

    await t.server.channels.act(channel, bob, 'terminate')
    expect(await testbed.state(channel.address)).toMatchObject({
      terminated: true,
      providerFunds: 3_000n,
      consumerFunds: 997_000n,
    })
    const [aliceBefore, bobBefore] = await Promise.all([balanceOf(alice.address), balanceOf(bob.address)])
    await t.server.runner.runOnce()
    expect(await testbed.state(channel.address)).toMatchObject({ providerFunds: 0n, consumerFunds: 0n })
    const withdrawn = await eventsOf(channel.address, 'Withdrawn')
    expect(withdrawn.map((e) => [e.args.to?.toLowerCase(), e.args.amount])).toEqual([
      [bob.address, 3_000n],
      [alice.address, 997_000n],
    ])
    const [earnings, refund] = withdrawn as [(typeof withdrawn)[number], (typeof withdrawn)[number]]
    expect(await balanceOf(bob.address)).toBe(bobBefore + 3_000n - (await gasOf(earnings.transactionHash)))
    expect(await balanceOf(alice.address)).toBe(
      aliceBefore + 997_000n - (await gasOf(refund.transactionHash)),
    )
  })

  it('auto-funding deposits exactly the amount once the funds left fall below the threshold', async () => {
    const t = await payment()
    const alice = (await t.service('alice')).service
    const bob = (await t.service('bob')).service
    const channel = await t.channel(alice, bob, { deposit: 1_000_000n, costPerRequest: 1_000n })
    await t.server.channels.setAutoFund(channel, { threshold: 500_000n, amount: 2_000_000n })

    await t.server.issuer.issue({ channel, consumer: alice, count: 400 }) // 600,000 left: enough
    await t.server.runner.runOnce()
    expect((await testbed.state(channel.address)).consumerFunds).toBe(1_000_000n)

    await t.server.issuer.issue({ channel, consumer: alice, count: 200 }) // 400,000 left: below
    await t.server.runner.runOnce()
    expect((await testbed.state(channel.address)).consumerFunds).toBe(3_000_000n)
    await t.server.runner.runOnce() // 2,400,000 left: no second deposit
    expect((await testbed.state(channel.address)).consumerFunds).toBe(3_000_000n)

    const deposited = await eventsOf(channel.address, 'Deposited')
    expect(deposited.map((e) => e.args.amount)).toEqual([1_000_000n, 2_000_000n])
    expect(await actionsOf(t, channel)).toEqual(['open mined', 'deposit mined'])
  })
})

describe('runner failures', () => {
  it('a transaction refused in simulation is tried once per backoff period, the delay doubling', async () => {
    const t = await payment()
    const bob = (await t.service('bob')).service
    // A consumer with 0.01 ether whose auto-funding asks for 1 ether: the deposit cannot succeed.
    const carol = (
      await t.server.services.register({
        name: 'carol',
        team: 'team',
        price: null,
        key: { source: 'generate' },
      })
    ).service
    await testbed.mined(
      await testbed.wallet(testbed.accounts[9]!).sendTransaction({ to: carol.address, value: 10n ** 16n }),
    )
    const channel = await t.channel(carol, bob, { deposit: 1_000_000n, costPerRequest: 1_000n })
    await t.server.channels.setAutoFund(channel, { threshold: 10n ** 18n, amount: 10n ** 18n })
    const balance = await balanceOf(carol.address)

    // Date only: retry_at and last_error_at then come out exact (timers and the chain run as usual).
    const now = new Date(Math.floor(Date.now() / 1000) * 1000)
    vi.useFakeTimers({ toFake: ['Date'], now })
    const rounds = []
    for (let i = 0; i < 5; i++) rounds.push(await t.server.runner.runOnce())
    expect(rounds).toEqual([
      { leader: true, channels: 1 },
      ...Array.from({ length: 4 }, () => ({ leader: true, channels: 0 })),
    ])
    const refused = () =>
      t.database.db.paymentAction.count({ where: { channel: channel.address, status: 'refused' } })
    expect(await refused()).toBe(1)
    const message = `consumer duties: deposit would fail: account ${carol.address} of service carol cannot pay the value and gas.`
    const bookkeeping = () =>
      t.database.db.paymentChannel.findUniqueOrThrow({
        where: { chainId_address: { chainId: t.server.chainId, address: channel.address } },
        select: { failures: true, retryAt: true, lastError: true, lastErrorAt: true },
      })
    expect(await bookkeeping()).toEqual({
      failures: 1,
      retryAt: new Date(now.getTime() + 5_000),
      lastError: message,
      lastErrorAt: now,
    })

    // Once retry_at has passed it is tried again, once, and the delay doubles.
    await t.database.db.paymentChannel.update({
      where: { chainId_address: { chainId: t.server.chainId, address: channel.address } },
      data: { retryAt: new Date(now.getTime() - 1_000) },
    })
    expect(await t.server.runner.runOnce()).toEqual({ leader: true, channels: 1 })
    expect(await t.server.runner.runOnce()).toEqual({ leader: true, channels: 0 })
    expect(await refused()).toBe(2)
    expect(await bookkeeping()).toEqual({
      failures: 2,
      retryAt: new Date(now.getTime() + 10_000),
      lastError: message,
      lastErrorAt: now,
    })
    expect(await actionsOf(t, channel)).toEqual(['open mined', 'deposit refused', 'deposit refused'])
    expect(await balanceOf(carol.address)).toBe(balance) // nothing was sent, so no gas was spent
    expect((await testbed.state(channel.address)).consumerFunds).toBe(1_000_000n)
  })

  it('a provider without ether for gas: one refused send, said in words, then backoff', async () => {
    const t = await payment()
    const alice = (await t.service('alice')).service
    // Registered but never funded: it can accept tokens, not pay for a transaction.
    const poor = (
      await t.server.services.register({
        name: 'poor',
        team: 'team',
        price: 1_000n,
        key: { source: 'generate' },
      })
    ).service
    const channel = await t.channel(alice, poor, { deposit: 1_000_000n, costPerRequest: 1_000n })
    await accept(t, channel, alice, poor, 1)
    t.server.settings.redeemValue = 1n

    const now = new Date(Math.floor(Date.now() / 1000) * 1000)
    vi.useFakeTimers({ toFake: ['Date'], now })
    for (let i = 0; i < 5; i++) await t.server.runner.runOnce()
    const rows = await t.database.db.paymentAction.findMany({
      where: { channel: channel.address, action: 'startRedemption' },
    })
    expect(rows.map((r) => [r.status, r.txHash, r.error])).toEqual([
      [
        'refused',
        null,
        `startRedemption could not be sent: account ${poor.address} of service poor cannot pay the value and gas.`,
      ],
    ])
    expect(
      await t.database.db.paymentChannel.findUniqueOrThrow({
        where: { chainId_address: { chainId: t.server.chainId, address: channel.address } },
        select: { failures: true, retryAt: true, lastError: true },
      }),
    ).toEqual({
      failures: 1,
      retryAt: new Date(now.getTime() + 5_000),
      lastError: `provider duties: ${rows[0]?.error}`,
    })
    expect(await testbed.state(channel.address)).toMatchObject({ activeTokenId: 1n, expiringTokenId: 0n })
  })
})

describe('runner restarts', () => {
  it('a new core on the same database redeems what an earlier one accepted', async () => {
    const t = await payment()
    const alice = (await t.service('alice')).service
    const bob = (await t.service('bob')).service
    const channel = await t.channel(alice, bob, { deposit: 1_000_000n, costPerRequest: 1_000n })
    await accept(t, channel, alice, bob, 10)

    // A second core, with nothing in memory, starts the redemption and stops...
    const second = await payment(t, sameTeam(t, { redeemValue: 1n }))
    expect(await second.server.runner.runOnce()).toEqual({ leader: true, channels: 1 })
    expect(await testbed.state(channel.address)).toMatchObject({ expiringTokenId: 1n, activeTokenId: 2n })
    await second.server.runner.stop()

    // ...and a third one completes it after the timeout.
    await testbed.advanceTime(channel.redemptionTimeout + 1n)
    const third = await payment(t, sameTeam(t))
    expect(await third.server.runner.runOnce()).toEqual({ leader: true, channels: 1 })
    expect(await testbed.state(channel.address)).toMatchObject({
      expiringTokenId: 0n,
      activeTokenId: 2n,
      providerFunds: 10_000n,
      consumerFunds: 990_000n,
    })
    const redeemed = await eventsOf(channel.address, 'Redeemed')
    expect(redeemed.map((e) => [e.args.tokenId, e.args.requests, e.args.amount])).toEqual([
      [1n, 10n, 10_000n],
    ])
    const row = await t.database.db.paymentAccepted.findUniqueOrThrow({
      where: {
        chainId_channel_tokenId: { chainId: t.server.chainId, channel: channel.address, tokenId: '1' },
      },
    })
    expect(row.redeemedAmount?.toFixed()).toBe('10000')
    expect(row.redeemedTx).toBe(redeemed[0]?.transactionHash)
  })
})
