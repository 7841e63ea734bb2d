import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPaymentVerifier } from '../src/provider'
import { type PaidStack, startPaidStack } from './paidStack'

/*
 * The provider's verifier coalesces the tokens arriving while a call is in flight into one batch
 * call; each token keeps its own route's price in it, against a real Payment Server.
 */

let stack: PaidStack
beforeAll(async () => {
  stack = await startPaidStack()
})
afterAll(async () => stack?.stop())

describe('createPaymentVerifier() with route prices', () => {
  it('verify() keeps each token’s price through a batch: the dear ones are refused and not consumed, the others accepted', async () => {
    const bodies: unknown[] = []
    const verifier = createPaymentVerifier({
      serverUrl: stack.serverUrl,
      apiKey: stack.providerKey,
      // Records what each call to the Payment Server carried.
      fetch: (input, init) => {
        bodies.push(JSON.parse(String(init?.body)))
        return globalThis.fetch(input, init)
      },
    })
    const tokens: string[] = []
    for (let i = 0; i < 6; i++) tokens.push(await stack.consumer.token(stack.provider))
    const prices = [1_000n, 1_001n, '1000', '5000', undefined, 1_001n]
    const accepted = await stack.acceptedCount()

    const results = await Promise.all(tokens.map((token, i) => verifier.verify(token, { price: prices[i] })))

    expect(results.map((r) => (r.accepted ? 'accepted' : r.code))).toEqual([
      'accepted',
      'terms_rejected',
      'accepted',
      'terms_rejected',
      'accepted',
      'terms_rejected',
    ])
    // The first token went alone; the five queued behind it went together, each with its price.
    expect(bodies).toEqual([
      { token: tokens[0], price: '1000' },
      {
        tokens: [
          { token: tokens[1], price: '1001' },
          { token: tokens[2], price: '1000' },
          { token: tokens[3], price: '5000' },
          tokens[4],
          { token: tokens[5], price: '1001' },
        ],
      },
    ])
    expect(await stack.acceptedCount()).toBe(accepted + 3n)
    // The refused counts were not taken: the same tokens pay for a route at the channel's price.
    const again = await Promise.all([1, 3, 5].map((i) => verifier.verify(tokens[i])))
    expect(again.map((r) => r.accepted)).toEqual([true, true, true])
  })

  it('verify() rejects a bad price with a RangeError, before any call', async () => {
    const verifier = createPaymentVerifier({ serverUrl: stack.serverUrl, apiKey: stack.providerKey })
    await expect(verifier.verify('v1.x', { price: '-5' })).rejects.toThrow(RangeError)
  })
})
