import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readChannelState } from '../../lib/channel'
import { startTestChain, type TestChain } from '../../test/kit/chain'

let t: TestChain
beforeAll(async () => {
  t = await startTestChain()
})
afterAll(() => t.stop())

describe('factory', () => {
  it('open() deploys a channel with the first deposit', async () => {
    const factory = await t.deployFactory()
    const [consumer, provider] = t.accounts
    const { channel } = await t.openChannel({
      factory,
      consumer: consumer!,
      provider: provider!.address,
      value: 5_000n,
    })
    const state = await readChannelState({ client: t.publicClient, address: channel })
    expect(state.consumer).toBe(consumer!.address.toLowerCase())
    expect(state.consumerFunds).toBe(5_000n)
    expect(state.activeTokenId).toBe(1n)
  })
})
