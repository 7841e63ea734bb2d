import { type Abi, type AbiParameter, decodeFunctionData, type Hex } from 'viem'
import { intermediaryAbi, intermediaryFactoryAbi } from '../contracts/generated'
import { jsonArgs } from '../lib/channelEvents'
import { contractErrorsAbi, decodeContractError } from '../lib/contractErrors'

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
