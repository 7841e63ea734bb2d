import { maxUint256 } from 'viem'
import { describe, expect, it } from 'vitest'
import { uint256 } from './schemas'

describe('uint256', () => {
  it('uint256 accepts decimal strings up to 2^256 - 1', () => {
    expect(uint256.parse('0')).toBe('0')
    expect(uint256.parse(maxUint256.toString())).toBe(maxUint256.toString())
  })

  it('uint256 refuses forms BigInt would read differently or not at all, with one message each, never throwing', () => {
    for (const value of ['1e3', '-1', '0x10', ' 1', '1.5', '', '01']) {
      const result = uint256.safeParse(value)
      expect(result.success, value).toBe(false)
      expect(result.error?.issues.map((i) => i.message)).toEqual([
        'must be a decimal integer string without leading zeros',
      ])
    }
  })

  it('uint256 refuses 2^256 with its own message', () => {
    const result = uint256.safeParse((maxUint256 + 1n).toString())
    expect(result.error?.issues.map((i) => i.message)).toEqual(['must fit in 256 bits'])
  })
})
