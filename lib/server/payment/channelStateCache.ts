import { type Address, BaseError, ContractFunctionZeroDataError, type PublicClient } from 'viem'
import { type ChannelState, readChannelState } from '../../channel'
import { DependencyError, isAppError } from '../../errors'
import type { PaymentMetrics } from './metrics'
import { readChannelStateV2 } from './v2/chainState'

export type ChannelSnapshot = {
  state: ChannelState
  blockNumber: bigint
  /** Timestamp (unix seconds) of the block the state was read at. */
  blockTimestamp: bigint
  /** `Date.now()` when it was read. */
  readAt: number
}

/** A channel served from its last known state because the node does not answer (health, metrics). */
export type StaleChannel = {
  channel: string
  /** When the first read failed and the last known state was served instead. */
  since: Date
  /** When that state was read, and at which block. */
  stateReadAt: Date
  blockNumber: bigint
}

/** True when the node answered that the address has no contract (not that it did not answer). */
const hasNoCode = (error: unknown) =>
  error instanceof BaseError && error.walk((e) => e instanceof ContractFunctionZeroDataError) !== null

/**
 * Channels' on-chain state for the hot paths, read at most once per `ttlMs` per channel (the
 * thesis's "advanced caching", 4.4). This is safe because every change that matters goes
 * through a transition period much longer than the cache: a redemption keeps the old token ID
 * acceptable for the tolerance window, termination announces itself, and deposits only add
 * funds (a refusal for funds re-reads first). Reads are single-flight: one request per channel
 * however many callers wait. All reads of one snapshot are pinned to one block.
 *
 * When the node does not answer, the last known state is served for up to `staleMs` after it
 * was read (PAYMENT_STALE_STATE_SECONDS), so that a short node outage does not fail paid
 * requests: the same argument holds for longer than the cache, up to the first deadline the
 * state names (a redemption that becomes redeemable, a termination), which is never served
 * past. While a channel is served so, one read at a time retries in the background and
 * callers are answered at once; {@link stale} lists them.
 */
