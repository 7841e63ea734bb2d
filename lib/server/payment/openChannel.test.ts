import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PaymentCores, startPaymentCores, type TestPayment } from '../../../test/kit/payment'
import { callRoute } from './api/testing'
import type { Service } from './services'
import { sameTeam } from './testing'

/*
 * Get-or-create of one channel under contention: however many callers ask at once, in one
 * core or in two cores on one database, one channel is deployed and only its deployer says
 * `created: true` (201); every other caller gets that channel with `created: false` (200).
 */

let cores: PaymentCores
let t: TestPayment
let alice: Service

beforeAll(async () => {
  cores = await startPaymentCores()
  t = await cores.core()
  alice = (await t.service('alice')).service
})
afterAll(() => cores?.stop())

/** `channels.open` as `consumer` to `provider`: the answer's status, `created` and channel address. */
async function openAs(server: TestPayment['server'], consumer: Service, provider: string) {
  const { status, body } = await callRoute(server, 'channels.open', {
    caller: consumer,
    body: { provider, deposit: '1000000' },
  })
  return { status, created: body.created, address: body.channel.address }
}

describe('channels.open under contention', () => {
  it('channels.open called 4 times at once on one core deploys one channel and answers 201 created once, 200 to the others', async () => {
    const bob = (await t.service('bob', { price: 1_000n })).service
    const answers = await Promise.all([1, 2, 3, 4].map(() => openAs(t.server, alice, bob.name)))
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201])
    expect(answers.filter((a) => a.created)).toHaveLength(1)
    expect(new Set(answers.map((a) => a.address)).size).toBe(1)
    expect(await t.database.db.paymentChannel.count({ where: { provider: bob.address } })).toBe(1)
  })

  it('channels.open called at once on two cores of one database deploys one channel and answers created once', async () => {
    const carol = (await t.service('carol', { price: 1_000n })).service
    const other = await cores.core(t, sameTeam(t))
    const answers = await Promise.all([
      openAs(t.server, alice, carol.name),
      openAs(other.server, alice, carol.name),
      openAs(t.server, alice, carol.name),
      openAs(other.server, alice, carol.name),
    ])
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201])
    expect(new Set(answers.map((a) => a.address)).size).toBe(1)
    expect(await t.database.db.paymentChannel.count({ where: { provider: carol.address } })).toBe(1)
    expect(
      await t.database.db.paymentAction.count({ where: { action: 'open', channel: answers[0]!.address } }),
    ).toBe(1)
  })
})
