import { type Address, isAddress, zeroAddress } from 'viem'
import { formatDuration } from '../explorer/format'
import { type AmountUnit, type DurationUnit, parseAmount, parseDuration } from './amounts'
import { type CategoryRowErrors, type CategoryRowInput, checkPriceTable } from './priceTable'

/**
 * The factory's `MAX_TIMEOUT` (365 days): the longest termination timeout, and a third of it the
 * longest redemption timeout. `openChannel.test.ts` checks it against the deployed contract.
 */
export const MAX_TIMEOUT_SECONDS = 365n * 86_400n

/**
 * How the channel is priced: one price for every request (a version 1 channel,
 * IntermediaryFactory) or a table of named categories (version 2, IntermediaryFactoryV2).
 */
export type PricingMode = 'single' | 'table'

/** What a person typed into the open-channel form, as text with the units they chose. */
export type OpenChannelInput = {
  provider: string
  /** Absent: 'single'. */
  mode?: PricingMode
  /** The single price (mode 'single'). */
  price: { text: string; unit: AmountUnit }
  /** The price table's rows (mode 'table'). */
  categories?: CategoryRowInput[]
  deposit: { text: string; unit: AmountUnit }
  redemptionTimeout: { text: string; unit: DurationUnit }
  terminationTimeout: { text: string; unit: DurationUnit }
}

type CommonArgs = {
  provider: Address
  deposit: bigint
  redemptionTimeout: bigint
  terminationTimeout: bigint
}

/**
 * The arguments of the factory's `open` and the first deposit (`msg.value`), in wei and
 * seconds: `costPerRequest` for `IntermediaryFactory.open`, or `prices` (with the categories'
 * names, kept off chain) for `IntermediaryFactoryV2.open`.
 */
export type OpenChannelArgs =
  | (CommonArgs & { costPerRequest: bigint })
  | (CommonArgs & { prices: bigint[]; names: string[] })

type Field = 'provider' | 'price' | 'categories' | 'deposit' | 'redemptionTimeout' | 'terminationTimeout'
/** One sentence per refused field; `categoryRows` by row of the price table. */
export type OpenChannelErrors = Partial<Record<Field, string>> & { categoryRows?: CategoryRowErrors[] }

/**
 * Checks the form before anything is sent, with the factory's own rules (so a person reads the
 * reason next to the field instead of a reverted transaction): provider a non-zero address other
 * than the consumer, a price above 0 (or a price table: ./priceTable `checkPriceTable`), a redemption timeout of 1 s to 365/3 days, and a
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

  const table = input.mode === 'table' ? checkPriceTable(input.categories ?? []) : null
  const price = table ? null : parseAmount(input.price.text, input.price.unit)
  if (table && !table.ok) {
    if (table.table) errors.categories = table.table
    if (table.rows.some((r) => r.name || r.price)) errors.categoryRows = table.rows
  } else if (price && !price.ok) errors.price = price.reason
  else if (price?.value === 0n) errors.price = 'The price per request must be more than 0 wei.'

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

  if (Object.keys(errors).length > 0 || !deposit.ok || !redemption.ok || !termination.ok) {
    return { ok: false, errors }
  }
  const common = {
    provider: provider.toLowerCase() as Address,
    deposit: deposit.value,
    redemptionTimeout: redemption.value,
    terminationTimeout: termination.value,
  }
  if (table?.ok)
    return { ok: true, value: { ...common, prices: table.value.prices, names: table.value.names } }
  if (!price?.ok) return { ok: false, errors }
  return { ok: true, value: { ...common, costPerRequest: price.value } }
}
