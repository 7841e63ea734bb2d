import { type AbiEvent, type Address, decodeEventLog, type Hex, toEventSelector } from 'viem'
import {
  intermediaryAbi,
  intermediaryFactoryAbi,
  intermediaryFactoryV2Abi,
  intermediaryV2Abi,
} from '../contracts/generated'
import type { ChannelState } from './channel'

/**
 * The events of the factories (v1 and v2) and of their channels, decoded, and the channel state
 * they add up to. Shared by the indexer (which folds events into its `channel` table), the API
 * and the UI. Version 2 (IntermediaryV2) channels emit v1's events under the same names, plus
 * PricesAnnounced; their ChannelOpened and Redeemed carry arrays (a price table, counts per
 * category), which is how a decoded event tells the versions apart.
 */

export type ChannelEvent =
  | {
      name: 'ChannelOpened'
      args: {
        channel: Address
        consumer: Address
        provider: Address
        costPerRequest: bigint
        redemptionTimeout: bigint
        terminationTimeout: bigint
      }
    }
  | {
      name: 'ChannelOpened'
      args: {
        channel: Address
        consumer: Address
        provider: Address
        prices: readonly bigint[]
        redemptionTimeout: bigint
        terminationTimeout: bigint
      }
    }
  | { name: 'Deposited'; args: { from: Address; amount: bigint; consumerFunds: bigint } }
  | { name: 'PricesAnnounced'; args: { fromTokenId: bigint; version: bigint; prices: readonly bigint[] } }
  | {
      name: 'RedemptionStarted'
      args: { expiringTokenId: bigint; activeTokenId: bigint; redeemableAt: bigint }
    }
  | {
      name: 'Redeemed'
      args: {
        tokenId: bigint
        requests: bigint
        amount: bigint
        consumerFunds: bigint
        providerFunds: bigint
      }
    }
  | {
      name: 'Redeemed'
      args: {
        tokenId: bigint
        /** Counts per category; empty when the redemption was closed without a token. */
        requests: readonly bigint[]
        prices: readonly bigint[]
        amount: bigint
        consumerFunds: bigint
        providerFunds: bigint
      }
    }
  | { name: 'Withdrawn'; args: { to: Address; amount: bigint } }
  | { name: 'TerminationStarted'; args: { by: Address; terminatesAt: bigint } }
  | { name: 'Terminated'; args: { by: Address; consumerRefund: bigint; providerPayout: bigint } }

export type ChannelEventName = ChannelEvent['name']

type Decoder = {
  name: ChannelEventName
  /** Which contract emits it. */
  source: 'factory' | 'channel'
  /** The contract version of its emitter (an event both versions declare alike is decoded as v1's). */
  version: 1 | 2
  abi: AbiEvent
  /** Static inputs only (address, uintN, bool, bytes32): decoded word by word, no allocation-heavy ABI walk. */
  fast: boolean
}

const staticType = /^(address|bool|bytes32|uint\d*|int\d*)$/

function decodersOf(
  abi: readonly unknown[],
  source: Decoder['source'],
  version: Decoder['version'],
): [Hex, Decoder][] {
  return (abi as AbiEvent[])
    .filter((item) => item.type === 'event')
    .map((event) => [
      toEventSelector(event),
      {
        name: event.name as ChannelEventName,
        source,
        version,
        abi: event,
        fast: event.inputs.every((i) => staticType.test(i.type)),
      },
    ])
}

// v2's own events first, so that the events both versions declare alike (Deposited,
// RedemptionStarted, ...) keep v1's entry: the same topic0, the same layout.
const decoders = new Map<string, Decoder>([
  ...decodersOf(intermediaryFactoryV2Abi, 'factory', 2),
  ...decodersOf(intermediaryV2Abi, 'channel', 2),
  ...decodersOf(intermediaryFactoryAbi, 'factory', 1),
  ...decodersOf(intermediaryAbi, 'channel', 1),
])

/** topic0 of every event the indexer follows (both factories' and their channels'). */
export const channelEventTopics: Hex[] = [...decoders.keys()] as Hex[]

/** The ABI entry of a factory or channel event by its topic0 (for names and types of its arguments). */
export function channelEventAbi(topic0: string | undefined): AbiEvent | undefined {
  return topic0 === undefined ? undefined : decoders.get(topic0)?.abi
}

/** Whether topic0 belongs to an event a factory (not a channel) emits. */
export function isFactoryEvent(topic0: string | undefined): boolean {
  return topic0 !== undefined && decoders.get(topic0)?.source === 'factory'
}

