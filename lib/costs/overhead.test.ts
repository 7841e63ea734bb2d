import { describe, expect, it } from 'vitest'
import { formatRatio, overheadRatio } from './overhead'
import { ACTION_BY_EVENT, ACTION_BY_SELECTOR } from './overheadActions'

describe('overhead figures', () => {
  it('overheadRatio() divides in bigint first: exact to 12 decimals past 2^53, null without value', () => {
    expect(overheadRatio(204_000_000_000_000n, 42_000_000_000_000n)).toBe(4.857142857142)
    expect(overheadRatio(10n ** 30n, 3n * 10n ** 29n)).toBe(3.333333333333)
    expect(overheadRatio(0n, 5n)).toBe(0)
    expect(overheadRatio(5n, 0n)).toBeNull()
  })

  it('formatRatio() reads a percentage below 1 and a multiple from 1 on', () => {
    expect(formatRatio(null)).toBe('—')
    expect(formatRatio(0.008)).toBe('0.8%')
    expect(formatRatio(0.125)).toBe('12.5%')
    expect(formatRatio(4.857142857142)).toBe('4.86×')
    expect(formatRatio(66_411.12)).toBe('66,400×')
  })

  it('ACTION_BY_SELECTOR sorts both contract versions’ functions, ACTION_BY_EVENT their events', () => {
    expect(Object.fromEntries(ACTION_BY_SELECTOR)).toEqual({
      '0x43be076e': 'open', // v1 open(address,uint256,uint256,uint256)
      '0xf1501e1f': 'open', // v2 factory's open
      '0xd0e30db0': 'fund', // deposit(), both versions
      '0x38b0ea85': 'redeem', // v1 startRedemption(uint256)
      '0xe77c646d': 'redeem', // v1 redeem(uint256,bytes)
      '0xa2f3d5e6': 'redeem',
      '0xe1acd622': 'redeem', // v2 redeemAndStartRedemption
      '0x75f915a6': 'redeem',
      '0xae65b5b8': 'redeem', // v2 startRedemptionWithPrices
      '0x3ccfd60b': 'withdraw',
      '0x6efaae6e': 'terminate', // startTermination()
      '0x0c08bf88': 'terminate', // terminate()
    })
    expect(ACTION_BY_EVENT.Deposited).toBe('fund')
    expect(ACTION_BY_EVENT.Terminated).toBe('terminate')
  })
})
