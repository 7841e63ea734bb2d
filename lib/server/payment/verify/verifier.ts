import type { Address } from 'viem'
import { createKeyedCoalescer } from '../../../../packages/payment-client/src/coalesce'
import { parseToken, type Token, TokenFormatError } from '../../../../packages/payment-client/src/token'
import { isTokenV2Wire } from '../../../../packages/payment-client/src/tokenV2'
import { isAppError } from '../../../errors'
import { inlineRecovery, type SignerRecovery } from '../../signerRecovery'
import { recoveryInput } from '../../tokenCrypto'
import type { AcceptanceStore } from '../acceptanceStore'
import type { ChannelSnapshot, ChannelStateCache } from '../channelStateCache'
import type { ChannelRecord, ChannelRegistry } from '../channels'
import type { PaymentMetrics } from '../metrics'
import type { Service } from '../services'
import { checkTokenWindow } from '../tokenWindow'
import type { VerifierV2 } from '../v2/verifierV2'
import { decideAcceptance } from './decideAcceptance'
import { createStaleMarks } from './staleMarks'
import { channelOfToken, isRefused } from './tokenChannel'
import { type Refused, refuse, type VerifyOutcome, withConsumer } from './verifyOutcome'

/**
 * When a verify call recovers its signatures on the main thread rather than on the recovery
 * workers: while at most `calls` verify calls are in progress (this one included) and it
 * carries at most `tokens` tokens (about 1.5 ms of CPU). The workers are there for when the
 * main thread is the bottleneck, which shows as many calls in progress, each waiting for its
 * turn on the thread or in its channel's write; and for large batches, which they split from
 * the thread's other work. Otherwise the thread has time to spare, and a worker's round trip
 * (two thread wake-ups, about 1 ms on a busy machine) only adds latency. Each provider keeping
 * one batched call in flight, the client library's default, is that case; a worker still
 * takes a share of such a call's tokens ({@link workerShare}), recovered while the main thread
 * does the rest.
 */
export const QUIET = { calls: 2, tokens: 32 }

/**
 * How many of a quiet call's `n` recoveries a worker takes: a little under half, as its share
 * also waits for the round trip. 0 for one or two tokens, 4 of 10.
 */
export const workerShare = (n: number): number => Math.max(0, Math.floor((n - 1) / 2))

/**
 * Starts the signature recoveries of a call's tokens (recovery inputs: lib/server/tokenCrypto's
 * recoveryInput, or recoveryInputV2; null for a malformed signature), placed on this thread or
 * the workers by the call's rule ({@link QUIET}); a promise of each signer, in order.
 */
export type StartRecoveries = (inputs: ReadonlyArray<Uint8Array | null>) => Array<Promise<Address | null>>

/**
 * Default seconds after which a count still missing is forgotten (`PAYMENT_MISSING_TTL_SECONDS`).
 * Tokens arrive out of order by the requests in flight and the tokens a consumer keeps ahead
 * (seconds at most); a count missing for longer belongs to a token that will not come (a
 * consumer dropped it, or stopped), and each one kept makes every later write larger.
 */
export const DEFAULT_MISSING_TTL_SECONDS = 60

/** A token that passed the checks before its signature's: its channel is the caller's, at acceptable terms. */
type Candidate = { token: Token; channel: ChannelRecord }
type Job = Candidate & { snapshot: ChannelSnapshot }

/**
 * A token to verify: its wire form, or with the price (wei per request) of the provider's route
 * it pays for, which the channel must pay at least, as it must the service's own price.
 */
export type VerifyItem = string | { token: string; price?: bigint; category?: number | string }

/** The metric labels of an accepted token (`payment_tokens_verified_total`), shared by every one. */
const ACCEPTED = { result: 'accepted' } as const

/**
 * Provider side: the checks of PRODUCT.md, in order: the token parses and is for this chain;
 * the channel is one of our factory's with the caller as provider, at terms it accepts; the
 * signature recovers to the consumer; the channel is neither terminated nor terminating; the
 * token ID is active, or expiring within the tolerance window ({@link checkTokenWindow}); then,
 * atomically ({@link decideAcceptance}), the count was never accepted and the total owed still
 * fits the consumer's funds.
 *
 * The atomic part runs per channel in batches (concurrent verifications of one channel share
 * one statement) through the {@link AcceptanceStore}, which decides a batch on its cached copy
 * of the channel's acceptance state and writes it with a single statement, committed before
 * any answer goes out, so an accepted count survives a crash.
 */