/** The factory version whose event topic0 is (1 or 2), or undefined when no factory emits it. */
export function factoryEventVersion(topic0: string | undefined): 1 | 2 | undefined {
  const decoder = topic0 === undefined ? undefined : decoders.get(topic0)
  return decoder?.source === 'factory' ? decoder.version : undefined
}

function word(type: string, hex: string): Address | bigint | boolean | Hex {
  if (type === 'address') return `0x${hex.slice(24).toLowerCase()}` as Address
  if (type === 'bool') return hex.charCodeAt(63) === 49 /* '1' */
  if (type === 'bytes32') return `0x${hex.toLowerCase()}` as Hex
  const value = BigInt(`0x${hex}`)
  if (type.startsWith('int')) {
    const bits = BigInt(type.slice(3) || '256')
    return BigInt.asIntN(Number(bits), value)
  }
  return value
}

/**
 * Decodes a log of the factory or of a channel; null when topic0 is not one of theirs or the
 * log does not match the event's layout (a foreign contract reusing the signature).
 * Addresses come out lowercase.
 */
export function decodeChannelEvent(topics: readonly Hex[], data: Hex): ChannelEvent | null {
  const decoder = topics[0] ? decoders.get(topics[0]) : undefined
  if (!decoder) return null
  const inputs = decoder.abi.inputs
  if (!decoder.fast) {
    try {
      const decoded = decodeEventLog({ abi: [decoder.abi], topics: topics as [Hex, ...Hex[]], data })
      const args = { ...(decoded.args as Record<string, unknown>) }
      // viem checksums addresses; the index keys everything by lowercase address.
      for (const input of inputs) {
        const value = args[input.name as string]
        if (input.type === 'address' && typeof value === 'string')
          args[input.name as string] = value.toLowerCase()
      }
      return { name: decoder.name, args } as unknown as ChannelEvent
    } catch {
      return null
    }
  }
  const indexed = inputs.filter((i) => i.indexed).length
  const words = inputs.length - indexed
  if (topics.length !== indexed + 1 || data.length !== 2 + 64 * words) return null
  const args: Record<string, unknown> = {}
  let topic = 1
  let offset = 2
  for (const input of inputs) {
    if (input.indexed) {
      args[input.name as string] = word(input.type, (topics[topic++] as string).slice(2))
    } else {
      args[input.name as string] = word(input.type, data.slice(offset, offset + 64))
      offset += 64
    }
  }
  return { name: decoder.name, args } as ChannelEvent
}

/** JSON-safe copy of decoded arguments: uint256 as decimal strings (exact), addresses lowercase. */
export function jsonArgs(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(args)) out[key] = toJsonValue(value)
  return out
}

function toJsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'string') return value.startsWith('0x') ? value.toLowerCase() : value
  if (Array.isArray(value)) return value.map(toJsonValue)
  if (value && typeof value === 'object') return jsonArgs(value as Record<string, unknown>)
  return value
}

/** A channel as the indexer keeps it: the contract's state plus history totals. */
export type IndexedChannel = ChannelState & {
  openedBlock: bigint
  openedTx: Hex
  openedAt: bigint
  terminatedBy: Address | null
  totalDeposited: bigint
  totalRedeemed: bigint
  totalRequests: bigint
  totalWithdrawn: bigint
  redemptions: number
  eventCount: number
  lastEventBlock: bigint
  /** 1: Intermediary; 2: IntermediaryV2. */
  contractVersion: number
  /** v2: the price table of the active token ID (`costPerRequest` is its first price); v1: null. */
  prices: bigint[] | null
}

export type EventPosition = { blockNumber: bigint; blockTimestamp: bigint; txHash: Hex }

/** The state a channel has right after its constructor: token 1 active, nothing else. */
export function openedChannel(
  event: Extract<ChannelEvent, { name: 'ChannelOpened' }>,
  at: EventPosition,
): IndexedChannel {
  const a = event.args
  // v2: the opening table (IntermediaryV2 announces it for token ID 1 in its constructor too).
  const prices = 'prices' in a ? [...a.prices] : null
  return {
    address: a.channel,
    consumer: a.consumer,
    provider: a.provider,
    costPerRequest: 'prices' in a ? (a.prices[0] ?? 0n) : a.costPerRequest,
    redemptionTimeout: a.redemptionTimeout,
    terminationTimeout: a.terminationTimeout,
    consumerFunds: 0n,
    providerFunds: 0n,
    activeTokenId: 1n,
    expiringTokenId: 0n,
    redeemableAt: 0n,
    lastTokenId: 1n,
    terminatesAt: 0n,
    terminated: false,
    openedBlock: at.blockNumber,
    openedTx: at.txHash,
    openedAt: at.blockTimestamp,
    terminatedBy: null,
    totalDeposited: 0n,
    totalRedeemed: 0n,
    totalRequests: 0n,
    totalWithdrawn: 0n,
    redemptions: 0,
    eventCount: 1,
    lastEventBlock: at.blockNumber,
    contractVersion: prices ? 2 : 1,
    prices,
  }
}

