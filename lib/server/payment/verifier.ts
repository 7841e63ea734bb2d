import type { Address, Hex } from 'viem'
import { createKeyedCoalescer } from '../../coalesce'
import {
  type AcceptedCounts,
  acceptCount,
  countsFromJson,
  countsToJson,
  emptyCounts,
  forgetMissingUpTo,
  type StoredCounts,
} from '../../counter'
import { isAppError } from '../../errors'
import { parseToken, type Token, TokenFormatError } from '../../token'
import { inlineRecovery, type SignerRecovery } from '../signerRecovery'
import type { ChainView, ChannelSnapshot } from './chainView'
import type { ChannelRecord, ChannelRegistry } from './channels'
import type { HotSql, Query } from './hotSql'
import type { PaymentMetrics } from './metrics'
import type { Service } from './services'

export type Accepted = { accepted: true; channel: Address; tokenId: bigint; requests: bigint; value: bigint }
export type Refused = { accepted: false; status: number; code: string; message: string }
export type VerifyOutcome = Accepted | Refused

const refuse = (code: string, message: string, status = 402): Refused => ({
  accepted: false,
  status,
  code,
  message,
})

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
 * Default seconds after which a count still missing is forgotten (`PAYMENT_MISSING_TTL_SECONDS`).
 * Tokens arrive out of order by the requests in flight and the tokens a consumer keeps ahead
 * (seconds at most); a count missing for longer belongs to a token that will not come (a
 * consumer dropped it, or stopped), and each one kept makes every later write larger.
 */
export const DEFAULT_MISSING_TTL_SECONDS = 60

/** The highest count of a token ID this instance wrote, and when. */
type Mark = { at: number; highest: bigint }

/** What the provider accepted for one token ID. */
type TokenAcceptance = { counts: AcceptedCounts; signature: Hex; accepted: bigint; closed: boolean }
/** A channel's acceptance state as last read or written, with the version it had then. */
type ChannelAcceptance = { version: bigint; tokens: Map<bigint, TokenAcceptance> }

/** A token that passed the checks before its signature's: its channel is the caller's, at acceptable terms. */
type Candidate = { token: Token; channel: ChannelRecord }
type Job = Candidate & { snapshot: ChannelSnapshot }

/** A channel's version and its token IDs not redeemed yet (the newest 4: active, expiring and late ones). */
const LOAD = {
  name: 'verifier.load',
  text: `
    SELECT c.version::text AS version, a.token_id::text AS token_id, a.counts, a.signature,
      a.accepted::text AS accepted, a.closed_at IS NOT NULL AS closed
    FROM payment_channel c
    LEFT JOIN LATERAL (
      SELECT * FROM payment_accepted
      WHERE chain_id = c.chain_id AND channel = c.address AND redeemed_at IS NULL
      ORDER BY token_id DESC LIMIT 4
    ) a ON true
    WHERE c.chain_id = $1 AND c.address = $2`,
}

/** Locks the channel's row until the transaction ends. */
const LOCK = {
  name: 'verifier.lock',
  text: 'SELECT version FROM payment_channel WHERE chain_id = $1 AND address = $2 FOR UPDATE',
}

/** Bumps the channel's version if it is still $3, and upserts the changed tokens ($4, JSON) only then. */
const WRITE = {
  name: 'verifier.write',
  text: `
    WITH bump AS (
      UPDATE payment_channel SET version = version + 1
      WHERE chain_id = $1 AND address = $2 AND version = $3::bigint
      RETURNING version
    )
    INSERT INTO payment_accepted (chain_id, channel, token_id, highest, signature, counts, accepted)
    SELECT $1, $2, r.token_id, r.highest, r.signature, r.counts, r.accepted
    FROM bump, json_to_recordset($4::json)
      AS r(token_id numeric, highest numeric, signature text, counts jsonb, accepted numeric)
    ON CONFLICT (chain_id, channel, token_id) DO UPDATE SET
      highest = EXCLUDED.highest, signature = EXCLUDED.signature, counts = EXCLUDED.counts,
      accepted = EXCLUDED.accepted, last_accepted_at = now()
    RETURNING (SELECT version FROM bump)::text AS version`,
}

/**
 * Provider side: the checks of PRODUCT.md, in order: the token parses and is for this chain;
 * the channel is one of our factory's with the caller as provider, at terms it accepts; the
 * signature recovers to the consumer; the channel is neither terminated nor terminating; the
 * token ID is active, or expiring within the tolerance window; then, atomically, the count
 * was never accepted and the total owed still fits the consumer's funds.
 *
 * The atomic part runs per channel in batches (concurrent verifications of one channel share
 * one statement) against a cached copy of the channel's acceptance state. The write is a single
 * statement that bumps the channel's version only if it is still the one the state was read
 * at, so a second instance that changed the channel in between makes this write do nothing;
 * the state is then re-read and the batch decided again. The statement commits before any
 * answer goes out, so an accepted count survives a crash.
 */
