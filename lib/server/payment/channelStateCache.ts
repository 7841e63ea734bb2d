import type { Address, PublicClient } from 'viem'
import { type ChannelState, readChannelState } from '../../channel'
import { DependencyError } from '../../errors'

export type ChannelSnapshot = {
  state: ChannelState
  blockNumber: bigint
  /** Timestamp (unix seconds) of the block the state was read at. */
  blockTimestamp: bigint
  /** `Date.now()` when it was read. */
  readAt: number
}

/**
 * Channels' on-chain state for the hot paths, read at most once per `ttlMs` per channel (the
 * thesis's "advanced caching", 4.4). This is safe because every change that matters goes
 * through a transition period much longer than the cache: a redemption keeps the old token ID
 * acceptable for the tolerance window, termination announces itself, and deposits only add
 * funds (a refusal for funds re-reads first). Reads are single-flight: one request per channel
 * however many callers wait. All reads of one snapshot are pinned to one block.
 */
export function createChannelStateCache({ client, ttlMs }: { client: PublicClient; ttlMs: number }) {
  const snapshots = new Map<string, ChannelSnapshot>()
  const inflight = new Map<string, Promise<ChannelSnapshot>>()
  let clock = { chainSeconds: 0, at: 0 }

  async function read(address: Address): Promise<ChannelSnapshot> {
    try {
      const block = await client.getBlock({ blockTag: 'latest' })
      const snapshot: ChannelSnapshot = {
        state: await readChannelState({ client, address, blockNumber: block.number }),
        blockNumber: block.number,
        blockTimestamp: block.timestamp,
        readAt: Date.now(),
      }
      if (Number(block.timestamp) > clock.chainSeconds) {
        clock = { chainSeconds: Number(block.timestamp), at: snapshot.readAt }
      }
      return snapshot
    } catch (error) {
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
          return snapshot
        })
        .finally(() => inflight.delete(address))
      inflight.set(address, pending)
    }
    return pending
  }

  return {
    /**
     * The channel's state, from the cache when younger than the TTL (or than `maxAgeMs`).
     * Past half the TTL a background refresh starts while the cached value is returned.
     */
    async get(channel: string, { maxAgeMs = ttlMs }: { maxAgeMs?: number } = {}): Promise<ChannelSnapshot> {
      const address = channel.toLowerCase() as Address
      const cached = snapshots.get(address)
      const age = cached ? Date.now() - cached.readAt : Number.POSITIVE_INFINITY
      if (cached && age <= Math.min(maxAgeMs, ttlMs)) {
        if (age > ttlMs / 2 && !inflight.has(address)) refresh(address).catch(() => {})
        return cached
      }
      return refresh(address)
    },

    /** Forgets a channel's state (after this process changed it on chain). */
    invalidate(channel: string): void {
      snapshots.delete(channel.toLowerCase())
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
}

export type ChannelStateCache = ReturnType<typeof createChannelStateCache>
