import { isAddress } from 'viem'
import { BadRequestError } from '../../errors'

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