export function createVerifier({
  store,
  chainId,
  channelStates,
  channels,
  metrics,
  recovery,
  toleranceSeconds,
  maxMissingRanges,
  missingTtlSeconds = DEFAULT_MISSING_TTL_SECONDS,
  quiet = QUIET,
  now = Date.now,
  lookups = () => 0,
  v2,
}: {
  store: AcceptanceStore
  chainId: number
  channelStates: ChannelStateCache
  channels: ChannelRegistry
  metrics: PaymentMetrics
  /** Who signed a token (on worker threads, or inline). */
  recovery: SignerRecovery
  toleranceSeconds: number
  maxMissingRanges: number
  /** Seconds after which a missing count is forgotten; default {@link DEFAULT_MISSING_TTL_SECONDS}. */
  missingTtlSeconds?: number
  /** When signatures are recovered on the main thread; default {@link QUIET}. */
  quiet?: { calls: number; tokens: number }
  /** The clock of {@link missingTtlSeconds}, in ms (tests move it). */
  now?: () => number
  /**
   * Takes one look-up of a channel this process does not hold from the caller's allowance
   * (`service:<id>`): 0 when allowed, else the seconds until it will be (RateLimits.lookup).
   */
  lookups?: (key: string) => number
  /** The verifier of version 2 tokens (`v2.` wire form), which it hands them to. */
  v2?: VerifierV2
}) {
  const onThisThread = inlineRecovery()
  // Bound once: a labelled inc() hashes its labels on every token.
  const recoveredOn = { main: metrics.recoveries.labels('main'), worker: metrics.recoveries.labels('worker') }
  /** Verify calls between their start and their answer. */
  let inProgress = 0
  const marks = createStaleMarks({ ttlMs: missingTtlSeconds * 1000 })

  const settle = createKeyedCoalescer<string, Job, VerifyOutcome>({
    maxBatchSize: 500,
    run: async (address, jobs) => {
      const at = now()
      const { decided, committed } = await store.apply(address, (state) =>
        decideAcceptance({
          jobs,
          state,
          floor: (tokenId) => marks.floor(address, tokenId, at),
          maxMissingRanges,
        }),
      )
      if (committed) {
        marks.written(address, decided.changed, decided.tokens, at)
        if (decided.forgotten > 0n) metrics.countsForgotten.inc(Number(decided.forgotten))
        metrics.verifyBatch.observe(jobs.length)
      }
      return decided.outcomes
    },
  })

  /** The checks before the signature's: the token parses, and its channel is the caller's at acceptable terms. */
  async function precheckToken(service: Service, item: VerifyItem): Promise<Candidate | Refused> {
    const { wire, price } =
      typeof item === 'string' ? { wire: item, price: undefined } : { wire: item.token, price: item.price }
    let parsed: ReturnType<typeof parseToken>
    try {
      parsed = parseToken(wire)
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
    if (channel.contractVersion === 2) {
      return refuse(
        'token_version_mismatch',
        `Channel ${channel.address} is a version 2 channel (counts per category); this is a version 1 token.`,
        400,
      )
    }
    if (service.price !== null && channel.costPerRequest < service.price) {
      return refuse(
        'terms_rejected',
        `The channel pays ${channel.costPerRequest} wei per request; ${service.name} asks for at least ${service.price} wei.`,
      )
    }
    // Before the signature and the count: a route the channel does not pay for consumes nothing.
    if (price !== undefined && channel.costPerRequest < price) {
      return refuse(
        'terms_rejected',
        `The channel pays ${channel.costPerRequest} wei per request; this route of ${service.name} costs ${price} wei.`,
      )
    }
    return { token, channel }
  }

  /** The checks that need no database after {@link precheckToken}'s: the signer, then the token ID's window. */
  async function precheckSigned(
    { token, channel }: Candidate,
    signer: Promise<Address | null>,
  ): Promise<Job | Refused> {
    if ((await signer) !== channel.consumer) {
      return refuse('bad_signature', "The token is not signed by the channel's consumer.")
    }
    let snapshot = await channelStates.get(channel.address)
    if (token.tokenId > snapshot.state.lastTokenId)
      snapshot = await channelStates.get(channel.address, { maxAgeMs: 100 })
    const refused = checkTokenWindow({
      tokenId: token.tokenId,
      channel,
      state: snapshot.state,
      toleranceSeconds,
      now: channelStates.now,
    })
    return refused ?? { token, snapshot, channel }
  }

  /**
   * Starts the recoveries of one call's tokens (of either version) at once: on this thread when
   * the call is `quiet`, except for a share that a worker recovers meanwhile (sent first); on
   * the workers otherwise.
   */
  function startRecoveries(inputs: ReadonlyArray<Uint8Array | null>, quiet: boolean) {
    const count = inputs.length
    const toWorker = recovery.threads === 0 ? 0 : quiet ? workerShare(count) : count
    recoveredOn.worker.inc(toWorker)
    recoveredOn.main.inc(count - toWorker)
    return inputs.map((input, k) => {
      if (k === toWorker && k > 0) recovery.flush()
      return (k < toWorker ? recovery : onThisThread).recoverInput(input)
    })
  }

  /** The checks from the signature on, for the tokens that passed {@link precheckToken}. */
  function precheckSignatures(prechecked: ReadonlyArray<Candidate | Refused>, start: StartRecoveries) {
    const candidates = prechecked.filter((c): c is Candidate => !('accepted' in c))
    const signers = start(candidates.map((c) => recoveryInput({ chainId, token: c.token })))
    let k = 0
    return prechecked.map((c) =>
      'accepted' in c ? c : precheckSigned(c, signers[k++] as Promise<Address | null>).catch(asRefusal),
    )
  }

  /** A precheck's failure as a refusal; retryable failures (node, database) propagate. */
  function asRefusal(error: unknown): Refused {
    if (isAppError(error) && !error.retryable) return refuse(error.code, error.message, error.status)
    throw error
  }

  /**
   * One verify call, counted among the calls in progress while it runs: {@link decideAll} of its
   * version 1 tokens, and its version 2 tokens handed to the v2 verifier; the recoveries of both
   * are placed by the same rule ({@link QUIET}).
   */
  async function verifyAll(service: Service, items: readonly VerifyItem[]): Promise<VerifyOutcome[]> {
    if (items.length === 0) return []
    inProgress += 1
    try {
      const quietCall = inProgress <= quiet.calls && items.length <= quiet.tokens
      const start: StartRecoveries = (inputs) => startRecoveries(inputs, quietCall)
      const wireOf = (item: VerifyItem) => (typeof item === 'string' ? item : item.token)
      if (!v2 || !items.some((item) => isTokenV2Wire(wireOf(item))))
        return await decideAll(service, items, start)
      const isV2 = items.map((item) => isTokenV2Wire(wireOf(item)))
      const [v1Outcomes, v2Outcomes] = await Promise.all([
        decideAll(
          service,
          items.filter((_, i) => !isV2[i]),
          start,
        ),
        v2.verifyMany(
          service,
          items.filter((_, i) => isV2[i]).map((item) => (typeof item === 'string' ? { token: item } : item)),
          start,
        ),
      ])
      let k1 = 0
      let k2 = 0
      return isV2.map((yes) => (yes ? v2Outcomes[k2++] : v1Outcomes[k1++]) as VerifyOutcome)
    } finally {
      inProgress -= 1
    }
  }

  /** Runs the prechecks of all tokens, then queues the survivors together, in order. */
  async function decideAll(
    service: Service,
    items: readonly VerifyItem[],
    start: StartRecoveries,
  ): Promise<VerifyOutcome[]> {
    if (items.length === 0) return []
    const prechecked = await Promise.all(items.map((item) => precheckToken(service, item).catch(asRefusal)))
    const checked = await Promise.all(precheckSignatures(prechecked, start))
    // The tokens of one channel are queued together, so that they go into one statement.
    const byChannel = new Map<string, number[]>()
    checked.forEach((job, i) => {
      if ('accepted' in job) return
      const indexes = byChannel.get(job.channel.address)
      if (indexes) indexes.push(i)
      else byChannel.set(job.channel.address, [i])
    })
    const settled = new Map<number, Promise<VerifyOutcome>>()
    for (const [address, indexes] of byChannel) {
      const promises = settle.submitMany(
        address,
        indexes.map((i) => checked[i] as Job),
      )
      for (const [k, i] of indexes.entries())
        settled.set(
          i,
          (promises[k] as Promise<VerifyOutcome>)
            .then((o) => withConsumer(o, (checked[i] as Job).channel))
            .catch(asRefusal),
        )
    }
    const outcomes = await Promise.all(checked.map((job, i) => settled.get(i) ?? (job as Refused)))
    for (const outcome of outcomes)
      metrics.verified.inc(outcome.accepted ? ACCEPTED : { result: 'refused', code: outcome.code })
    return outcomes
  }

  return {
    /** One token, alone or with its route's price ({@link VerifyItem}). */
    async verify(service: Service, item: VerifyItem): Promise<VerifyOutcome> {
      return (await verifyAll(service, [item]))[0] as VerifyOutcome
    },
    /** Several tokens (each alone or with its route's price), each decided as if sent alone, in this order (one channel's in one statement). */
    verifyMany: verifyAll,
  }
}

export type Verifier = ReturnType<typeof createVerifier>
