import type { Hex } from 'viem'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type PaymentCores,
  startPaymentCores,
  type TestPayment,
  testSettings,
} from '../../../../test/kit/payment'
import { isAppError } from '../../../errors'
import type { ChannelRecord } from '../channels'
import type { Service } from '../services'
import { accept, actionsOf } from '../testing'
import { chainControls, pendingOf, redemptionOf, sentOf, troubleOf } from './testing'

/*
 * The runner with transactions in flight and lost, on real anvil and Postgres: it sends,
 * records and moves on; a transaction the node dropped, or a reorg took out of the chain, is
 * noticed within a few blocks and its channel decided again from the chain; meanwhile other
 * channels go on. anvil keeps transactions in flight with automine off and loses them with
 * anvil_dropTransaction, anvil_reorg and evm_revert. The watcher's default: a transaction the
 * node does not have is dropped 3 blocks after it was sent (or found missing).
 */

let cores: PaymentCores
let chain: ReturnType<typeof chainControls>

beforeAll(async () => {
  cores = await startPaymentCores()
  chain = chainControls(cores.testbed)
})
afterEach(() => chain.automine(true))
afterAll(() => cores?.stop())

/** A core of its own (with `settings`) with alice (consumer), bob and carol (providers). */
async function team(
  settings: Parameters<typeof testSettings>[0] = {},
): Promise<{ t: TestPayment; alice: Service; bob: Service; carol: Service }> {
  const t = await cores.core(undefined, testSettings(settings))
  const alice = (await t.service('alice')).service
  const bob = (await t.service('bob')).service
  const carol = (await t.service('carol')).service
  return { t, alice, bob, carol }
}

/** A channel of `provider` with `requests` accepted of token ID 1 and its redemption started and due. */
async function dueRedemption(t: TestPayment, consumer: Service, provider: Service, requests: number) {
  const channel = await t.channel(consumer, provider, { deposit: 1_000_000n, costPerRequest: 1_000n })
  await accept(t, channel, consumer, provider, requests)
  t.server.settings.redeemValue = 1n
  await t.server.runner.runOnce()
  t.server.settings.redeemValue = 10n ** 18n
  await cores.testbed.advanceTime(channel.redemptionTimeout + 31n) // past the tolerance window too
  return channel
}

const state = (channel: ChannelRecord) => cores.testbed.state(channel.address)

