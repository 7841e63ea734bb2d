import { isAddress } from 'viem'
import { BadRequestError } from '../../errors'
import { INVALID_TEXT, textProblem } from './schemas'

/**
 * Longest path or query parameter any route reads (the longest any route expects is a
 * 66-character hash, or a search for one with some spaces around it).
 */
const MAX_PARAM_LENGTH = 512

/**
 * Refuses a path or query parameter that is not text (400 `invalid_text`: a control character
 * or a lone surrogate, see textProblem) or longer than MAX_PARAM_LENGTH (400
 * `invalid_request`), naming it as `what` ("The path parameter name").
 */
export function requireParamText(value: string, what: string): void {
  const problem = textProblem(value)
  if (problem !== null) throw new BadRequestError({ code: INVALID_TEXT, message: `${what} ${problem}.` })
  if (value.length > MAX_PARAM_LENGTH) {
    throw new BadRequestError({
      code: 'invalid_request',
      message: `${what} is longer than ${MAX_PARAM_LENGTH} characters.`,
    })
  }
}

/**
 * A route's path parameters as its handler receives them: each one text (see
 * {@link requireParamText}), and `{address}` an address (addressParam: 400 `invalid_address`,
 * lowercased). Both route runners (jsonRoute, runPaymentRoute) parse with it, so no route reads
 * a parameter unchecked. Without parameters, `raw` itself (no allocation on the fast path).
 */
export function pathParams(raw: Readonly<Record<string, string>>): Record<string, string> {
  let parsed: Record<string, string> | undefined
  for (const name in raw) {
    const value = raw[name] as string
    requireParamText(value, `The path parameter ${name}`)
    parsed ??= {}
    parsed[name] = name === 'address' ? addressParam(value) : value
  }
  return parsed ?? raw
}

/** Refuses a query whose parameters, names or values, are not text (see {@link requireParamText}). */
export function requireQueryText(query: URLSearchParams): void {
  for (const [name, value] of query) {
    requireParamText(name, 'The name of a query parameter')
    requireParamText(value, `The query parameter ${name}`)
  }
}

/** Largest page any list route answers. */
export const MAX_PAGE = 100

export function pageLimit(raw: string | null | undefined, fallback = 25): number {
  if (raw === null || raw === undefined || raw === '') return fallback
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PAGE) {
    throw new BadRequestError({
      code: 'invalid_request',
      message: `limit must be a whole number from 1 to ${MAX_PAGE}.`,
    })
  }
  return Number(raw)
}

export function blockNumberParam(raw: string): bigint {
  const text = raw.replace(/^#/, '').replaceAll(',', '')
  if (!/^\d{1,30}$/.test(text)) {
    throw new BadRequestError({
      code: 'invalid_block_number',
      message: `"${raw.slice(0, 80)}" is not a block number: use a whole number such as 1234.`,
    })
  }
  return BigInt(text)
}

export function txHashParam(raw: string): `0x${string}` {
  if (!/^0x[0-9a-fA-F]{64}$/.test(raw)) {
    throw new BadRequestError({
      code: 'invalid_hash',
      message: `"${raw.slice(0, 80)}" is not a transaction hash: expected 0x and 64 hex digits.`,
    })
  }
  return raw.toLowerCase() as `0x${string}`
}

/** A path or query parameter that must be an address (400 `invalid_address` otherwise), lowercased. */
export function addressParam(raw: string): `0x${string}` {
  if (!isAddress(raw, { strict: false })) {
    throw new BadRequestError({
      code: 'invalid_address',
      message: `"${raw.slice(0, 80)}" is not an address: expected 0x and 40 hex digits.`,
    })
  }
  return raw.toLowerCase() as `0x${string}`
}

export const invalidCursor = () =>
  new BadRequestError({ code: 'invalid_cursor', message: 'The cursor is not one this API gave out.' })

/** Cursor of the form `<a>:<b>` with two non-negative integers (e.g. block number and position). */
export function pairCursor(raw: string | null | undefined): [bigint, bigint] | null {
  if (!raw) return null
  const match = /^(\d{1,30}):(\d{1,10})$/.exec(raw)
  if (!match) throw invalidCursor()
  return [BigInt(match[1] as string), BigInt(match[2] as string)]
}

/**
 * The where-fragment for rows after a `<a>:<b>` cursor in (a desc, b desc) order: a lower `a`,
 * or the same `a` and a lower `b`. Empty without a cursor.
 */
export function keysetAfter(
  first: string,
  second: string,
  cursor: readonly [unknown, unknown] | null,
): object {
  if (!cursor) return {}
  const [a, b] = cursor
  return { OR: [{ [first]: { lt: a } }, { [first]: a, [second]: { lt: b } }] }
}

export function numberCursor(raw: string | null | undefined): bigint | null {
  if (!raw) return null
  if (!/^\d{1,30}$/.test(raw)) throw invalidCursor()
  return BigInt(raw)
}