export function createChannelStateCache({
  client,
  ttlMs,
  staleMs = 0,
  metrics,
  onNoCode,
}: {
  client: PublicClient
  ttlMs: number
  /** How long after it was read a state may be served while the node does not answer (0: never). */
  staleMs?: number
  metrics?: PaymentMetrics
  /** When the node says the channel has no code (its chain was reset?): an error to throw instead, or null. */
  onNoCode?: (address: Address) => Promise<Error | null>
}) {
  const snapshots = new Map<string, ChannelSnapshot>()
  const inflight = new Map<string, Promise<ChannelSnapshot>>()
  /** Channels of contract version 2 (their getters differ: ./v2/chainState). */
  const v2Channels = new Set<string>()
  /** Channels served from their last known state, since when (ms), oldest first (insertion order). */
  const staleSince = new Map<string, number>()
  let clock = { chainSeconds: 0, at: 0 }

  function staleChanged(): void {
    metrics?.staleChannels.set(staleSince.size)
    // Entries are added once, stamped now, so the first is the oldest.
    metrics?.staleSince.set(staleSince.size === 0 ? 0 : (staleSince.values().next().value as number) / 1000)
  }

  async function read(address: Address): Promise<ChannelSnapshot> {
    try {
      const block = await client.getBlock({ blockTag: 'latest' })
      const snapshot: ChannelSnapshot = {
        state: await (v2Channels.has(address) ? readChannelStateV2 : readChannelState)({
          client,
          address,
          blockNumber: block.number,
        }),
        blockNumber: block.number,
        blockTimestamp: block.timestamp,
        readAt: Date.now(),
      }
      if (Number(block.timestamp) > clock.chainSeconds) {
        clock = { chainSeconds: Number(block.timestamp), at: snapshot.readAt }
      }
      return snapshot
    } catch (error) {
      const instead = onNoCode && hasNoCode(error) ? await onNoCode(address).catch(() => null) : null
      if (instead) throw instead
      throw new DependencyError({
        code: 'chain_unavailable',
        message: `The chain node did not return the state of channel ${address}.`,
        cause: error,
      })
    }
  }

  function refresh(address: Address): Promise<ChannelSnapshot> {
    let pending = inflight.get(address)
    if (!pending) {
      pending = read(address)
        .then((snapshot) => {
          snapshots.set(address, snapshot)
          if (staleSince.delete(address)) staleChanged()
          return snapshot
        })
        .finally(() => inflight.delete(address))
      inflight.set(address, pending)
    }
    return pending
  }

  /** Why `snapshot` may not be served any more while the node does not answer, or null when it may. */
  function unservable(snapshot: ChannelSnapshot): string | null {
    const age = Date.now() - snapshot.readAt
    if (age > staleMs) {
      return `its last known state (block ${snapshot.blockNumber}, read ${Math.round(age / 1000)} s ago) is older than PAYMENT_STALE_STATE_SECONDS (${staleMs / 1000} s)`
    }
    const { state } = snapshot
    const now = cache.now()
    if (state.terminatesAt !== 0n && now >= Number(state.terminatesAt)) {
      return `its termination deadline (${state.terminatesAt}) has passed since its state was last read`
    }
    if (state.expiringTokenId !== 0n && now >= Number(state.redeemableAt)) {
      return `the redemption of token ID ${state.expiringTokenId} became due (${state.redeemableAt}) since its state was last read`
    }
    return null
  }

  /** `cached` while it may be served, the node not answering (`error`); else `error`, saying why not. */
  function serveStale(
    address: Address,
    cached: ChannelSnapshot | undefined,
    error: unknown,
  ): ChannelSnapshot {
    // Only an unanswered read falls back: a refusal (a retired channel), or the node saying
    // that the channel has no code, is an answer.
    if (!cached || !isAppError(error) || error.code !== 'chain_unavailable' || hasNoCode(error.cause))
      throw error
    const why = unservable(cached)
    if (why) {
      if (staleSince.delete(address)) staleChanged()
      throw new DependencyError({
        code: 'chain_unavailable',
        message: `The chain node does not answer for channel ${address}, and ${why}.`,
        cause: error,
      })
    }
    if (!staleSince.has(address)) {
      staleSince.set(address, Date.now())
      staleChanged()
    }
    return cached
  }

  const cache = {
    /**
     * The channel's state, from the cache when younger than the TTL (or than `maxAgeMs`).
     * Past half the TTL a background refresh starts while the cached value is returned. When
     * the node does not answer, the last known state within `staleMs` and its deadlines,
     * unless `maxAgeMs` is 0 (a caller that must see the chain now, e.g. before a transaction).
     */
    async get(channel: string, { maxAgeMs = ttlMs }: { maxAgeMs?: number } = {}): Promise<ChannelSnapshot> {
      const address = channel.toLowerCase() as Address
      const cached = snapshots.get(address)
      const age = cached ? Date.now() - cached.readAt : Number.POSITIVE_INFINITY
      if (cached && age <= Math.min(maxAgeMs, ttlMs)) {
        if (age > ttlMs / 2 && !inflight.has(address)) refresh(address).catch(() => {})
        return cached
      }
      const fallback = maxAgeMs > 0 && staleMs > 0 ? cached : undefined
      // Already served stale: answer at once while one read retries (a node that hangs would
      // otherwise hold every call for the transport's timeout).
      if (fallback && staleSince.has(address) && unservable(fallback) === null) {
        refresh(address).catch(() => {})
        return fallback
      }
      try {
        return await refresh(address)
      } catch (error) {
        return serveStale(address, fallback, error)
      }
    },

    /** Forgets a channel's state (after this process changed it on chain). */
    invalidate(channel: string): void {
      snapshots.delete(channel.toLowerCase())
      if (staleSince.delete(channel.toLowerCase())) staleChanged()
    },

    /** Reads `address` with contract version 2's getters from now on (the registry knows its version). */
    markV2(address: string): void {
      v2Channels.add(address.toLowerCase())
    },

    /** Forgets every channel's state (their chain was reset: ./chainEpoch). */
    clear(): void {
      snapshots.clear()
      staleSince.clear()
      staleChanged()
    },

    /** The channels served from their last known state now, oldest first. */
    stale(): StaleChannel[] {
      return [...staleSince].map(([channel, since]) => {
        const snapshot = snapshots.get(channel) as ChannelSnapshot
        return {
          channel,
          since: new Date(since),
          stateReadAt: new Date(snapshot.readAt),
          blockNumber: snapshot.blockNumber,
        }
      })
    },

    /**
     * Best estimate of the chain's current time in seconds: the wall clock, or the newest block
     * seen plus the time since, whichever is later (a dev chain's clock can run ahead).
     */
    now(): number {
      const wall = Date.now() / 1000
      if (clock.at === 0) return wall
      return Math.max(wall, clock.chainSeconds + (Date.now() - clock.at) / 1000)
    },
  }
  return cache
}

export type ChannelStateCache = ReturnType<typeof createChannelStateCache>
