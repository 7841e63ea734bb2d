/**
 * The test wallet's JSON-RPC side in Node (see ./wallet.ts): its errors, the methods it signs or
 * refuses, and the conversions of the page's JSON parameters.
 */
import { BaseError } from 'viem'

export type RpcErrorShape = { code: number; message: string; data?: unknown }
export type Reply = { result: unknown } | { error: RpcErrorShape }

/** An EIP-1193 / JSON-RPC error answered to the page. */
export class WalletError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
  }
}

export const userRejected = () => new WalletError(4001, 'User rejected the request.')
export const unauthorized = (what: string) => new WalletError(4100, `E2E wallet: ${what}`)
export const invalidParams = (what: string) => new WalletError(-32602, `E2E wallet: ${what}`)

export const SIGNING_METHODS = new Set(['eth_sendTransaction', 'personal_sign', 'eth_signTypedData_v4'])
export const REFUSED_METHODS = new Set([
  'eth_sign',
  'eth_signTransaction',
  'eth_signTypedData',
  'eth_signTypedData_v1',
  'eth_signTypedData_v3',
])

/** A hex (or decimal) quantity as a bigint; undefined stays undefined. */
export function quantity(value: unknown): bigint | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'bigint') return value
  if (typeof value === 'number' || typeof value === 'string') return BigInt(value)
  throw invalidParams(`not a quantity: ${JSON.stringify(value)}`)
}

/** EIP-712 values with integer types as bigints (JSON brings them as numbers, decimal or hex strings). */
export function normalizeTyped(
  type: string,
  value: unknown,
  types: Record<string, { name: string; type: string }[]>,
) {
  const array = /^(.*)\[\d*\]$/.exec(type)
  if (array) {
    if (!Array.isArray(value)) throw invalidParams(`${type} is not an array`)
    return value.map((item): unknown => normalizeTyped(array[1]!, item, types))
  }
  const struct = types[type]
  if (struct) {
    const record = (value ?? {}) as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const field of struct) out[field.name] = normalizeTyped(field.type, record[field.name], types)
    return out
  }
  if (/^u?int\d*$/.test(type)) return quantity(value)
  return value
}

/** The JSON-RPC error a failure becomes (viem errors keep the node's code and data). */
export function toRpcError(error: unknown): RpcErrorShape {
  if (error instanceof WalletError) return { code: error.code, message: error.message, data: error.data }
  if (error instanceof BaseError) {
    const withCode = error.walk((e) => typeof (e as { code?: unknown }).code === 'number') as unknown as {
      code: number
    } | null
    const withData = error.walk((e) => (e as { data?: unknown }).data !== undefined) as unknown as {
      data?: unknown
    } | null
    return {
      code: withCode?.code ?? -32603,
      message: error.shortMessage || error.message,
      data: withData?.data,
    }
  }
  return { code: -32603, message: error instanceof Error ? error.message : String(error) }
}
