import type { Address, PublicClient } from 'viem'
import { intermediaryAbi } from '../contracts/generated'

/** Parameters fixed when a channel is opened. */
export type ChannelTerms = {
  consumer: Address
  provider: Address
  costPerRequest: bigint
  /** Seconds between starting and completing a redemption. */
  redemptionTimeout: bigint
  /** Seconds between the consumer announcing termination and being allowed to terminate. */
  terminationTimeout: bigint
}

/** A channel's state as the contract reports it; amounts in wei, times in unix seconds. */
export type ChannelState = ChannelTerms & {
  address: Address
  consumerFunds: bigint
  providerFunds: bigint
  /** 0n when no token is active (termination started and the last one went to redemption, or terminated). */
  activeTokenId: bigint
  /** 0n when no redemption is pending. */
  expiringTokenId: bigint
  /** 0n when no redemption is pending. */
  redeemableAt: bigint
  lastTokenId: bigint
  /** 0n while termination has not been started. */
  terminatesAt: bigint
  terminated: boolean
}

export type ChannelPhase = 'open' | 'redeeming' | 'terminating' | 'terminated'

/** The channel's life-cycle phase; termination outranks a pending redemption. */
export function channelPhase(
  state: Pick<ChannelState, 'terminated' | 'terminatesAt' | 'expiringTokenId'>,
): ChannelPhase {
  if (state.terminated) return 'terminated'
  if (state.terminatesAt !== 0n) return 'terminating'
  if (state.expiringTokenId !== 0n) return 'redeeming'
  return 'open'
}

/**
 * When the expiring token ID's tolerance window closes (unix seconds): the provider keeps
 * accepting its tokens for `toleranceSeconds` after the redemption started (at most the
 * redemption timeout), for requests still in flight, and redeems it after that.
 *
 * @example expiringWindowClosesAt({ redeemableAt: 1060n, redemptionTimeout: 60n, toleranceSeconds: 30 }) // 1030n
 */
export function expiringWindowClosesAt({
  redeemableAt,
  redemptionTimeout,
  toleranceSeconds,
}: {
  redeemableAt: bigint
  redemptionTimeout: bigint
  toleranceSeconds: number
}): bigint {
  const tolerance = BigInt(Math.min(toleranceSeconds, Number(redemptionTimeout)))
  return redeemableAt - redemptionTimeout + tolerance
}

/** The contract getters that make up a channel's state (every ChannelState field but `address`). */
export const channelStateFields = [
  'consumer',
  'provider',
  'costPerRequest',
  'redemptionTimeout',
  'terminationTimeout',
  'consumerFunds',
  'providerFunds',
  'activeTokenId',
  'expiringTokenId',
  'redeemableAt',
  'lastTokenId',
  'terminatesAt',
  'terminated',
] as const

/**
 * Reads a channel's full state from the chain at one block (all reads pinned to the same
 * block, so the result is consistent even while transactions land).
 */
export async function readChannelState({
  client,
  address,
  blockNumber,
}: {
  client: PublicClient
  address: Address
  blockNumber?: bigint
}): Promise<ChannelState> {
  const at = blockNumber ?? (await client.getBlockNumber({ cacheTime: 0 }))
  const values = await Promise.all(
    channelStateFields.map((functionName) =>
      client.readContract({ address, abi: intermediaryAbi, functionName, blockNumber: at }),
    ),
  )
  return channelStateFrom({ address, values })
}

/**
 * A channel's state from the getters' results in `channelStateFields` order (from
 * `readContract` calls or one multicall), addresses lowercased.
 */
export function channelStateFrom({
  address,
  values,
}: {
  address: Address
  values: readonly unknown[]
}): ChannelState {
  const state = Object.fromEntries(channelStateFields.map((f, i) => [f, values[i]])) as Omit<
    ChannelState,
    'address'
  >
  return {
    ...state,
    address: address.toLowerCase() as Address,
    consumer: state.consumer.toLowerCase() as Address,
    provider: state.provider.toLowerCase() as Address,
  }
}

/**
 * A channel's state from a JSON answer that carries its fields (the explorer's channel summary:
 * uint256 as decimal strings), back to bigints: the UI's fallback until the chain answers.
 * Client-safe and light on purpose (no schema library in the page's bundle).
 */
export function channelStateFromJson(
  json: { address: string } & { [F in (typeof channelStateFields)[number]]: string | boolean },
): ChannelState {
  const values = channelStateFields.map((f) => {
    const value = json[f]
    return typeof value === 'string' && /^\d+$/.test(value) ? BigInt(value) : value
  })
  return channelStateFrom({ address: json.address as Address, values })
}
