import {
  type Abi,
  type AbiEvent,
  type AbiFunction,
  type AbiParameter,
  decodeEventLog,
  decodeFunctionData,
  type Hex,
  toEventSelector,
  toEventSignature,
  toFunctionSelector,
  toFunctionSignature,
} from 'viem'
import { intermediaryAbi, intermediaryFactoryAbi } from '../contracts/generated'
import { jsonArgs } from './channelEvents'
import { contractErrorsAbi, decodeContractError } from './contractErrors'

/** Arguments as an object keyed by parameter name (position when unnamed). */
export function namedArgs(
  inputs: readonly AbiParameter[],
  values: readonly unknown[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  inputs.forEach((input, i) => {
    out[input.name || String(i)] = values[i]
  })
  return out
}

/** The function a transaction called on the factory or a channel, with named arguments (JSON-safe). */
export function decodeCall(
  input: Hex,
  target: 'factory' | 'channel' | null,
): { name: string; args: Record<string, unknown> } | null {
  if (!target || input.length < 10) return null
  const abi = (target === 'factory' ? intermediaryFactoryAbi : intermediaryAbi) as Abi
  try {
    const { functionName, args } = decodeFunctionData({ abi, data: input })
    const fn = abi.find((i) => i.type === 'function' && i.name === functionName)
    const inputs = fn && 'inputs' in fn ? fn.inputs : []
    return { name: functionName, args: jsonArgs(namedArgs(inputs, args ?? [])) }
  } catch {
    return null
  }
}

/** Solidity's own errors (viem decodes them without an ABI entry). */
const builtinErrors: Record<string, AbiParameter[]> = {
  Error: [{ name: 'message', type: 'string' }],
  Panic: [{ name: 'code', type: 'uint256' }],
}

/** A revert's custom error with named arguments (JSON-safe), or null when it is not one of ours. */
export function decodeRevert(data: Hex | null): { name: string; args: Record<string, unknown> } | null {
  if (!data) return null
  const decoded = decodeContractError(data)
  if (!decoded) return null
  const error = contractErrorsAbi.find((i) => i.type === 'error' && i.name === decoded.name)
  const inputs = error && 'inputs' in error ? error.inputs : (builtinErrors[decoded.name] ?? [])
  return { name: decoded.name, args: jsonArgs(namedArgs(inputs, decoded.args)) }
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

// ---------------------------------------------------------------------------------------------
// Descriptions for people (explorer): names, Solidity types and exact JSON values, in order.

export type DescribedArg = { name: string; type: string; value: unknown }

const described = (inputs: readonly AbiParameter[], values: readonly unknown[]): DescribedArg[] =>
  inputs.map((input, i) => ({
    name: input.name || String(i),
    type: input.type,
    value: jsonValue(values[i]),
  }))

const jsonValue = (value: unknown): unknown => jsonArgs({ v: value }).v

const callAbi = [...intermediaryFactoryAbi, ...intermediaryAbi] as Abi

/** The function a call to the factory or a channel invokes, with typed arguments; null if unknown. */
export function describeCall(
  input: Hex,
  target: 'factory' | 'channel' | null,
): { name: string; signature: string; selector: Hex; args: DescribedArg[] } | null {
  if (!target || input.length < 10) return null
  const abi = (target === 'factory' ? intermediaryFactoryAbi : intermediaryAbi) as Abi
  try {
    const { functionName, args } = decodeFunctionData({ abi, data: input })
    const fn = abi.find((i): i is AbiFunction => i.type === 'function' && i.name === functionName)
    if (!fn) return null
    return {
      name: functionName,
      signature: toFunctionSignature(fn),
      selector: toFunctionSelector(fn),
      args: described(fn.inputs, args ?? []),
    }
  } catch {
    return null
  }
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

const eventsByTopic = new Map<string, AbiEvent>(
  (callAbi as readonly { type: string }[])
    .filter((i): i is AbiEvent => i.type === 'event')
    .map((event) => [toEventSelector(event), event]),
)

/** A log of the factory or a channel, with typed arguments; null when its ABI is not known. */
export function describeLog(
  topics: readonly Hex[],
  data: Hex,
): { name: string; signature: string; args: DescribedArg[] } | null {
  const event = topics[0] ? eventsByTopic.get(topics[0]) : undefined
  if (!event) return null
  try {
    const decoded = decodeEventLog({ abi: [event], topics: topics as [Hex, ...Hex[]], data, strict: true })
    const args = decoded.args as unknown as Record<string, unknown>
    return {
      name: event.name,
      signature: toEventSignature(event),
      args: described(
        event.inputs,
        event.inputs.map((input) => args[input.name as string]),
      ),
    }
  } catch {
    return null
  }
}
