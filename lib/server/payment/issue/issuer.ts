import { createKeyedCoalescer } from '../../../../packages/payment-client/src/coalesce'
import { createDemandMeter, type DemandMeter } from '../../../../packages/payment-client/src/demand'
import { formatToken } from '../../../../packages/payment-client/src/token'
import type { ChannelState } from '../../../channel'
import { ConflictError, isAppError } from '../../../errors'
import { signTokenNative } from '../../tokenCrypto'
import type { ChannelStateCache } from '../channelStateCache'
import type { ChannelRecord } from '../channels'
import type { HotSql } from '../hotSql'
import type { PaymentMetrics } from '../metrics'
import type { Service, ServiceRegistry } from '../services'
import { issuableTokenId } from '../tokenWindow'
import { claimRanges, countOf, countsIn, mergeRanges, type Range, splitRange } from './heldRanges'

export type IssuedTokens = { channel: string; chainId: number; tokenId: bigint; tokens: string[] }
/** Default most counts an instance takes ahead per channel (`PAYMENT_ISSUE_AHEAD`). */
export const DEFAULT_ISSUE_AHEAD = 64

/** Counts taken ahead cover about this much of a channel's recent demand. */
const AHEAD_HORIZON_MS = 50
/** After a refill is refused for funds, the next one waits this long (no statement per token near the limit). */
const REFILL_PAUSE_MS = 1_000

/**
 * Takes $4 more counts of token ID $3 if the channel's funds ($7 wei at $6 wei per request)
 * cover them together with what was issued of the expiring token ID ($5); returns the new
 * highest count, or no row when they do not.
 */
const TAKE = {
  name: 'issuer.take',
  text: `
    WITH expiring AS (
      SELECT COALESCE((SELECT requests FROM payment_issued
        WHERE chain_id = $1 AND channel = $2 AND token_id = $5::numeric), 0) AS requests
    )
    INSERT INTO payment_issued (chain_id, channel, token_id, requests)
    SELECT $1, $2, $3::numeric, $4::numeric
    FROM expiring
    WHERE ($4::numeric + expiring.requests) * $6::numeric <= $7::numeric
    ON CONFLICT (chain_id, channel, token_id)
    DO UPDATE SET requests = payment_issued.requests + EXCLUDED.requests, updated_at = now()
    WHERE (payment_issued.requests + EXCLUDED.requests
      + (SELECT requests FROM expiring)) * $6::numeric <= $7::numeric
    RETURNING requests::text AS requests`,
}

/**
 * Gives counts $4+1..$5 of token ID $3 back: sets the highest taken count to $4 if it is still
 * $5, that is if no instance took counts since. Returns a row when it did.
 */
const GIVE_BACK = {
  name: 'issuer.giveBack',
  text: `
    UPDATE payment_issued SET requests = $4::numeric, updated_at = now()
    WHERE chain_id = $1 AND channel = $2 AND token_id = $3::numeric AND requests = $5::numeric
    RETURNING 1 AS given`,
}

/** Counts of a channel's active token ID that this instance took and has not handed out yet. */
type Held = {
  tokenId: bigint
  ranges: Range[]
  /** How many counts `ranges` hold. */
  left: number
  /** The highest taken count as our last take left it (what a give-back compares with). */
  top: bigint
  /** Tokens handed out of the channel, for the size of what to take ahead. */
  demand: DemandMeter
  refilling: boolean
  refillAfter: number
}

/**
 * Consumer side: issues the next tokens of a channel. Counts are taken with one atomic
 * `INSERT .. ON CONFLICT DO UPDATE SET requests = requests + n RETURNING requests`, so no count
 * is ever handed out twice, across requests and across server instances, and every count is
 * durable before a token carries it. Concurrent requests for one channel share one statement;
 * when the funds cannot cover them together, each is decided alone, in order.
 *
 * To keep that statement off most tokens' path, an instance takes a few counts ahead of a busy
 * channel's demand (about {@link AHEAD_HORIZON_MS} ms of it, at most `ahead`) and signs the
 * following tokens from them; a refill starts in the background when half are gone. The counts
 * an instance holds when it stops are given back if no other instance took counts since. What
 * is not given back (a killed instance, or counts below another instance's) is a gap that the
 * consumer pays for when a higher count is redeemed: at most `ahead` counts per channel and
 * instance. `ahead: 0` takes exactly what each batch needs.
 */