export function createVerifier({
  sql,
  chainId,
  chainView,
  channels,
  metrics,
  recovery,
  toleranceSeconds,
  maxMissingRanges,
  missingTtlSeconds = DEFAULT_MISSING_TTL_SECONDS,
  quiet = QUIET,
  now = Date.now,
}: {
  sql: HotSql
  chainId: number
  chainView: ChainView
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
}) {
  const states = new Map<string, ChannelAcceptance>()
  const onThisThread = inlineRecovery()
  // Bound once: a labelled inc() hashes its labels on every token.
  const recoveredOn = { main: metrics.recoveries.labels('main'), worker: metrics.recoveries.labels('worker') }
  /** Verify calls between their start and their answer. */
  let inProgress = 0
  const ttlMs = missingTtlSeconds * 1000
  /**
   * Per channel and token ID, the highest count written at moments a quarter TTL apart (oldest
   * first). A range goes missing only above the highest count of its time, so the missing counts
   * at or below the highest of a TTL ago have been missing for a TTL at least. Another
   * instance's writes can only make these marks low, which forgets later, never sooner.
   */
  const marks = new Map<string, Map<bigint, Mark[]>>()

  /** The highest count written at least a TTL before `at` (0n: none known). */
  function staleFloor(address: string, tokenId: bigint, at: number): bigint {
    let floor = 0n
    for (const mark of marks.get(address)?.get(tokenId) ?? []) if (mark.at <= at - ttlMs) floor = mark.highest
    return floor
  }

  /** Records the highest counts just written; drops the marks of token IDs no longer in `tokens`. */
  function markWritten(
    address: string,
    changed: Map<bigint, TokenAcceptance>,
    tokens: Map<bigint, unknown>,
    at: number,
  ) {
    const channel = marks.get(address) ?? new Map<bigint, Mark[]>()
    marks.set(address, channel)
    for (const tokenId of channel.keys()) if (!tokens.has(tokenId)) channel.delete(tokenId)
    for (const [tokenId, t] of changed) {
      const list = channel.get(tokenId) ?? []
      channel.set(tokenId, list)
      const last = list.at(-1)
      if (last && at - last.at < ttlMs / 4) continue
      list.push({ at, highest: t.counts.highest })
      // One mark a TTL old or older is enough: the newest of them is the floor.
      while (list.length > 1 && (list[1] as Mark).at <= at - ttlMs) list.shift()
    }
  }

  /**
   * After a batch's write committed at `version`: the state to decide the next batch on, the
   * marks of the highest counts, and the metrics.
   */
  function written(address: string, decided: Decided, version: bigint, at: number, batch: number) {
    states.set(address, { version, tokens: decided.tokens })
    markWritten(address, decided.changed, decided.tokens, at)
    if (decided.forgotten > 0n) metrics.countsForgotten.inc(Number(decided.forgotten))
    metrics.verifyBatch.observe(batch)
    return decided.outcomes
  }

  async function load(address: string, query: Query = sql.query): Promise<ChannelAcceptance> {
    const rows = await query<{
      version: string
      token_id: string | null
      counts: StoredCounts | null
      signature: string | null
      accepted: string | null
      closed: boolean | null
    }>(LOAD, [chainId, address])
    const tokens = new Map<bigint, TokenAcceptance>()
    for (const row of rows) {
      if (row.token_id === null || !row.counts) continue
      tokens.set(BigInt(row.token_id), {
        counts: countsFromJson(row.counts),
        signature: row.signature as Hex,
        accepted: BigInt(row.accepted ?? 0),
        closed: Boolean(row.closed),
      })
    }
    return { version: BigInt(rows[0]?.version ?? 0), tokens }
  }

  /** Writes the changed tokens if the channel is still at `version`; the new version or null. */
  async function write(
    address: string,
    version: bigint,
    changed: Map<bigint, TokenAcceptance>,
    query: Query = sql.query,
  ): Promise<bigint | null> {
    const records = [...changed].map(([tokenId, t]) => ({
      token_id: tokenId.toString(),
      highest: t.counts.highest.toString(),
      signature: t.signature,
      counts: countsToJson(t.counts),
      accepted: t.accepted.toString(),
    }))
    const rows = await query<{ version: string }>(WRITE, [
      chainId,
      address,
      version.toString(),
      JSON.stringify(records),
    ])
    return rows[0] ? BigInt(rows[0].version) : null
  }

  /**
   * Decides a batch of one channel against `state` at time `at`; returns outcomes and the tokens
   * changed. Counts missing for longer than the TTL are forgotten first.
   */
  function decide(jobs: readonly Job[], state: ChannelAcceptance, at: number) {
    const working = new Map(state.tokens)
    const changed = new Map<bigint, TokenAcceptance>()
    const outcomes: VerifyOutcome[] = []
    for (const { token, snapshot, channel } of jobs) {
      let current = working.get(token.tokenId) ?? {
        counts: emptyCounts(),
        signature: token.signature,
        accepted: 0n,
        closed: false,
      }
      const kept = forgetMissingUpTo(current.counts, staleFloor(channel.address, token.tokenId, at))
      if (kept !== current.counts) current = { ...current, counts: kept }
      if (current.closed) {
        outcomes.push(
          refuse(
            'token_expired',
            `Token ID ${token.tokenId} is being redeemed; tokens of it are no longer accepted.`,
          ),
        )
        continue
      }
      const result = acceptCount(current.counts, token.requests, { maxMissingRanges })
      if (!result.accepted) {
        outcomes.push(
          result.reason === 'zero_requests'
            ? refuse('zero_requests', 'A token for 0 requests pays nothing and is refused.')
            : refuse(
                'count_already_accepted',
                `Request count ${token.requests} of token ID ${token.tokenId} was already accepted, or was missing too long to be remembered.`,
              ),
        )
        continue
      }
      // Owed after this one: the highest count of each token ID the chain has not redeemed yet.
      const { activeTokenId, expiringTokenId, consumerFunds } = snapshot.state
      let owedRequests = result.counts.highest
      for (const id of [activeTokenId, expiringTokenId]) {
        if (id !== 0n && id !== token.tokenId) owedRequests += working.get(id)?.counts.highest ?? 0n
      }
      if (owedRequests * channel.costPerRequest > consumerFunds) {
        outcomes.push(
          refuse(
            'insufficient_funds',
            `The channel's ${consumerFunds} wei do not cover ${owedRequests} requests at ${channel.costPerRequest} wei owed with this token.`,
          ),
        )
        continue
      }
      const next: TokenAcceptance = {
        counts: result.counts,
        signature: result.raisedHighest ? token.signature : current.signature,
        accepted: current.accepted + 1n,
        closed: false,
      }
      working.set(token.tokenId, next)
      changed.set(token.tokenId, next)
      outcomes.push({
        accepted: true,
        channel: channel.address,
        tokenId: token.tokenId,
        requests: token.requests,
        value: token.requests * channel.costPerRequest,
      })
    }
    // Counts this batch forgot (by age or past the bound): requests paid for and never made.
    let forgotten = 0n
    for (const [tokenId, t] of changed)
      forgotten += t.counts.forgotten - (state.tokens.get(tokenId)?.counts.forgotten ?? 0n)
    return { outcomes, changed, tokens: working, forgotten }
  }

  type Decided = ReturnType<typeof decide>

  const settle = createKeyedCoalescer<string, Job, VerifyOutcome>({
    maxBatchSize: 500,
    run: async (address, jobs) => {
      // Fast path: decide on the cached state, write if nobody changed the channel meanwhile.
      const cached = states.get(address) ?? (await load(address))
      const at = now()
      const first = decide(jobs, cached, at)
      if (first.changed.size === 0) return first.outcomes
      const version = await write(address, cached.version, first.changed)
      if (version !== null) return written(address, first, version, at, jobs.length)
      // Another instance wrote first. Retrying optimistically can starve (the winner's next
      // write is one round trip, a reload and write two), so lock the channel row instead:
      // read, decide and write under the lock, which makes the others wait their turn.
      metrics.verifyConflicts.inc()
      states.delete(address)
      const locked = await sql.transaction(async (query) => {
        await query(LOCK, [chainId, address])
        const state = await load(address, query)
        const decided = decide(jobs, state, at)
        if (decided.changed.size === 0) return { decided, version: state.version }
        const committed = await write(address, state.version, decided.changed, query)
        if (committed === null) throw new Error(`channel ${address} changed under its row lock`)
        return { decided, version: committed }
      })
      return written(address, locked.decided, locked.version, at, jobs.length)
    },
  })

  /** The checks before the signature's: the token parses, and its channel is the caller's at acceptable terms. */
  async function precheckToken(service: Service, wire: string): Promise<Candidate | Refused> {
    let parsed: ReturnType<typeof parseToken>
    try {
      parsed = parseToken(wire)
    } catch (error) {
      if (error instanceof TokenFormatError) return refuse('token_malformed', error.message, 400)
      throw error
    }
    const { token } = parsed
    if (parsed.chainId !== chainId) {
      return refuse(
        'wrong_chain',
        `The token is for chain ${parsed.chainId}; this Payment Server is on chain ${chainId}.`,
      )
    }
    const channel = await channels.find(token.channel)
    if (!channel) {
      return refuse(
        'channel_unknown',
        `${token.channel} is not a channel of this Payment Server's factory and services.`,
      )
    }
    if (channel.providerServiceId !== service.id) {
      return refuse(
        'forbidden',
        `Service ${service.name} is not the provider of channel ${channel.address}.`,
        403,
      )
    }
    if (service.price !== null && channel.costPerRequest < service.price) {
      return refuse(
        'terms_rejected',
        `The channel pays ${channel.costPerRequest} wei per request; ${service.name} asks for at least ${service.price} wei.`,
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
    let snapshot = await chainView.get(channel.address)
    if (token.tokenId > snapshot.state.lastTokenId)
      snapshot = await chainView.get(channel.address, { maxAgeMs: 100 })
    const { state } = snapshot
    if (state.terminated) return refuse('channel_terminated', `Channel ${channel.address} is terminated.`)
    if (state.terminatesAt !== 0n) {
      return refuse(
        'channel_terminating',
        `Channel ${channel.address} is being terminated; no new requests are accepted.`,
      )
    }
    if (token.tokenId === state.activeTokenId) return { token, snapshot, channel }
    if (state.expiringTokenId !== 0n && token.tokenId === state.expiringTokenId) {
      const tolerance = BigInt(Math.min(toleranceSeconds, Number(channel.redemptionTimeout)))
      const closesAt = state.redeemableAt - channel.redemptionTimeout + tolerance
      if (chainView.now() < Number(closesAt)) return { token, snapshot, channel }
      return refuse(
        'token_expired',
        `Token ID ${token.tokenId} is being redeemed and its tolerance window has closed.`,
      )
    }
    if (token.tokenId > state.lastTokenId) {
      return refuse(
        'token_id_unknown',
        `Token ID ${token.tokenId} was never issued on channel ${channel.address}.`,
      )
    }
    return refuse(
      'token_expired',
      `Token ID ${token.tokenId} of channel ${channel.address} is no longer active.`,
    )
  }

  /**
   * The checks from the signature on, for the tokens that passed {@link precheckToken}. Their
   * recoveries start at once: on this thread when `quiet`, except for a share that a worker
   * recovers meanwhile (sent first); on the workers otherwise.
   */
  function precheckSignatures(prechecked: ReadonlyArray<Candidate | Refused>, quiet: boolean) {
    const count = prechecked.filter((c) => !('accepted' in c)).length
    const toWorker = recovery.threads === 0 ? 0 : quiet ? workerShare(count) : count
    recoveredOn.worker.inc(toWorker)
    recoveredOn.main.inc(count - toWorker)
    let k = 0
    return prechecked.map((c) => {
      if ('accepted' in c) return c
      if (k === toWorker && k > 0) recovery.flush()
      const signer = (k++ < toWorker ? recovery : onThisThread).recover({ chainId, token: c.token })
      return precheckSigned(c, signer).catch(asRefusal)
    })
  }

  /** A precheck's failure as a refusal; retryable failures (node, database) propagate. */
  function asRefusal(error: unknown): Refused {
    if (isAppError(error) && !error.retryable) return refuse(error.code, error.message, error.status)
    throw error
  }

  /** {@link decideAll}, counted among the calls in progress while it runs. */
  async function verifyAll(service: Service, wires: string[]): Promise<VerifyOutcome[]> {
    inProgress += 1
    try {
      return await decideAll(service, wires, inProgress <= quiet.calls && wires.length <= quiet.tokens)
    } finally {
      inProgress -= 1
    }
  }

  /** Runs the prechecks of all tokens, then queues the survivors together, in order. */
  async function decideAll(service: Service, wires: string[], quiet: boolean): Promise<VerifyOutcome[]> {
    const prechecked = await Promise.all(wires.map((wire) => precheckToken(service, wire).catch(asRefusal)))
    const checked = await Promise.all(precheckSignatures(prechecked, quiet))
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
        settled.set(i, (promises[k] as Promise<VerifyOutcome>).catch(asRefusal))
    }
    const outcomes = await Promise.all(checked.map((job, i) => settled.get(i) ?? (job as Refused)))
    for (const outcome of outcomes)
      metrics.verified.inc({ result: outcome.accepted ? 'accepted' : outcome.code })
    return outcomes
  }

  return {
    async verify(service: Service, wire: string): Promise<VerifyOutcome> {
      return (await verifyAll(service, [wire]))[0] as VerifyOutcome
    },
    /** Several tokens, each decided as if sent alone, in this order (one channel's in one statement). */
    verifyMany: verifyAll,
    /** Drops the cached acceptance state of a channel (after the runner changed it). */
    forget(address: string): void {
      states.delete(address)
    },
  }
}

export type Verifier = ReturnType<typeof createVerifier>
