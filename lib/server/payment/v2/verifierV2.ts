import type { Address } from 'viem'
import { createKeyedCoalescer } from '../../../../packages/payment-client/src/coalesce'
import { TokenFormatError } from '../../../../packages/payment-client/src/token'
import { parseTokenV2, type TokenV2 } from '../../../../packages/payment-client/src/tokenV2'
import { isAppError } from '../../../errors'
import type { ChannelStateCache } from '../channelStateCache'
import type { ChannelRecord, ChannelRegistry } from '../channels'
import type { PaymentMetrics } from '../metrics'
import type { Service } from '../services'
import { checkTokenWindow } from '../tokenWindow'
import { channelOfToken, isRefused } from '../verify/tokenChannel'
import type { StartRecoveries } from '../verify/verifier'
import { type Refused, refuse, type VerifyOutcome, withConsumer } from '../verify/verifyOutcome'
import type { AcceptanceStoreV2 } from './acceptanceStoreV2'
import { resolveCategory } from './categories'
import { type AcceptanceJobV2, decideAcceptanceV2 } from './decideAcceptanceV2'
import type { PriceTables } from './priceTables'
import { recoveryInputV2 } from './tokenCryptoV2'

/** A v2 token to verify, with the category its request is charged to and that category's route price. */
export type VerifyItemV2 = { token: string; category?: number | string; price?: bigint }

/** A token past the checks before its signature's: its channel and the category charged. */
type Candidate = { token: TokenV2; channel: ChannelRecord; category: number; price?: bigint }

const sameTable = (a: readonly bigint[], b: readonly bigint[]) =>
  a.length === b.length && a.every((x, i) => x === b[i])

/**
 * Provider side of version 2 channels: v1's checks (../verify/verifier) plus the categories'.
 * In order: the token parses and is for this chain; its channel is one of ours, of version 2,
 * with the caller as provider; the token has one count per category of the channel and the
 * charged category exists; the signature recovers to the consumer; the token ID is active or
 * expiring within the tolerance window; the token's price table is the ID's as announced on
 * chain (`wrong_prices`: a forged table, or an old table on a new ID); the route's price is at
 * most the channel's for the category (`terms_rejected`); then atomically
 * ({@link decideAcceptanceV2}): the step is new, the token comparable with the ID's maximum,
 * and the funds cover what is owed.
 */
