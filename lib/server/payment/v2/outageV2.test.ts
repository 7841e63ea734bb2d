import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { paymentRoutes } from '../routes'
import { paymentKitV2 } from './testing'

/*
 * Version 2 channels while the chain node does not answer (the server reads it through a TCP
 * proxy the test closes): issue and verify per category go on from the channel's last known
 * state and its token ID's known price table for PAYMENT_STALE_STATE_SECONDS, as v1's do
 * (../nodeOutage.test.ts), then refuse with 503 chain_unavailable, and resume with the node.
 */

const TTL_MS = 100
const STALE_SECONDS = 2
const { kit, parties, t } = paymentKitV2({
  proxied: true,
  settings: { chainCacheMs: TTL_MS, staleStateSeconds: STALE_SECONDS },
})
beforeAll(() => kit.start())
afterAll(() => kit.stop())

/** Resolves once `condition()` holds, looking every 20 ms. */
async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20))
}

describe('v2 channels while the chain node does not answer', () => {
  it("the channel's GET serves the stored price table when the node cannot be read for it (no 503)", async () => {
    const opened = await kit.open()
    const get = paymentRoutes.find((r) => r.name === 'channels.get')?.handler as (
      p: unknown,
    ) => Promise<unknown>
    const show = () =>
      get({ server: t().server, caller: parties.alice, params: { address: opened.channel.address } })
    await t().server.channelStates.get(opened.channel.address, { maxAgeMs: 0 })
    t().server.priceTables.forget() // as after a restart: nothing read from the node yet
    await kit.proxy().close()
    try {
      expect(await show()).toMatchObject({ channel: { v2: { prices: ['1000', '5000'] } } })
    } finally {
      await kit.proxy().open()
    }
  })

  it('issue and verify per category go on within PAYMENT_STALE_STATE_SECONDS, then refuse, then resume', async () => {
    const opened = await kit.open()
    const payOnce = async (category: string) => {
      try {
        const issued = await t().server.issuerV2.issue({
          channel: opened.channel,
          consumer: parties.alice,
          count: 1,
          category,
        })
        const [outcome] = await t().server.verifier.verifyMany(opened.provider, [
          { token: issued.tokens[0] as string, category },
        ])
        return outcome?.accepted ? 'accepted' : outcome?.code
      } catch (error) {
        return (error as { code?: string }).code
      }
    }
    expect(await payOnce('small')).toBe('accepted')

    await kit.proxy().close()
    const { readAt } = await t().server.channelStates.get(opened.channel.address)
    await until(() => Date.now() - readAt > TTL_MS)
    expect(await payOnce('large')).toBe('accepted')
    expect(await payOnce('small')).toBe('accepted')
    expect((await kit.acceptedRow(opened.channel.address))?.requests).toEqual([2n, 1n])

    await until(() => Date.now() - readAt > STALE_SECONDS * 1000)
    expect(await payOnce('small')).toBe('chain_unavailable')
    expect(await kit.frontier(opened.channel.address)).toEqual([2n, 1n])

    await kit.proxy().open()
    expect(await payOnce('small')).toBe('accepted')
    expect((await kit.acceptedRow(opened.channel.address))?.requests).toEqual([3n, 1n])
  })
})
