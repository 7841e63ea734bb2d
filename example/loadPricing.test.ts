import { describe, expect, it } from 'vitest'
import { type LoadPricingSettings, nextPercent, pricesAt } from './loadPricing'

const settings: LoadPricingSettings = {
  windowSeconds: 30,
  raiseAbove: 2,
  lowerBelow: 1,
  stepPercent: 50,
  maxPercent: 300,
}

describe('load pricing', () => {
  it('nextPercent() steps up above raiseAbove, down below lowerBelow, holds between, within 100 % and maxPercent', () => {
    const walk = (rates: number[]) => {
      let percent = 100
      return rates.map((rate) => {
        percent = nextPercent(percent, rate, settings)
        return percent
      })
    }
    expect(walk([3, 3, 1.5, 3, 3, 3, 2, 1, 0.5, 0.9, 0.9, 0.9, 0])).toEqual([
      150, 200, 200, 250, 300, 300, 300, 300, 250, 200, 150, 100, 100,
    ])
    // A bound below the base is the base: never a discount.
    expect(nextPercent(100, 10, { ...settings, maxPercent: 50 })).toBe(100)
  })

  it('pricesAt() is the base at a percent, in whole wei rounded down', () => {
    expect(pricesAt([10_000_000_000n, 40_000_000_000n, 3n], 150)).toEqual([
      15_000_000_000n,
      60_000_000_000n,
      4n,
    ])
  })
})
