import { type Address, getAddress, zeroAddress } from 'viem'
import { describe, expect, it } from 'vitest'
import { MAX_TIMEOUT_SECONDS, type OpenChannelInput, validateOpenChannel } from './openChannel'
import { seconds, wei } from './testing'

/*
 * The open-channel form's checks: exact arguments for valid input, one sentence per refused
 * field (the same verdicts as the deployed factory's: openChannel.anvil.test.ts).
 */

const CONSUMER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address
const PROVIDER = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc' as Address

/** A valid form (provider checksummed, as a wallet or address book would give it). */
function form(overrides: Partial<OpenChannelInput> = {}): OpenChannelInput {
  return {
    provider: getAddress(PROVIDER),
    price: { text: '1000', unit: 'wei' },
    deposit: { text: '0.5', unit: 'ETH' },
    redemptionTimeout: { text: '1', unit: 'minutes' },
    terminationTimeout: { text: '10', unit: 'minutes' },
    ...overrides,
  }
}

/** The refusal for one input, or a failure when it was accepted. */
function errorsOf(input: OpenChannelInput, consumer: Address | null = CONSUMER) {
  const result = validateOpenChannel(input, { consumer })
  if (result.ok)
    throw new Error(`expected a refusal, got ${JSON.stringify(result.value, (_k, v) => String(v))}`)
  return result.errors
}

const MAX_REDEMPTION_SENTENCE = 'The redemption timeout can be at most 121 d 16 h.'
const MAX_TERMINATION_SENTENCE = 'The termination timeout can be at most 365 d.'

