import type { Address } from 'viem'
import type { z } from 'zod'
import { ConflictError } from '../../errors'
import type { OpenChannelParameters } from './channels'
import type { autoFundSchema, openChannelBody } from './schemas'

/** Seconds between starting and completing a redemption when the opener gives none. */
const DEFAULT_REDEMPTION_TIMEOUT = 60

/** Shortest termination timeout given by default; the default is at least 3 redemption timeouts. */
const MIN_DEFAULT_TERMINATION_TIMEOUT = 900

/** Auto-funding as the API gives it (decimal strings), as the channel registry keeps it. */
export function autoFundOf(
  json: z.output<typeof autoFundSchema> | null | undefined,
): OpenChannelParameters['autoFund'] {
  return json ? { threshold: BigInt(json.threshold), amount: BigInt(json.amount) } : null
}

/**
 * The terms of a channel a consumer asks to open (POST /api/payment/channels), with the
 * defaults filled in: the price is the one asked, else the provider service's own; the
 * redemption timeout defaults to 60 s, the termination timeout to 3 redemption timeouts and at
 * least 900 s. Refuses (409) a channel to the consumer itself (`invalid_provider`) and one
 * without a price (`price_required`).
 *
 * @example
 * channelTerms({ consumer, provider: { address, service }, body: { provider: 'billing' } })
 * // { costPerRequest: service.price, deposit: 0n, redemptionTimeout: 60n, terminationTimeout: 900n, autoFund: null }
 */
export function channelTerms({
  consumer,
  provider,
  body,
  origins,
}: {
  consumer: { address: Address }
  provider: { address: Address; service: { price: bigint | null } | null }
  body: z.output<typeof openChannelBody>
  /** The categories' origins resolved to addresses (./v2/origins categoryOrigins), when any is named. */
  origins?: ReadonlyArray<Address | null>
}): Omit<OpenChannelParameters, 'consumer' | 'provider'> {
  if (provider.address === consumer.address) {
    throw new ConflictError({
      code: 'invalid_provider',
      message: 'A service cannot open a channel to itself.',
    })
  }
  // A version 2 channel's prices are its table's (costPerRequest is v1's; 0 on a v2 record).
  const prices = body.prices?.map((c, i) => ({
    name: c.name,
    price: BigInt(c.price),
    origin: origins?.[i] ?? null,
  }))
  const costPerRequest = prices
    ? 0n
    : body.costPerRequest
      ? BigInt(body.costPerRequest)
      : provider.service?.price
  if (costPerRequest === undefined || costPerRequest === null || (!prices && costPerRequest === 0n)) {
    throw new ConflictError({
      code: 'price_required',
      message: 'The provider has no price on this server: give costPerRequest.',
    })
  }
  const redemptionTimeout = body.redemptionTimeout ?? DEFAULT_REDEMPTION_TIMEOUT
  return {
    costPerRequest,
    deposit: BigInt(body.deposit ?? '0'),
    redemptionTimeout: BigInt(redemptionTimeout),
    terminationTimeout: BigInt(
      body.terminationTimeout ?? Math.max(MIN_DEFAULT_TERMINATION_TIMEOUT, redemptionTimeout * 3),
    ),
    autoFund: autoFundOf(body.autoFund),
    ...(prices ? { prices } : {}),
  }
}
