import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exampleServices } from './network'
import { startExampleServers } from './services'
import { keepExampleChannels } from './setup'
import { type ExampleBed, startExampleBed } from './testing'

/*
 * The example network over HTTP on the app's API (as npm start serves it) when the dev chain
 * is reset under it: the Payment Server retires the old channels, and the example's periodic
 * keepExampleChannels() funds the services again and opens new channels, so traffic goes on.
 */

let bed: ExampleBed
const pairs = exampleServices.reduce((n, s) => n + s.calls.length, 0)
const opened = () => bed.lines.filter((l) => l.startsWith('opened channel'))

beforeAll(async () => {
  bed = await startExampleBed()
})
afterAll(() => bed?.stop())

/** alice's call through charlie (and dave, deep), paid with tokens: the status. */
const run = async (n: number) =>
  (
    await fetch(`${bed.servers?.urls.alice}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n, deep: true }),
    })
  ).status

/** public's submission (validation's version 2 channel, then persistence's version 1): the status. */
const submit = async (name: string) =>
  (
    await fetch(`${bed.servers?.urls.public}/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    })
  ).status

describe('example network on a reset dev chain', () => {
  it('keepExampleChannels() opens new channels after a reset of the chain, and paid traffic goes on', async () => {
    const { credentials, file } = await bed.start()
    expect(opened()).toHaveLength(pairs)
    bed.servers = await startExampleServers({
      paymentUrl: bed.api.url,
      credentials,
      loadPricing: { windowSeconds: 30, raiseAbove: 1e9, lowerBelow: 0, stepPercent: 50, maxPercent: 200 },
    })
    expect([await run(1), await submit('ada')]).toEqual([200, 200])
    // Nothing to do while the channels are open.
    await keepExampleChannels({ ...bed.setup, file })
    expect(opened()).toHaveLength(pairs)

    await bed.testbed.testClient.request({ method: 'anvil_reset', params: [] } as never)
    expect(await bed.testbed.deployFactory()).toBe(bed.testbed.factory)
    await bed.deployFactoryV2()
    await keepExampleChannels({ ...bed.setup, file })
    expect(opened()).toHaveLength(2 * pairs)
    expect(bed.lines.filter((l) => l.startsWith('funded alice'))).toHaveLength(2)
    // Paid through the new channels (the old ones are retired: a token of theirs is refused).
    expect([await run(2), await run(3), await submit('grace')]).toEqual([200, 200, 200])
    // validation's load pricing still reads its channels (the retired ones among them).
    expect(await bed.servers.pricing?.evaluate()).toMatchObject({ percent: 100, set: [] })
  })
})
