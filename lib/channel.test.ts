import { describe, expect, it } from 'vitest'
import { expiringWindowClosesAt } from './channel'

describe('expiringWindowClosesAt()', () => {
  it('expiringWindowClosesAt() is the redemption start plus the tolerance', () => {
    // Started at 1000 with a 60 s timeout: redeemable at 1060, accepted until 1030.
    expect(
      expiringWindowClosesAt({ redeemableAt: 1060n, redemptionTimeout: 60n, toleranceSeconds: 30 }),
    ).toBe(1030n)
  })

  it('expiringWindowClosesAt() caps the tolerance at the redemption timeout', () => {
    expect(
      expiringWindowClosesAt({ redeemableAt: 1060n, redemptionTimeout: 60n, toleranceSeconds: 90 }),
    ).toBe(1060n)
    expect(expiringWindowClosesAt({ redeemableAt: 1060n, redemptionTimeout: 60n, toleranceSeconds: 0 })).toBe(
      1000n,
    )
  })
})
