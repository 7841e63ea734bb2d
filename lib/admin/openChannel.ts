import { type Address, isAddress, zeroAddress } from 'viem'
import { formatDuration } from '../explorer/format'
import { type AmountUnit, type DurationUnit, parseAmount, parseDuration } from './amounts'

/**
 * The factory's `MAX_TIMEOUT` (365 days): the longest termination timeout, and a third of it the
 * longest redemption timeout. `openChannel.test.ts` checks it against the deployed contract.
 */
export const MAX_TIMEOUT_SECONDS = 365n * 86_400n

/** What a person typed into the open-channel form, as text with the units they chose. */
export type OpenChannelInput = {
  provider: string
  price: { text: string; unit: AmountUnit }
  deposit: { text: string; unit: AmountUnit }
  redemptionTimeout: { text: string; unit: DurationUnit }
  terminationTimeout: { text: string; unit: DurationUnit }
}

/** The arguments of `IntermediaryFactory.open` and the first deposit (`msg.value`), in wei and seconds. */
export type OpenChannelArgs = {
  provider: Address
  costPerRequest: bigint
  deposit: bigint
  redemptionTimeout: bigint
  terminationTimeout: bigint
}

export type OpenChannelErrors = Partial<Record<keyof OpenChannelInput, string>>

/**
 * Checks the form before anything is sent, with the factory's own rules (so a person reads the
 * reason next to the field instead of a reverted transaction): provider a non-zero address other
 * than the consumer, a price above 0, a redemption timeout of 1 s to 365/3 days, and a
 * termination timeout of at least three redemption timeouts (the thesis's warning: a shorter one
 * lets the consumer terminate before the provider can redeem its last token) and at most 365 days.
 * @example validateOpenChannel(input, { consumer }) // { ok: true, value: { provider, ... } }
 */
export function validateOpenChannel(
  input: OpenChannelInput,
  { consumer }: { consumer?: Address | null },
): { ok: true; value: OpenChannelArgs } | { ok: false; errors: OpenChannelErrors } {
  const errors: OpenChannelErrors = {}
  const provider = input.provider.trim()
  if (provider === '') errors.provider = 'Choose a provider or type its address.'
  else if (!isAddress(provider, { strict: false }))
    errors.provider = 'The provider is not a 20-byte hex address.'
  else if (provider.toLowerCase() === zeroAddress)
    errors.provider = 'The provider cannot be the zero address.'
  else if (consumer && provider.toLowerCase() === consumer.toLowerCase()) {
    errors.provider = 'The provider must be another account than yours (you are the consumer).'
  }

  const price = parseAmount(input.price.text, input.price.unit)
  if (!price.ok) errors.price = price.reason
  else if (price.value === 0n) errors.price = 'The price per request must be more than 0 wei.'

  const deposit = parseAmount(input.deposit.text, input.deposit.unit)
  if (!deposit.ok) errors.deposit = deposit.reason

  const redemption = parseDuration(input.redemptionTimeout.text, input.redemptionTimeout.unit)
  const maxRedemption = MAX_TIMEOUT_SECONDS / 3n
  if (!redemption.ok) errors.redemptionTimeout = redemption.reason
  else if (redemption.value === 0n)
    errors.redemptionTimeout = 'The redemption timeout must be at least 1 second.'
  else if (redemption.value > maxRedemption) {
    errors.redemptionTimeout = `The redemption timeout can be at most ${formatDuration(Number(maxRedemption))}.`
  }

  const termination = parseDuration(input.terminationTimeout.text, input.terminationTimeout.unit)
  if (!termination.ok) errors.terminationTimeout = termination.reason
  else if (termination.value > MAX_TIMEOUT_SECONDS) {
    errors.terminationTimeout = `The termination timeout can be at most ${formatDuration(Number(MAX_TIMEOUT_SECONDS))}.`
  } else if (redemption.ok && !errors.redemptionTimeout && termination.value < 3n * redemption.value) {
    const min = formatDuration(Number(3n * redemption.value))
    errors.terminationTimeout =
      termination.value < redemption.value
        ? `The termination timeout is shorter than the redemption timeout: the consumer could terminate before the provider redeems its last token. It must be at least ${min} (three redemption timeouts).`
        : `The termination timeout must be at least ${min} (three redemption timeouts), so the provider can finish a pending redemption and redeem its last token before the consumer terminates.`
  }

  if (Object.keys(errors).length > 0 || !price.ok || !deposit.ok || !redemption.ok || !termination.ok) {
    return { ok: false, errors }
  }
  return {
    ok: true,
    value: {
      provider: provider.toLowerCase() as Address,
      costPerRequest: price.value,
      deposit: deposit.value,
      redemptionTimeout: redemption.value,
      terminationTimeout: termination.value,
    },
  }
}
