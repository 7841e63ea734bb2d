import type { Address } from 'viem'
import { type ChannelState, channelStateFields, channelStateFrom } from '../channel'

/** v1's state getters that an IntermediaryV2 has too: all but `costPerRequest` (its prices are per category). */
export const channelStateFieldsV2 = channelStateFields.filter(
  (f): f is Exclude<(typeof channelStateFields)[number], 'costPerRequest'> => f !== 'costPerRequest',
)

/** What the wallet reads of a v2 channel at each block: the state, its category count and price versions. */
export const liveFieldsV2 = [...channelStateFieldsV2, 'categories', 'priceVersions'] as const

/** The parts of a v2 channel's live state that v1's ChannelState has no place for. */
export type LiveV2 = {
  /** Number of categories: the length of every price table and token. */
  categories: bigint
  /** Price versions of the active and expiring token IDs (0 when there is no such ID). */
  activeVersion: bigint
  expiringVersion: bigint
}

/**
 * A version 2 channel's state from its getters' results in `channelStateFieldsV2` order, in v1's
 * shape so every rule on token IDs, windows and phases serves both (`costPerRequest` is 0: the
 * prices are per category and per token ID, in `PricesAnnounced`).
 * @example channelStateFromV2({ address, values }) // { consumer, provider, costPerRequest: 0n, ... }
 */
export function channelStateFromV2({
  address,
  values,
}: {
  address: Address
  values: readonly unknown[]
}): ChannelState {
  const byField = new Map<string, unknown>(channelStateFieldsV2.map((f, i) => [f, values[i]]))
  return channelStateFrom({
    address,
    values: channelStateFields.map((f) => (f === 'costPerRequest' ? 0n : byField.get(f))),
  })
}

/** {@link channelStateFromV2} and {@link LiveV2} from the results in `liveFieldsV2` order. */
export function liveStateV2({ address, values }: { address: Address; values: readonly unknown[] }): {
  state: ChannelState
  v2: LiveV2
} {
  const n = channelStateFieldsV2.length
  const [active, expiring] = values[n + 1] as readonly [bigint, bigint]
  return {
    state: channelStateFromV2({ address, values: values.slice(0, n) }),
    v2: { categories: values[n] as bigint, activeVersion: active, expiringVersion: expiring },
  }
}
