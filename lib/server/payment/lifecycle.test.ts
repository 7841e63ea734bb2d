import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseToken } from '../../../packages/payment-client/src/token'
import { startTestPayment, type TestPayment } from '../../../test/kit/payment'
import type { Service } from './services'

describe('Payment Server life cycle', () => {
  let t: TestPayment
  let alice: Service
  let bob: Service

  beforeAll(async () => {
    t = await startTestPayment()
    alice = (await t.service('alice')).service
    bob = (await t.service('bob')).service
  })
  afterAll(async () => t?.stop())

  it('issues consecutive tokens, accepts each once, and redeems the highest by the timer', async () => {
    const channel = await t.channel(alice, bob, { deposit: 1_000_000n, costPerRequest: 1_000n })
    const issued = await t.server.issuer.issue({ channel, consumer: alice, count: 3 })
    expect(issued.tokens.map((w) => parseToken(w).token.requests)).toEqual([1n, 2n, 3n])
    expect(issued.tokenId).toBe(1n)

    const [one, two, three] = issued.tokens as [string, string, string]
    const first = await t.server.verifier.verify(bob, three)
    expect(first).toMatchObject({ accepted: true, requests: 3n, value: 3_000n })
    expect(await t.server.verifier.verify(bob, one)).toMatchObject({ accepted: true, requests: 1n })
    expect(await t.server.verifier.verify(bob, three)).toMatchObject({
      accepted: false,
      code: 'count_already_accepted',
    })
    expect(await t.server.verifier.verify(alice, two)).toMatchObject({
      accepted: false,
      code: 'forbidden',
      status: 403,
    })
    expect(await t.server.verifier.verify(bob, two)).toMatchObject({ accepted: true, requests: 2n })

    // Start a redemption by value: the runner does it, then completes it after the timeout.
    t.server.settings.redeemValue = 1n
    expect((await t.server.runner.runOnce()).leader).toBe(true)
    let state = await t.testbed.state(channel.address)
    expect(state.expiringTokenId).toBe(1n)
    expect(state.activeTokenId).toBe(2n)
    t.server.settings.redeemValue = 10n ** 18n

    await t.testbed.advanceTime(61)
    await t.server.runner.runOnce()
    state = await t.testbed.state(channel.address)
    expect(state.expiringTokenId).toBe(0n)
    expect(state.providerFunds).toBe(3_000n)
    expect(state.consumerFunds).toBe(997_000n)

    const next = await t.server.issuer.issue({ channel, consumer: alice, count: 1 })
    expect(next.tokenId).toBe(2n)
    expect(parseToken(next.tokens[0] as string).token.requests).toBe(1n)
    expect(await t.server.verifier.verify(bob, one)).toMatchObject({ accepted: false, code: 'token_expired' })
  })
})
