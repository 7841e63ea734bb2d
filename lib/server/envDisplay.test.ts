import { describe, expect, it } from 'vitest'
import { parseEnv } from './env'

const refusal = (source: Record<string, string>) => {
  try {
    parseEnv(source)
  } catch (error) {
    return (error as Error).message
  }
  return null
}

describe('parseEnv() display currency', () => {
  it('parseEnv() keeps DISPLAY_CURRENCY and DISPLAY_RATE as written (the rate stays exact text)', () => {
    const env = parseEnv({ DISPLAY_CURRENCY: 'USD', DISPLAY_RATE: '3125.401234567890123456789' })
    expect(env.DISPLAY_CURRENCY).toBe('USD')
    expect(env.DISPLAY_RATE).toBe('3125.401234567890123456789')
    expect(parseEnv({}).DISPLAY_CURRENCY).toBeUndefined()
  })

  it('parseEnv() refuses a bad code, a bad or zero rate, and one of the two alone, naming the variable', () => {
    expect(refusal({ DISPLAY_CURRENCY: 'usd', DISPLAY_RATE: '1' })).toContain(
      'DISPLAY_CURRENCY: must be a three-letter ISO 4217 currency code such as USD',
    )
    for (const rate of ['3,125.40', '1e3', '-5', '']) {
      expect(refusal({ DISPLAY_CURRENCY: 'USD', DISPLAY_RATE: rate })).toContain(
        'DISPLAY_RATE: must be a decimal number such as 3125.40 (the currency per ETH)',
      )
    }
    expect(refusal({ DISPLAY_CURRENCY: 'USD', DISPLAY_RATE: '0.000' })).toContain(
      'DISPLAY_RATE: must be more than 0',
    )
    expect(refusal({ DISPLAY_CURRENCY: 'EUR' })).toBe(
      'Invalid environment:\n  DISPLAY_RATE: DISPLAY_CURRENCY and DISPLAY_RATE go together: set both, or neither',
    )
    expect(refusal({ DISPLAY_RATE: '2900' })).toContain(
      'DISPLAY_CURRENCY: DISPLAY_CURRENCY and DISPLAY_RATE go',
    )
  })
})
