import {
  type Abi,
  type AbiFunction,
  type AbiParameter,
  decodeFunctionData,
  type Hex,
  toEventSignature,
  toFunctionSelector,
  toFunctionSignature,
} from 'viem'
import {
  intermediaryAbi,
  intermediaryFactoryAbi,
  intermediaryFactoryV2Abi,
  intermediaryV2Abi,
} from '../contracts/generated'
import { channelEventAbi, decodeChannelEvent, jsonArgs } from './channelEvents'
import { contractErrorsAbi, decodeContractError } from './contractErrors'

/**
 * Calls, reverts and logs of the factory and the channels, decoded: as names with typed
 * arguments in order (`describe*`, for the explorer) and as name → value objects (`decode*`,
 * what the indexer stores). Values are JSON-safe: integers as decimal strings, hex lowercase.
 */

export type DescribedArg = { name: string; type: string; value: unknown }

const jsonValue = (value: unknown): unknown => jsonArgs({ v: value }).v

const described = (inputs: readonly AbiParameter[], values: readonly unknown[]): DescribedArg[] =>
  inputs.map((input, i) => ({ name: input.name || String(i), type: input.type, value: jsonValue(values[i]) }))

/** Arguments as an object keyed by parameter name (position when unnamed). */
const argsObject = (args: DescribedArg[]): Record<string, unknown> =>
  Object.fromEntries(args.map((a) => [a.name, a.value]))

type KnownFunction = { fn: AbiFunction; signature: string; selector: Hex }

/** The functions of an ABI by selector, computed once (signatures and selectors cost a keccak). */
function functionsOf(abi: Abi): Map<string, KnownFunction> {
  return new Map(
    abi
      .filter((i): i is AbiFunction => i.type === 'function')
      .map((fn) => {
        const selector = toFunctionSelector(fn)
        return [selector, { fn, signature: toFunctionSignature(fn), selector }]
      }),
  )
}

const functions = {
  factory: functionsOf(intermediaryFactoryAbi as Abi),
  channel: functionsOf(intermediaryAbi as Abi),
  factoryV2: functionsOf(intermediaryFactoryV2Abi as Abi),
  channelV2: functionsOf(intermediaryV2Abi as Abi),
}

/** Whose ABI decodes a call: a factory's or a channel's, by contract version; null: neither. */
export type CallTarget = keyof typeof functions | null

/**
 * Which ABI decodes a call to (or a log of) `to`: a factory's or a channel's, of its contract
 * version, from the factories' versions by lowercase address and a known channel's version
 * (undefined: not a channel).
 */
export function callTargetOf(
  to: string | null | undefined,
  factories: ReadonlyMap<string, number>,
  channelVersion: (address: string) => number | undefined,
): CallTarget {
  if (!to) return null
  const a = to.toLowerCase()
  const factory = factories.get(a)
  if (factory !== undefined) return factory === 2 ? 'factoryV2' : 'factory'
  const channel = channelVersion(a)
  if (channel === undefined) return null
  return channel === 2 ? 'channelV2' : 'channel'
}

/** The function a call to the factory or a channel invokes, with typed arguments; null if unknown. */
export function describeCall(
  input: Hex,
  target: CallTarget,
): { name: string; signature: string; selector: Hex; args: DescribedArg[] } | null {
  if (!target || input.length < 10) return null
  const known = functions[target].get(input.slice(0, 10).toLowerCase())
  if (!known) return null
  try {
    const { args } = decodeFunctionData({ abi: [known.fn], data: input })
    return {
      name: known.fn.name,
      signature: known.signature,
      selector: known.selector,
      args: described(known.fn.inputs, args ?? []),
    }
  } catch {
    return null
  }
}

/** The function a transaction called on the factory or a channel, with named arguments. */
export function decodeCall(
  input: Hex,
  target: CallTarget,
): { name: string; args: Record<string, unknown> } | null {
  const call = describeCall(input, target)
  return call && { name: call.name, args: argsObject(call.args) }
}

/** Solidity's own errors (viem decodes them without an ABI entry). */
const builtinErrors: Record<string, AbiParameter[]> = {
  Error: [{ name: 'message', type: 'string' }],
  Panic: [{ name: 'code', type: 'uint256' }],
}

/** A revert: the custom error with typed arguments and what it means in words. */
export function describeRevert(data: Hex | null): {
  name: string | null
  message: string
  args: DescribedArg[]
  data: Hex | null
} {
  const decoded = data ? decodeContractError(data) : null
  if (!decoded) {
    return {
      name: null,
      message: data
        ? `Reverted with data that is not an error of the channel contracts (${data.slice(0, 10)}).`
        : 'Reverted without revert data.',
      args: [],
      data,
    }
  }
  const error = contractErrorsAbi.find((i) => i.type === 'error' && i.name === decoded.name)
  const inputs = error && 'inputs' in error ? error.inputs : (builtinErrors[decoded.name] ?? [])
  return { name: decoded.name, message: decoded.message, args: described(inputs, decoded.args), data }
}

/** A revert's custom error with named arguments, or null when it is not one of ours. */
export function decodeRevert(data: Hex | null): { name: string; args: Record<string, unknown> } | null {
  const revert = describeRevert(data)
  return revert.name === null ? null : { name: revert.name, args: argsObject(revert.args) }
}

/**
 * A log of the factory or a channel, with typed arguments (decoded by the indexer's own
 * decoder, typed from the ABI); null when its ABI is not known or the log does not fit it.
 */
export function describeLog(
  topics: readonly Hex[],
  data: Hex,
): { name: string; signature: string; args: DescribedArg[] } | null {
  const event = channelEventAbi(topics[0])
  const decoded = event ? decodeChannelEvent(topics, data) : null
  if (!event || !decoded) return null
  const args = decoded.args as Record<string, unknown>
  return {
    name: event.name,
    signature: toEventSignature(event),
    args: described(
      event.inputs,
      event.inputs.map((input) => args[input.name as string]),
    ),
  }
}

const txTypes: Record<string, string> = {
  '0x0': 'legacy',
  '0x1': 'eip2930',
  '0x2': 'eip1559',
  '0x3': 'eip4844',
  '0x4': 'eip7702',
}

export function txTypeName(type: Hex): string {
  return txTypes[type] ?? type
}
