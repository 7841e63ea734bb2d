import { describe, expect, it } from 'vitest'
import { AppError } from '../../errors'
import { autoFundOf, channelTerms } from './channelTerms'

const consumer = { address: '0x00000000000000000000000000000000000000c0' as const }
const provider = (price: bigint | null = 1_000n) => ({
  address: '0x00000000000000000000000000000000000000b0' as const,
  service: price === null ? null : { price },
})

/** The refusal `run` throws, as code and status. */
function refusal(run: () => unknown) {
  try {
    run()
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, status: error.status, message: error.message }
    throw error
  }
  throw new Error('no refusal')
}

describe('channelTerms()', () => {
  it('channelTerms() fills in the defaults: the provider service price, no deposit, 60 s, 900 s, no auto-funding', () => {
    expect(channelTerms({ consumer, provider: provider(), body: { provider: 'billing' } })).toEqual({
      costPerRequest: 1_000n,
      deposit: 0n,
      redemptionTimeout: 60n,
      terminationTimeout: 900n,
      autoFund: null,
    })
  })

  it('channelTerms() defaults the termination timeout to 3 redemption timeouts when that is over 900 s', () => {
    const terms = (redemptionTimeout: number) =>
      channelTerms({ consumer, provider: provider(), body: { provider: 'billing', redemptionTimeout } })
    expect(terms(299).terminationTimeout).toBe(900n)
    expect(terms(300).terminationTimeout).toBe(900n)
    expect(terms(301)).toMatchObject({ redemptionTimeout: 301n, terminationTimeout: 903n })
  })

  it('channelTerms() takes what the opener gives over the defaults', () => {
    expect(
      channelTerms({
        consumer,
        provider: provider(null),
        body: {
          provider: '0x00000000000000000000000000000000000000b0',
          costPerRequest: '7',
          deposit: '5000',
          redemptionTimeout: 120,
          terminationTimeout: 200,
          autoFund: { threshold: '10', amount: '20' },
        },
      }),
    ).toEqual({
      costPerRequest: 7n,
      deposit: 5_000n,
      redemptionTimeout: 120n,
      terminationTimeout: 200n,
      autoFund: { threshold: 10n, amount: 20n },
    })
  })

  it('channelTerms() refuses a channel to the consumer itself (409 invalid_provider)', () => {
    expect(
      refusal(() =>
        channelTerms({
          consumer,
          provider: { address: consumer.address, service: null },
          body: { provider: 'x' },
        }),
      ),
    ).toEqual({
      code: 'invalid_provider',
      status: 409,
      message: 'A service cannot open a channel to itself.',
    })
  })

  it('channelTerms() refuses a channel without a price: none given and none on this server (409 price_required)', () => {
    for (const given of [provider(null), provider(0n)]) {
      expect(refusal(() => channelTerms({ consumer, provider: given, body: { provider: 'x' } }))).toEqual({
        code: 'price_required',
        status: 409,
        message: 'The provider has no price on this server: give costPerRequest.',
      })
    }
  })
})

describe('autoFundOf()', () => {
  it('autoFundOf() reads decimal strings as wei, and nothing as no auto-funding', () => {
    expect(autoFundOf({ threshold: '1', amount: '2' })).toEqual({ threshold: 1n, amount: 2n })
    expect(autoFundOf(null)).toBeNull()
    expect(autoFundOf(undefined)).toBeNull()
  })
})