export function createVerifierV2({
  store,
  chainId,
  channelStates,
  channels,
  priceTables,
  metrics,
  toleranceSeconds,
  maxMissingRanges,
  lookups = () => 0,
}: {
  store: AcceptanceStoreV2
  chainId: number
  channelStates: ChannelStateCache
  channels: ChannelRegistry
  priceTables: PriceTables
  metrics: PaymentMetrics
  toleranceSeconds: number
  maxMissingRanges: number
  /** Takes one look-up of a channel this process does not hold from the caller's allowance (as v1's verifier). */
  lookups?: (key: string) => number
}) {
  const settle = createKeyedCoalescer<string, AcceptanceJobV2, VerifyOutcome>({
    maxBatchSize: 500,
    run: async (address, jobs) => {
      const decided = await store.apply(address, (tokens) =>
        decideAcceptanceV2({ jobs, tokens, maxMissingRanges }),
      )
      metrics.verifyBatch.observe(jobs.length)
      return decided.outcomes
    },
  })

  /** The checks before the signature's: the token parses, its channel is the caller's, of version 2, with its categories. */
  async function precheckToken(service: Service, item: VerifyItemV2): Promise<Candidate | Refused> {
    let parsed: ReturnType<typeof parseTokenV2>
    try {
      parsed = parseTokenV2(item.token)
    } catch (error) {
      if (error instanceof TokenFormatError) return refuse('token_malformed', error.message, 400)
      throw error
    }
    const { token } = parsed
    const channel = await channelOfToken({ chainId, channels, metrics, lookups }, service, {
      chainId: parsed.chainId,
      channel: token.channel,
    })
    if (isRefused(channel)) return channel
    if (channel.contractVersion !== 2) {
      return refuse(
        'token_version_mismatch',
        `Channel ${channel.address} is a version 1 channel (one price per request); this is a version 2 token (counts per category).`,
        400,
      )
    }
    if (token.requests.length !== channel.categories.length) {
      return refuse(
        'categories_mismatch',
        `The token counts ${token.requests.length} categories; channel ${channel.address} has ${channel.categories.length}.`,
        400,
      )
    }
    return { token, channel, category: resolveCategory(channel, item.category), price: item.price }
  }

  /** The checks from the signature on, for a token that passed {@link precheckToken}: the job to decide, or the refusal. */
  async function precheckSigned(
    service: Service,
    { token, channel, category, price }: Candidate,
    signer: Promise<Address | null>,
  ): Promise<(AcceptanceJobV2 & { channel: ChannelRecord }) | Refused> {
    if ((await signer) !== channel.consumer) {
      return refuse('bad_signature', "The token is not signed by the channel's consumer.")
    }
    let snapshot = await channelStates.get(channel.address)
    if (token.tokenId > snapshot.state.lastTokenId)
      snapshot = await channelStates.get(channel.address, { maxAgeMs: 100 })
    const outOfWindow = checkTokenWindow({
      tokenId: token.tokenId,
      channel,
      state: snapshot.state,
      toleranceSeconds,
      now: channelStates.now,
    })
    if (outOfWindow) return outOfWindow
    const prices = await priceTables.tableOf(channel.address, token.tokenId)
    if (!prices || !sameTable(prices, token.prices)) {
      return refuse(
        'wrong_prices',
        `The token is signed at prices (${token.prices.join(', ')}) that are not token ID ${token.tokenId}'s (${prices?.join(', ') ?? 'none announced'}).`,
      )
    }
    // The service's own lowest price, as for v1, holds for every category it is paid for.
    if (service.price !== null && (prices[category] as bigint) < service.price) {
      return refuse(
        'terms_rejected',
        `The channel pays ${prices[category]} wei per request of category ${channel.categories[category]}; ${service.name} asks for at least ${service.price} wei.`,
      )
    }
    if (price !== undefined && (prices[category] as bigint) < price) {
      return refuse(
        'terms_rejected',
        `The channel pays ${prices[category]} wei per request of category ${channel.categories[category]}; this route of ${service.name} costs ${price} wei.`,
      )
    }
    return { token, category, channel, snapshot }
  }

  /** A precheck's failure as a refusal; retryable failures (node, database) propagate. */
  function asRefusal(error: unknown): Refused {
    if (isAppError(error) && !error.retryable) return refuse(error.code, error.message, error.status)
    throw error
  }

  /**
   * Several v2 tokens, each decided as if sent alone, in this order (one channel's in one
   * transaction); their signatures recovered where `start` places them (v1's verifier passes
   * its rule: on the recovery workers when the thread is busy).
   */
  async function verifyMany(
    service: Service,
    items: readonly VerifyItemV2[],
    start: StartRecoveries,
  ): Promise<VerifyOutcome[]> {
    const prechecked = await Promise.all(items.map((item) => precheckToken(service, item).catch(asRefusal)))
    const candidates = prechecked.filter((c): c is Candidate => !('accepted' in c))
    const signers = start(candidates.map((c) => recoveryInputV2({ chainId, token: c.token })))
    let k = 0
    const checked = await Promise.all(
      prechecked.map((c) =>
        'accepted' in c
          ? c
          : precheckSigned(service, c, signers[k++] as Promise<Address | null>).catch(asRefusal),
      ),
    )
    const outcomes = await Promise.all(
      checked.map((job) =>
        'accepted' in job
          ? job
          : settle
              .submit(job.channel.address, job)
              .then((o) => withConsumer(o, job.channel))
              .catch(asRefusal),
      ),
    )
    for (const outcome of outcomes)
      metrics.verified.inc(
        outcome.accepted ? { result: 'accepted' } : { result: 'refused', code: outcome.code },
      )
    return outcomes
  }

  return { verifyMany }
}

export type VerifierV2 = ReturnType<typeof createVerifierV2>
