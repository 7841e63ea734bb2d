import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readChannelState } from '../../lib/channel'
import { type ChannelTestbed, startChannelTestbed } from '../../test/kit/testbed'

let t: ChannelTestbed
beforeAll(async () => {
  t = await startChannelTestbed()
})
afterAll(() => t?.stop())

describe('factory', () => {
  it('open() deploys a channel with the first deposit', async () => {
    const { channel } = await t.openChannel({ value: 5_000n })
    const state = await readChannelState({ client: t.publicClient, address: channel })
    expect(state.consumer).toBe(t.consumer.address.toLowerCase())
    expect(state.consumerFunds).toBe(5_000n)
    expect(state.activeTokenId).toBe(1n)
  })
})