describe('runner with lost transactions', () => {
  it('a lost transaction on one channel does not hold back another channel; it is resent with its nonce', async () => {
    const { t, alice, bob, carol } = await team()
    const a = await t.channel(alice, bob)
    const b = await t.channel(alice, carol)
    await accept(t, a, alice, bob, 2)
    t.server.settings.redeemValue = 1n

    // A's startRedemption goes out and is lost: the round does not wait for it.
    await chain.automine(false)
    expect(await t.server.runner.runOnce()).toEqual({ leader: true, channels: 2 })
    const lost = await pendingOf(t, a)
    await chain.drop(lost)
    await chain.automine(true)

    // B's redemption falls due while A's transaction is missing: B goes on in the next round.
    await accept(t, b, alice, carol, 3)
    await t.server.runner.runOnce()
    expect(await state(b)).toMatchObject({ activeTokenId: 2n, expiringTokenId: 1n })
    expect(await state(a)).toMatchObject({ activeTokenId: 1n, expiringTokenId: 0n })
    expect((await sentOf(t, a)).statuses).toEqual(['open mined', 'startRedemption pending'])

    // A few blocks later A's transaction counts as dropped; decided again, it is resent with the same nonce.
    await chain.mine(3)
    await t.server.runner.runOnce()
    expect(await state(a)).toMatchObject({ activeTokenId: 2n, expiringTokenId: 1n })
    const sentA = await sentOf(t, a)
    expect(sentA.statuses).toEqual(['open mined', 'startRedemption dropped', 'startRedemption mined'])
    expect(sentA.nonces[2]).toBe(sentA.nonces[1])
    expect(BigInt(await chain.nonceOf(bob.address))).toBe((sentA.nonces[1] as bigint) + 1n)
    expect((await sentOf(t, b)).statuses).toEqual(['open mined', 'startRedemption mined'])
    // No "nonce too low", no backoff: the channels are clean.
    expect(await troubleOf(t, a)).toEqual({ failures: 0, lastError: null })
    expect(await actionsOf(t, a)).toEqual(['open mined', 'startRedemption dropped', 'startRedemption mined'])
  })

  it('a dropped redemption is noticed within a few blocks, resent, and the right amount is redeemed and recorded', async () => {
    const { t, alice, bob } = await team()
    const channel = await dueRedemption(t, alice, bob, 5)

    await chain.automine(false)
    await t.server.runner.runOnce()
    const lost = await pendingOf(t, channel)
    await chain.drop(lost)
    await chain.automine(true)
    expect(await redemptionOf(t, channel)).toEqual({ tx: null, amount: null, redeemed: false })

    await chain.mine(2) // not yet: the node may still be about to get it
    await t.server.runner.runOnce()
    expect((await sentOf(t, channel)).statuses).toEqual([
      'open mined',
      'startRedemption mined',
      'redeem pending',
    ])
    await chain.mine(1)
    await t.server.runner.runOnce()

    const redemptions = await chain.redemptions(channel.address)
    expect(redemptions.map(([id, requests, amount]) => [id, requests, amount])).toEqual([[1n, 5n, 5_000n]])
    const sent = await sentOf(t, channel)
    expect(sent.statuses).toEqual(['open mined', 'startRedemption mined', 'redeem dropped', 'redeem mined'])
    expect(sent.rows.map((r) => r.tokenId)).toEqual([null, null, 1n, 1n])
    expect(sent.nonces[3]).toBe(sent.nonces[2])
    expect(await redemptionOf(t, channel)).toEqual({
      tx: redemptions[0]?.[3],
      amount: 5_000n,
      redeemed: true,
    })
    expect(await state(channel)).toMatchObject({ expiringTokenId: 0n, providerFunds: 5_000n })
  })

  it('a reorg that removes a redemption: payment_accepted stops pointing at it in one round, and it is redone', async () => {
    const { t, alice, bob, carol } = await team()
    const a = await dueRedemption(t, alice, bob, 4)
    const b = await t.channel(alice, carol)

    await t.server.runner.runOnce() // A's redemption, mined and recorded
    const first = (await redemptionOf(t, a)).tx as Hex
    expect(await chain.redemptions(a.address)).toEqual([[1n, 4n, 4_000n, first]])

    // B's startRedemption is in flight when a reorg takes A's block: both are lost.
    await accept(t, b, alice, carol, 3)
    t.server.settings.redeemValue = 1n
    await chain.automine(false)
    await t.server.runner.runOnce()
    await chain.drop(await pendingOf(t, b))
    await chain.reorg(Number((await chain.head()) - (await chain.blockOf(first)) + 1n))
    await chain.automine(true)
    expect(await state(a)).toMatchObject({ expiringTokenId: 1n, providerFunds: 0n })

    await t.server.runner.runOnce()
    expect(await redemptionOf(t, a)).toEqual({ tx: null, amount: null, redeemed: false })
    expect((await sentOf(t, a)).statuses).toEqual(['open mined', 'startRedemption mined', 'redeem pending'])

    await chain.mine(3)
    await t.server.runner.runOnce()
    const redemptions = await chain.redemptions(a.address)
    expect(redemptions.map(([id, requests, amount]) => [id, requests, amount])).toEqual([[1n, 4n, 4_000n]])
    expect(await redemptionOf(t, a)).toEqual({ tx: redemptions[0]?.[3], amount: 4_000n, redeemed: true })
    expect((await sentOf(t, a)).statuses).toEqual([
      'open mined',
      'startRedemption mined',
      'redeem dropped',
      'redeem mined',
    ])
    expect((await sentOf(t, b)).statuses).toEqual([
      'open mined',
      'startRedemption dropped',
      'startRedemption mined',
    ])
    expect(await state(b)).toMatchObject({ activeTokenId: 2n, expiringTokenId: 1n })
    expect(await actionsOf(t, a)).toEqual([
      'open mined',
      'startRedemption mined',
      'redeem mined',
      'redeem dropped',
      'redeem mined',
    ])
  })

  it('a transaction recorded but never broadcast (a crash in between) is dropped after a few blocks and its duty done', async () => {
    const { t, alice, bob } = await team()
    const channel = await t.channel(alice, bob)
    await accept(t, channel, alice, bob, 2)
    t.server.settings.redeemValue = 1n
    // What a crash between recording and broadcasting leaves: a pending row the node never saw.
    const nonce = BigInt(await chain.nonceOf(bob.address))
    await t.server.sent.record({
      hash: `0x${'ab'.repeat(32)}`,
      account: bob.address,
      nonce,
      serviceId: bob.id,
      channel: channel.address,
      action: 'startRedemption',
      tokenId: null,
      maxFeePerGas: null,
      maxPriorityFeePerGas: null,
      sentBlock: await chain.head(),
    })
    await t.server.runner.runOnce() // the channel waits for it
    expect(await state(channel)).toMatchObject({ activeTokenId: 1n, expiringTokenId: 0n })
    await chain.mine(3)
    await t.server.runner.runOnce()
    const sent = await sentOf(t, channel)
    expect(sent.statuses).toEqual(['open mined', 'startRedemption dropped', 'startRedemption mined'])
    expect(sent.nonces.slice(1)).toEqual([nonce, nonce])
    expect(await state(channel)).toMatchObject({ activeTokenId: 2n, expiringTokenId: 1n })
  })

  it('a dropped redemption mined after all (from another mempool) is settled and recorded; its resend is replaced', async () => {
    const { t, alice, bob } = await team()
    const channel = await dueRedemption(t, alice, bob, 3)
    await chain.automine(false)
    await t.server.runner.runOnce()
    const first = await pendingOf(t, channel)
    const raw = await chain.rawOf(first)
    await chain.drop(first)
    await chain.mine(3)
    await t.server.runner.runOnce() // dropped, and resent with its nonce
    const resent = await pendingOf(t, channel)
    expect(resent).not.toBe(first) // three empty blocks lowered the base fee: other fees, another hash

    // The first one was still in some node's mempool and is mined; the resend never will be.
    await chain.drop(resent)
    await chain.broadcast(raw)
    await chain.mine(1)
    await t.server.runner.runOnce()
    const sent = await sentOf(t, channel)
    expect(sent.statuses).toEqual(['open mined', 'startRedemption mined', 'redeem mined', 'redeem replaced'])
    expect(sent.hashes.slice(2)).toEqual([first, resent])
    expect(await chain.redemptions(channel.address)).toEqual([[1n, 3n, 3_000n, first]])
    expect(await redemptionOf(t, channel)).toEqual({ tx: first, amount: 3_000n, redeemed: true })
  })

  it('when the watch fails, the channel with a pending transaction waits and the others go on; said once', async () => {
    const { t, alice, bob, carol } = await team()
    const a = await t.channel(alice, bob)
    const b = await t.channel(alice, carol)
    // A row the node cannot answer about (no transaction hash has this length): every look fails.
    await t.server.sent.record({
      hash: '0xbad0',
      account: bob.address,
      nonce: BigInt(await chain.nonceOf(bob.address)),
      serviceId: bob.id,
      channel: a.address,
      action: 'startRedemption',
      tokenId: null,
      maxFeePerGas: null,
      maxPriorityFeePerGas: null,
      sentBlock: await chain.head(),
    })
    await accept(t, a, alice, bob, 2)
    await accept(t, b, alice, carol, 2)
    t.server.settings.redeemValue = 1n
    await t.server.runner.runOnce()
    await t.server.runner.runOnce()
    expect(await state(b)).toMatchObject({ activeTokenId: 2n, expiringTokenId: 1n })
    expect(await state(a)).toMatchObject({ activeTokenId: 1n, expiringTokenId: 0n })
    const said = t.log.lines.filter((line) => line.includes('watching sent transactions failed'))
    expect(said).toHaveLength(1)
  })

  it('evm_revert under a recorded redemption: it is un-recorded, then redone', async () => {
    const { t, alice, bob } = await team()
    const channel = await dueRedemption(t, alice, bob, 6)
    const snapshot = await chain.snapshot()
    await t.server.runner.runOnce()
    const first = (await redemptionOf(t, channel)).tx
    expect(await chain.redemptions(channel.address)).toEqual([[1n, 6n, 6_000n, first]])

    await chain.revert(snapshot)
    await t.server.runner.runOnce()
    expect(await redemptionOf(t, channel)).toEqual({ tx: null, amount: null, redeemed: false })
    await chain.mine(3)
    await t.server.runner.runOnce()
    const redemptions = await chain.redemptions(channel.address)
    expect(redemptions.map(([id, requests, amount]) => [id, requests, amount])).toEqual([[1n, 6n, 6_000n]])
    expect(await redemptionOf(t, channel)).toEqual({
      tx: redemptions[0]?.[3],
      amount: 6_000n,
      redeemed: true,
    })
  })
})