describe('validateOpenChannel', () => {
  it('validateOpenChannel() turns a valid form into the exact factory arguments', () => {
    expect(validateOpenChannel(form(), { consumer: CONSUMER })).toEqual({
      ok: true,
      value: {
        provider: PROVIDER,
        costPerRequest: 1_000n,
        deposit: 500_000_000_000_000_000n,
        redemptionTimeout: 60n,
        terminationTimeout: 600n,
      },
    })
  })

  it('validateOpenChannel() converts every unit and lowercases the provider', () => {
    const result = validateOpenChannel(
      form({
        provider: `  ${getAddress(PROVIDER)}  `,
        price: { text: '0.5', unit: 'gwei' },
        deposit: { text: '0', unit: 'wei' },
        redemptionTimeout: { text: '1.5', unit: 'hours' },
        terminationTimeout: { text: '0.1875', unit: 'days' },
      }),
      { consumer: CONSUMER },
    )
    expect(result).toEqual({
      ok: true,
      value: {
        provider: PROVIDER,
        costPerRequest: 500_000_000n,
        deposit: 0n,
        redemptionTimeout: 5_400n,
        terminationTimeout: 16_200n,
      },
    })
  })

  it('validateOpenChannel() accepts the limits themselves: 365/3 days to redeem and 365 days to terminate', () => {
    expect(
      validateOpenChannel(
        form({
          redemptionTimeout: seconds(MAX_TIMEOUT_SECONDS / 3n),
          terminationTimeout: { text: '365', unit: 'days' },
        }),
        { consumer: CONSUMER },
      ),
    ).toEqual({
      ok: true,
      value: {
        provider: PROVIDER,
        costPerRequest: 1_000n,
        deposit: 500_000_000_000_000_000n,
        redemptionTimeout: 10_512_000n,
        terminationTimeout: 31_536_000n,
      },
    })
    expect(
      validateOpenChannel(form({ redemptionTimeout: seconds(1n), terminationTimeout: seconds(3n) }), {
        consumer: CONSUMER,
      }),
    ).toMatchObject({ ok: true, value: { redemptionTimeout: 1n, terminationTimeout: 3n } })
  })

  it('validateOpenChannel() accepts any provider when no wallet is connected', () => {
    expect(validateOpenChannel(form({ provider: CONSUMER }), { consumer: null })).toMatchObject({
      ok: true,
      value: { provider: CONSUMER },
    })
  })

  it('validateOpenChannel() refuses an empty or malformed provider', () => {
    expect(errorsOf(form({ provider: '' }))).toEqual({ provider: 'Choose a provider or type its address.' })
    expect(errorsOf(form({ provider: '   ' }))).toEqual({
      provider: 'Choose a provider or type its address.',
    })
    for (const bad of [
      '0x1234',
      'bob',
      `${PROVIDER}00`,
      PROVIDER.slice(2),
      '0xZZ44cdddb6a900fa2b585dd299e03d12fa4293bc',
    ]) {
      expect(errorsOf(form({ provider: bad })), bad).toEqual({
        provider: 'The provider is not a 20-byte hex address.',
      })
    }
  })

  it('validateOpenChannel() refuses the zero address as provider', () => {
    expect(errorsOf(form({ provider: zeroAddress }))).toEqual({
      provider: 'The provider cannot be the zero address.',
    })
  })

  it('validateOpenChannel() refuses the consumer as its own provider whatever the letter case', () => {
    const sentence = 'The provider must be another account than yours (you are the consumer).'
    expect(errorsOf(form({ provider: getAddress(CONSUMER) }), CONSUMER)).toEqual({ provider: sentence })
    expect(errorsOf(form({ provider: CONSUMER }), getAddress(CONSUMER))).toEqual({ provider: sentence })
    expect(errorsOf(form({ provider: CONSUMER.toUpperCase().replace('0X', '0x') }), CONSUMER)).toEqual({
      provider: sentence,
    })
  })

  it('validateOpenChannel() refuses a price of 0 and an unparsable price', () => {
    expect(errorsOf(form({ price: wei(0n) }))).toEqual({
      price: 'The price per request must be more than 0 wei.',
    })
    expect(errorsOf(form({ price: { text: '0.0', unit: 'ETH' } }))).toEqual({
      price: 'The price per request must be more than 0 wei.',
    })
    expect(errorsOf(form({ price: { text: '', unit: 'gwei' } }))).toEqual({ price: 'Enter an amount.' })
    expect(errorsOf(form({ price: { text: '0.1', unit: 'wei' } }))).toEqual({
      price: 'wei are whole: there is nothing smaller than 1 wei.',
    })
  })

  it('validateOpenChannel() refuses a bad deposit with the amount parser sentence', () => {
    expect(errorsOf(form({ deposit: { text: '-1', unit: 'ETH' } }))).toEqual({
      deposit: 'An amount cannot be negative.',
    })
    expect(errorsOf(form({ deposit: { text: 'lots', unit: 'ETH' } }))).toEqual({
      deposit: '"lots" is not a number: use digits and one decimal point.',
    })
    expect(errorsOf(form({ deposit: { text: '', unit: 'ETH' } }))).toEqual({ deposit: 'Enter an amount.' })
    expect(errorsOf(form({ deposit: { text: '0.0000000000000000001', unit: 'ETH' } }))).toEqual({
      deposit: 'ETH has at most 18 decimals; anything finer is less than 1 wei.',
    })
  })

  it('validateOpenChannel() refuses a redemption timeout of 0 or beyond 365/3 days', () => {
    expect(errorsOf(form({ redemptionTimeout: seconds(0n) }))).toEqual({
      redemptionTimeout: 'The redemption timeout must be at least 1 second.',
    })
    expect(
      errorsOf(
        form({
          redemptionTimeout: seconds(MAX_TIMEOUT_SECONDS / 3n + 1n),
          terminationTimeout: seconds(MAX_TIMEOUT_SECONDS),
        }),
      ),
    ).toEqual({ redemptionTimeout: MAX_REDEMPTION_SENTENCE })
    expect(
      errorsOf(
        form({
          redemptionTimeout: { text: '122', unit: 'days' },
          terminationTimeout: { text: '365', unit: 'days' },
        }),
      ),
    ).toEqual({ redemptionTimeout: MAX_REDEMPTION_SENTENCE })
    expect(errorsOf(form({ redemptionTimeout: { text: '0.5', unit: 'seconds' } }))).toEqual({
      redemptionTimeout: 'The duration must come to whole seconds.',
    })
  })

  it('validateOpenChannel() says a termination timeout shorter than the redemption timeout is shorter than it', () => {
    expect(
      errorsOf(
        form({
          redemptionTimeout: { text: '1', unit: 'hours' },
          terminationTimeout: { text: '30', unit: 'minutes' },
        }),
      ),
    ).toEqual({
      terminationTimeout:
        'The termination timeout is shorter than the redemption timeout: the consumer could terminate before the provider redeems its last token. It must be at least 3 h (three redemption timeouts).',
    })
    expect(errorsOf(form({ redemptionTimeout: seconds(60n), terminationTimeout: seconds(59n) }))).toEqual({
      terminationTimeout:
        'The termination timeout is shorter than the redemption timeout: the consumer could terminate before the provider redeems its last token. It must be at least 3 min (three redemption timeouts).',
    })
  })

  it('validateOpenChannel() asks for three redemption timeouts when the termination timeout is between 1x and 3x', () => {
    const threeTimeouts =
      'The termination timeout must be at least 3 min (three redemption timeouts), so the provider can finish a pending redemption and redeem its last token before the consumer terminates.'
    for (const termination of [60n, 61n, 120n, 179n]) {
      expect(
        errorsOf(form({ redemptionTimeout: seconds(60n), terminationTimeout: seconds(termination) })),
        String(termination),
      ).toEqual({
        terminationTimeout: threeTimeouts,
      })
    }
    expect(
      validateOpenChannel(form({ redemptionTimeout: seconds(60n), terminationTimeout: seconds(180n) }), {
        consumer: CONSUMER,
      }),
    ).toMatchObject({ ok: true, value: { terminationTimeout: 180n } })
  })

  it('validateOpenChannel() refuses a termination timeout beyond 365 days', () => {
    expect(errorsOf(form({ terminationTimeout: seconds(MAX_TIMEOUT_SECONDS + 1n) }))).toEqual({
      terminationTimeout: MAX_TERMINATION_SENTENCE,
    })
    expect(errorsOf(form({ terminationTimeout: { text: '366', unit: 'days' } }))).toEqual({
      terminationTimeout: MAX_TERMINATION_SENTENCE,
    })
  })

  it('validateOpenChannel() does not compare the termination timeout with a refused redemption timeout', () => {
    expect(errorsOf(form({ redemptionTimeout: seconds(0n), terminationTimeout: seconds(1n) }))).toEqual({
      redemptionTimeout: 'The redemption timeout must be at least 1 second.',
    })
    expect(
      errorsOf(form({ redemptionTimeout: { text: 'soon', unit: 'hours' }, terminationTimeout: seconds(1n) })),
    ).toEqual({
      redemptionTimeout: '"soon" is not a number: use digits and one decimal point.',
    })
  })

  it('validateOpenChannel() reports every refused field at once', () => {
    expect(
      errorsOf({
        provider: zeroAddress,
        price: wei(0n),
        deposit: { text: '1.2.3', unit: 'ETH' },
        redemptionTimeout: { text: '', unit: 'minutes' },
        terminationTimeout: { text: '-5', unit: 'days' },
      }),
    ).toEqual({
      provider: 'The provider cannot be the zero address.',
      price: 'The price per request must be more than 0 wei.',
      deposit: '"1.2.3" is not a number: use digits and one decimal point.',
      redemptionTimeout: 'Enter a duration.',
      terminationTimeout: 'A duration cannot be negative.',
    })
    expect(
      errorsOf(
        form({
          provider: CONSUMER,
          price: { text: 'x', unit: 'gwei' },
          redemptionTimeout: seconds(100n),
          terminationTimeout: seconds(200n),
        }),
      ),
    ).toEqual({
      provider: 'The provider must be another account than yours (you are the consumer).',
      price: '"x" is not a number: use digits and one decimal point.',
      terminationTimeout:
        'The termination timeout must be at least 5 min (three redemption timeouts), so the provider can finish a pending redemption and redeem its last token before the consumer terminates.',
    })
  })
})
