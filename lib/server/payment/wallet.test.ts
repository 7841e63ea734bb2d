import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PaymentCores, startPaymentCores } from '../../../test/kit/payment'
import type { Service } from './services'

/*
 * The wallet's tracked sending against real Postgres (a pool of 4, as every test database) and
 * anvil: every transaction is recorded before its broadcast, under a lock per account.
 */

let cores: PaymentCores

beforeAll(async () => {
  cores = await startPaymentCores()
})
afterAll(() => cores?.stop())

describe('createWallet()', () => {
  it('send() from more accounts at once than the pool has connections: each is recorded, sent and mined', async () => {
    const t = await cores.core()
    const bob = (await t.service('bob')).service
    const consumers: Service[] = []
    for (const name of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6']) consumers.push((await t.service(name)).service)
    const channels = []
    for (const consumer of consumers) channels.push(await t.channel(consumer, bob))

    const sent = await Promise.all(
      channels.map((channel, i) => t.server.channels.act(channel, consumers[i]!, 'deposit', [], 1_000n)),
    )
    expect(sent.map((s) => s.receipt.status)).toEqual(channels.map(() => 'success'))
    for (const channel of channels) {
      expect(
        (await t.server.sent.ofChannel(channel.address)).map((tx) => `${tx.action} ${tx.status}`),
      ).toEqual(['open mined', 'deposit mined'])
      expect((await cores.testbed.state(channel.address)).consumerFunds).toBe(1_001_000n)
    }
  })
})