/** A Redeemed event's request count: v1's number, or the sum of v2's counts per category. */
export function redeemedRequests(requests: bigint | readonly bigint[]): bigint {
  if (typeof requests === 'bigint') return requests
  let sum = 0n
  for (const count of requests) sum += count
  return sum
}

/**
 * Applies one event of the channel to its state, exactly as the contract changed its storage
 * when it emitted the event (see Intermediary.sol and IntermediaryV2.sol). Mutates and returns
 * `state`.
 */
export function applyChannelEvent(
  state: IndexedChannel,
  event: ChannelEvent,
  blockNumber: bigint,
): IndexedChannel {
  state.eventCount += 1
  state.lastEventBlock = blockNumber
  switch (event.name) {
    case 'ChannelOpened':
      // Counted by openedChannel(); a second one for the same address cannot happen.
      state.eventCount -= 1
      break
    case 'Deposited':
      state.consumerFunds = event.args.consumerFunds
      state.totalDeposited += event.args.amount
      break
    case 'PricesAnnounced':
      // The table of token ID `fromTokenId` on. IntermediaryV2 emits it at opening (ID 1, the
      // active one) and in startRedemptionWithPrices right AFTER the RedemptionStarted that
      // made `fromTokenId` active (_startRedemption emits first), so here it is the active ID's
      // table. The check keeps an announcement for another ID from changing the active prices.
      if (event.args.fromTokenId === state.activeTokenId) {
        state.prices = [...event.args.prices]
        state.costPerRequest = event.args.prices[0] ?? state.costPerRequest
      }
      break
    case 'RedemptionStarted':
      state.expiringTokenId = event.args.expiringTokenId
      state.activeTokenId = event.args.activeTokenId
      state.redeemableAt = event.args.redeemableAt
      if (event.args.activeTokenId !== 0n) state.lastTokenId = event.args.activeTokenId
      break
    case 'Redeemed':
      state.consumerFunds = event.args.consumerFunds
      state.providerFunds = event.args.providerFunds
      state.expiringTokenId = 0n
      state.redeemableAt = 0n
      state.totalRedeemed += event.args.amount
      state.totalRequests += redeemedRequests(event.args.requests)
      state.redemptions += 1
      break
    case 'Withdrawn':
      if (event.args.to === state.provider) state.providerFunds = 0n
      else if (event.args.to === state.consumer) state.consumerFunds = 0n
      state.totalWithdrawn += event.args.amount
      break
    case 'TerminationStarted':
      state.terminatesAt = event.args.terminatesAt
      break
    case 'Terminated':
      state.terminated = true
      state.terminatedBy = event.args.by
      state.activeTokenId = 0n
      state.expiringTokenId = 0n
      state.redeemableAt = 0n
      state.consumerFunds = event.args.consumerRefund
      state.providerFunds = event.args.providerPayout
      break
  }
  return state
}

/**
 * Folds a stream of channel events, in chain order, into channel states. A channel's first
 * Deposited (from its constructor) comes before the factory's ChannelOpened in the same
 * transaction; it is held until the channel exists.
 */
export class ChannelFold {
  private readonly pending = new Map<string, { event: ChannelEvent; blockNumber: bigint }[]>()
  /** Channels changed since the fold was created. */
  readonly touched = new Set<string>()

  constructor(readonly states: Map<string, IndexedChannel> = new Map()) {}

  /** Applies `event` of `channel` (lowercase address); false when the channel is unknown. */
  apply(channel: string, event: ChannelEvent, at: EventPosition): boolean {
    if (event.name === 'ChannelOpened') {
      const state = openedChannel(event, at)
      for (const early of this.pending.get(channel) ?? [])
        applyChannelEvent(state, early.event, early.blockNumber)
      this.pending.delete(channel)
      this.states.set(channel, state)
      this.touched.add(channel)
      return true
    }
    const state = this.states.get(channel)
    if (!state) {
      this.pending.set(channel, [
        ...(this.pending.get(channel) ?? []),
        { event, blockNumber: at.blockNumber },
      ])
      return false
    }
    applyChannelEvent(state, event, at.blockNumber)
    this.touched.add(channel)
    return true
  }

  /** Copies of the states of the channels changed so far (later events do not alter them). */
  changed(): IndexedChannel[] {
    return [...this.touched].map((c) => ({ ...this.states.get(c)! }))
  }
}