export function createIssuer({
  sql,
  chainId,
  channelStates,
  services,
  metrics,
  ahead: maxAhead = DEFAULT_ISSUE_AHEAD,
}: {
  sql: HotSql
  chainId: number
  channelStates: ChannelStateCache
  services: ServiceRegistry
  metrics: PaymentMetrics
  /** Most counts taken ahead per channel (0: none); default {@link DEFAULT_ISSUE_AHEAD}. */
  ahead?: number
}) {
  if (!Number.isSafeInteger(maxAhead) || maxAhead < 0) {
    throw new RangeError(`ahead must be a non-negative integer, got ${maxAhead}`)
  }
  /** A job of `count` 0 is a background refill. */
  type Job = { channel: ChannelRecord; consumer: Service; count: number }

  const held = new Map<string, Held>()
  /** Statements taking counts, and background refills, in flight. */
  const takes = new Set<Promise<unknown>>()
  let closed = false

  /** The channel's held counts for `tokenId`; counts of an older token ID are dropped (never issued again). */
  function heldFor(address: string, tokenId: bigint): Held {
    const current = held.get(address)
    if (current?.tokenId === tokenId) return current
    const fresh: Held = {
      tokenId,
      ranges: [],
      left: 0,
      top: 0n,
      demand: current?.demand ?? createDemandMeter(),
      refilling: false,
      refillAfter: 0,
    }
    held.set(address, fresh)
    return fresh
  }

  /** How many counts to hold ahead of this channel's demand now. */
  function aheadOf(h: Held): number {
    if (closed || maxAhead === 0) return 0
    return Math.min(maxAhead, Math.ceil((h.demand.perSecond() * AHEAD_HORIZON_MS) / 1000))
  }

  /** Removes the lowest `n` held counts (n ≤ h.left) and returns them as ranges. */
  function claim(h: Held, n: number): Range[] {
    const { claimed, rest } = claimRanges(h.ranges, n)
    h.ranges = rest
    h.left -= n
    return claimed
  }

  /** Signs one token per count, in order, for each job in turn. */
  async function sign(jobs: readonly Job[], tokenId: bigint, ranges: Range[]): Promise<IssuedTokens[]> {
    const first = jobs[0] as Job
    const { channel, consumer } = first
    const privateKey = await services.privateKey(consumer)
    const counts = countsIn(ranges)
    const demand = held.get(channel.address)?.demand
    return jobs.map((job) => {
      const tokens: string[] = []
      for (let i = 0; i < job.count; i++) {
        const requests = counts.next().value as bigint
        tokens.push(
          formatToken({
            chainId,
            token: signTokenNative({ privateKey, chainId, channel: channel.address, tokenId, requests }),
          }),
        )
      }
      demand?.add(job.count)
      metrics.tokensIssued.inc(job.count)
      return { channel: channel.address, chainId, tokenId, tokens }
    })
  }

  /** Takes `n` counts from the database: the range taken, or null when the funds do not cover them. */
  async function takeCounts(channel: ChannelRecord, state: ChannelState, n: number): Promise<Range | null> {
    const rows = await sql.query<{ requests: string }>(TAKE, [
      chainId,
      channel.address,
      state.activeTokenId.toString(),
      n,
      state.expiringTokenId.toString(),
      channel.costPerRequest.toString(),
      state.consumerFunds.toString(),
    ])
    if (!rows[0]) return null
    const highest = BigInt(rows[0].requests)
    return [highest - BigInt(n) + 1n, highest]
  }

  /** What a job of a batch gets: its tokens, or the error that refused it alone. */
  type Issued = IssuedTokens | { refused: unknown }

  /**
   * Issues a batch of one channel's jobs. When the funds do not cover all of them, each job
   * is decided alone, in order (as if it had come alone): those the funds cover are served,
   * the others refused. `takeAhead`: whether to try taking counts ahead too.
   */
  async function issueBatch(address: string, jobs: readonly Job[], takeAhead = true): Promise<Issued[]> {
    const first = jobs[0] as Job
    const { channel } = first
    const { state } = await channelStates.get(address)
    const tokenId = issuableTokenId({ address: channel.address, state })
    const h = heldFor(address, tokenId)
    const total = jobs.reduce((n, j) => n + j.count, 0)
    // What is held goes first: moved out now, before an await lets the fast path take it.
    const pool = claim(h, Math.min(h.left, total))
    const needed = total - countOf(pool)
    const extra = takeAhead ? aheadOf(h) : 0
    /** The answers to a batch of refills only (count 0). */
    const none = () => jobs.map(() => ({ channel: address, chainId, tokenId, tokens: [] }))
    if (needed === 0) {
      if (total > 0) {
        refillIfLow(first, h)
        return sign(jobs, tokenId, pool)
      }
      // Only refills in this batch: take ahead if still short (and not paused for funds).
      if (h.left * 2 >= extra || Date.now() < h.refillAfter) return none()
    }

    // Counts are only taken when the channel's funds cover them (with what the expiring token
    // was issued for): a count taken is gone (tokens are cumulative, so the consumer pays for
    // a skipped count once a higher one is redeemed), so a refusal must not take any.
    const pending = (async () => {
      const ahead = extra > 0 ? await takeCounts(channel, state, needed + extra) : null
      return ahead ?? (needed > 0 ? takeCounts(channel, state, needed) : null)
    })()
    takes.add(pending)
    let range: Range | null
    try {
      range = await pending
    } catch (error) {
      giveBack(address, tokenId, pool)
      throw error
    } finally {
      takes.delete(pending)
    }
    if (!range) {
      giveBack(address, tokenId, pool)
      if (needed === 0) {
        h.refillAfter = Date.now() + REFILL_PAUSE_MS
        return none()
      }
      channelStates.invalidate(channel.address) // a deposit may have landed: the next call re-reads
      if (jobs.length > 1) return issueEachAlone(address, jobs, h, state)
      throw refuseForFunds(channel, state, total)
    }
    metrics.issueTakes.inc()
    // The range's first `needed` counts are this batch's; the rest is held for later tokens.
    const [mine, ahead] = splitRange(range, needed)
    const current = held.get(address)
    if (current?.tokenId === tokenId) {
      current.top = range[1]
      // Contiguous with the last held range unless another instance took counts in between.
      if (ahead) hold(current, [...current.ranges, ahead])
    }
    return sign(jobs, tokenId, mine ? [...pool, mine] : pool)
  }

  /**
   * The jobs of a batch the funds do not cover together, one after another, without taking
   * counts ahead (funds are short, so refills pause too). Each gets its tokens or its own
   * refusal. Once `n` counts were refused for funds, a later job of `n` or more is refused
   * without a statement: it cannot fit either (short of a deposit landing meanwhile).
   */
  async function issueEachAlone(
    address: string,
    jobs: readonly Job[],
    h: Held,
    state: ChannelState,
  ): Promise<Issued[]> {
    h.refillAfter = Date.now() + REFILL_PAUSE_MS
    const results: Issued[] = []
    let refusedAt = Number.POSITIVE_INFINITY
    for (const job of jobs) {
      if (job.count >= refusedAt) {
        results.push({ refused: refuseForFunds(job.channel, state, job.count) })
      } else {
        try {
          results.push(...(await issueBatch(address, [job], false)))
        } catch (error) {
          if (isAppError(error) && error.code === 'insufficient_funds') refusedAt = job.count
          results.push({ refused: error })
        }
      }
    }
    return results
  }

  /** The refusal of `count` more requests that the channel's funds do not cover (counted). */
  function refuseForFunds(channel: ChannelRecord, state: ChannelState, count: number): ConflictError {
    metrics.issueRefused.inc({ code: 'insufficient_funds' })
    return new ConflictError({
      code: 'insufficient_funds',
      message: `Channel ${channel.address} holds ${state.consumerFunds} wei, not enough for ${count} more request(s) at ${channel.costPerRequest} wei on top of what was already issued; deposit first.`,
    })
  }

  const take = createKeyedCoalescer<string, Job, Issued>({
    maxBatchSize: 200,
    run: (address, jobs) => issueBatch(address, jobs),
  })

  /** A job's tokens from the coalesced batch, or its own refusal thrown. */
  async function taken(address: string, job: Job): Promise<IssuedTokens> {
    const result = await take.submit(address, job)
    if ('refused' in result) throw result.refused
    return result
  }

  /** Puts claimed counts back in front of what is held (when they were not handed out after all). */
  function giveBack(address: string, tokenId: bigint, ranges: Range[]): void {
    const current = held.get(address)
    if (ranges.length === 0 || current?.tokenId !== tokenId) return
    hold(current, [...ranges, ...current.ranges])
  }

  /** Starts a background refill when less than half of what should be held is left. */
  function refillIfLow(job: Job, h: Held): void {
    if (h.refilling || Date.now() < h.refillAfter) return
    if (h.left * 2 >= aheadOf(h)) return
    h.refilling = true
    const refill = take
      .submit(job.channel.address, { ...job, count: 0 })
      .catch(() => {}) // a failed refill changes nothing; the next token takes its own counts
      .finally(() => {
        h.refilling = false
        takes.delete(refill)
      })
    takes.add(refill)
  }

  /** Resolves once no statement taking counts and no refill is in flight. */
  async function idle(): Promise<void> {
    while (takes.size > 0) await Promise.allSettled([...takes])
  }

  return {
    /** `count` tokens of the channel's active token ID with fresh, ascending counts, signed by its consumer. */
    async issue(job: Job): Promise<IssuedTokens> {
      const address = job.channel.address
      const h = held.get(address)
      if (h && h.left >= job.count && !closed) {
        const { state } = await channelStates.get(address)
        const tokenId = issuableTokenId({ address: job.channel.address, state })
        const current = heldFor(address, tokenId)
        if (current.left >= job.count) {
          const counts = claim(current, job.count)
          refillIfLow(job, current)
          return (await sign([job], tokenId, counts))[0] as IssuedTokens
        }
      }
      return taken(address, job)
    },

    /** Resolves once no statement taking counts and no background refill is in flight. */
    idle,

    /** Drops every held count: their channels' chain was reset (../chainEpoch), the counts belong to it. */
    forgetAll: (): void => held.clear(),

    /** Counts this instance holds for the channel's current token ID (taken, not handed out yet). */
    held(channel: string): number {
      return held.get(channel.toLowerCase())?.left ?? 0
    },

    /**
     * Stops taking counts ahead and gives back what this instance holds, where no other instance
     * took counts since (the give-back is a compare-and-set). Returns the counts given back.
     */
    async close(): Promise<number> {
      closed = true
      await idle()
      let given = 0
      for (const [address, h] of held) {
        const last = h.ranges.at(-1)
        if (!last || last[1] !== h.top) continue
        // Out of reach of calls still running before the statement goes: a count given back is
        // the database's to hand out again, never this instance's.
        h.ranges.pop()
        h.left -= Number(last[1] - last[0] + 1n)
        const rows = await sql
          .query(GIVE_BACK, [
            chainId,
            address,
            h.tokenId.toString(),
            (last[0] - 1n).toString(),
            last[1].toString(),
          ])
          .catch(() => [])
        if (rows.length > 0) given += Number(last[1] - last[0] + 1n)
      }
      held.clear()
      return given
    },
  }
}

export type Issuer = ReturnType<typeof createIssuer>

/** Makes `ranges` (ascending) what `h` holds, adjacent ones merged. */
function hold(h: Held, ranges: readonly Range[]): void {
  h.ranges = mergeRanges(ranges)
  h.left = countOf(h.ranges)
}
