import { describe, expect, it } from 'vitest'
import { createStaleMarks } from './staleMarks'

const A = '0x00000000000000000000000000000000000000aa'
/** `changed` of a write: the highest count of each token ID written. */
const wrote = (entries: Array<[bigint, bigint]>) =>
  new Map(entries.map(([tokenId, highest]) => [tokenId, { counts: { highest } }]))
const all = (...tokenIds: bigint[]) => new Map(tokenIds.map((id) => [id, null]))

describe('createStaleMarks()', () => {
  it('floor() is 0n until a write is a TTL old, then the highest count of that write', () => {
    const marks = createStaleMarks({ ttlMs: 60_000 })
    expect(marks.floor(A, 1n, 0)).toBe(0n)
    marks.written(A, wrote([[1n, 5n]]), all(1n), 0)
    expect(marks.floor(A, 1n, 59_999)).toBe(0n)
    expect(marks.floor(A, 1n, 60_000)).toBe(5n)
    expect(marks.floor(A, 2n, 60_000)).toBe(0n)
    expect(marks.floor('0xother', 1n, 60_000)).toBe(0n)
  })

  it('written() keeps one mark per quarter TTL, and the newest a TTL old is the floor', () => {
    const marks = createStaleMarks({ ttlMs: 60_000 })
    marks.written(A, wrote([[1n, 5n]]), all(1n), 0)
    marks.written(A, wrote([[1n, 6n]]), all(1n), 10_000) // within a quarter TTL: not marked
    marks.written(A, wrote([[1n, 8n]]), all(1n), 16_000)
    expect(marks.floor(A, 1n, 75_999)).toBe(5n)
    expect(marks.floor(A, 1n, 76_000)).toBe(8n)
  })

  it('written() drops the marks of token IDs the state no longer holds', () => {
    const marks = createStaleMarks({ ttlMs: 60_000 })
    marks.written(A, wrote([[1n, 5n]]), all(1n), 0)
    marks.written(A, wrote([[2n, 3n]]), all(2n), 1_000)
    expect(marks.floor(A, 1n, 120_000)).toBe(0n)
    expect(marks.floor(A, 2n, 120_000)).toBe(3n)
  })
})