describe('runner with stuck transactions and admin API sends', () => {
  it('a transaction stuck in the mempool is replaced with the same nonce and higher fees', async () => {
    const { t, alice, bob } = await team({ replaceAfterBlocks: 2 })
    const channel = await t.channel(alice, bob)
    await accept(t, channel, alice, bob, 2)
    t.server.settings.redeemValue = 1n

    // Sent, then left out of blocks too small for it: it waits in the mempool while the head moves.
    await chain.automine(false)
    await t.server.runner.runOnce()
    const stuck = await pendingOf(t, channel)
    const gasLimit = await chain.blockGasLimit()
    await chain.gasLimit(21_000n)
    await chain.mine(2)
    await chain.gasLimit(gasLimit)
    await t.server.runner.runOnce() // stuck: decided again and sent in its place
    await chain.mine(1)
    await t.server.runner.runOnce()

    const sent = await sentOf(t, channel)
    expect(sent.statuses).toEqual(['open mined', 'startRedemption replaced', 'startRedemption mined'])
    expect(sent.hashes[1]).toBe(stuck)
    expect(sent.nonces[2]).toBe(sent.nonces[1])
    expect(sent.rows[2]?.maxFeePerGas).toBeGreaterThan(sent.rows[1]?.maxFeePerGas as bigint)
    const replaced = await t.database.db.paymentSentTx.findFirstOrThrow({ where: { hash: stuck } })
    expect(replaced.replacedBy).toBe(sent.hashes[2])
    expect(await state(channel)).toMatchObject({ activeTokenId: 2n, expiringTokenId: 1n })
    expect(await troubleOf(t, channel)).toEqual({ failures: 0, lastError: null })
  })

  it('act() waits a bounded time: 504 transaction_pending naming the transaction, which the runner then settles', async () => {
    const { t, alice, bob } = await team({ receiptTimeoutMs: 300 })
    const channel = await t.channel(alice, bob)
    await chain.automine(false)
    const refusal = await t.server.channels
      .act(channel, alice, 'deposit', [], 5_000n)
      .catch((e: unknown) => e)
    if (!isAppError(refusal)) throw refusal
    const hash = await pendingOf(t, channel)
    expect([refusal.status, refusal.code, refusal.message]).toEqual([
      504,
      'transaction_pending',
      `deposit was sent in transaction ${hash} and is not mined after 0 s; the Payment Server keeps watching it.`,
    ])
    await chain.mine(1)
    await t.server.runner.runOnce()
    expect((await sentOf(t, channel)).statuses).toEqual(['open mined', 'deposit mined'])
    expect(await actionsOf(t, channel)).toEqual(['open mined', 'deposit mined'])
    expect((await state(channel)).consumerFunds).toBe(1_005_000n)
  })
})
