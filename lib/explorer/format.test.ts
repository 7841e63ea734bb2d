import { maxUint256 } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  argHint,
  formatDuration,
  formatGwei,
  formatNumber,
  formatPercent,
  formatUtc,
  formatWei,
  plural,
  shortAddress,
  shortHash,
  unixToIso,
  weiUnit,
} from './format'

describe('formatWei()', () => {
  it('formatWei() shows ETH for large amounts, every digit kept', () => {
    expect(formatWei('1500000000000000000')).toBe('1.5 ETH')
    expect(formatWei('1000000000000000000')).toBe('1 ETH')
    expect(formatWei('1000000000000000001')).toBe('1.000000000000000001 ETH')
    expect(formatWei('123456789000000000000000')).toBe('123,456.789 ETH')
  })

  it('formatWei() shows gwei for mid amounts and wei for small ones', () => {
    expect(formatWei('10000000000')).toBe('10 gwei')
    expect(formatWei('1000000007')).toBe('1.000000007 gwei')
    expect(formatWei('21000000000000')).toBe('21,000 gwei')
    expect(formatWei('999999')).toBe('999,999 wei')
    expect(formatWei('1')).toBe('1 wei')
    expect(formatWei('0')).toBe('0 ETH')
  })

  it('formatWei() keeps uint256 max exactly', () => {
    expect(formatWei(maxUint256.toString())).toBe(
      '115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457.584007913129639935 ETH',
    )
    expect(formatWei(maxUint256, 'wei')).toBe(`${formatNumber(maxUint256)} wei`)
  })

  it('formatWei() is exact beyond 2^53, where floats are not', () => {
    const beyond = 2n ** 53n + 1n // 9007199254740993, which a float rounds to …992
    expect(formatWei(beyond.toString(), 'wei')).toBe('9,007,199,254,740,993 wei')
    expect(formatWei(beyond.toString())).toBe('0.009007199254740993 ETH')
  })

  it('formatWei() takes a fixed unit', () => {
    expect(formatWei('21000000000000', 'ETH')).toBe('0.000021 ETH')
    expect(formatWei('1500000000000000000', 'gwei')).toBe('1,500,000,000 gwei')
    expect(formatGwei('875000000')).toBe('0.875 gwei')
  })

  it('weiUnit() picks ETH from 0.0001 ETH and gwei from 0.001 gwei', () => {
    expect(weiUnit('100000000000000')).toBe('ETH')
    expect(weiUnit('99999999999999')).toBe('gwei')
    expect(weiUnit('1000000')).toBe('gwei')
    expect(weiUnit('999999')).toBe('wei')
  })
})

describe('formatNumber()', () => {
  it('formatNumber() groups thousands exactly', () => {
    expect(formatNumber('0')).toBe('0')
    expect(formatNumber('999')).toBe('999')
    expect(formatNumber('1000')).toBe('1,000')
    expect(formatNumber('30000000')).toBe('30,000,000')
    expect(formatNumber(2n ** 64n)).toBe('18,446,744,073,709,551,616')
    expect(formatNumber(-1234n)).toBe('-1,234')
  })
})

describe('formatPercent()', () => {
  it('formatPercent() gives one decimal, rounded down, and a dash for a zero whole', () => {
    expect(formatPercent('15000000', '30000000')).toBe('50.0%')
    expect(formatPercent('21000', '30000000')).toBe('0.0%')
    expect(formatPercent('2', '3')).toBe('66.6%')
    expect(formatPercent(maxUint256, maxUint256)).toBe('100.0%')
    expect(formatPercent('1', '0')).toBe('—')
  })
})

describe('short forms', () => {
  it('shortHash() and shortAddress() keep both ends', () => {
    const hash = `0x${'ab'.repeat(31)}cdef`
    expect(shortHash(hash)).toBe('0xababab…cdef')
    expect(shortAddress('0x1234567890abcdef1234567890abcdef12345678')).toBe('0x1234…5678')
    expect(shortAddress('0x12')).toBe('0x12')
  })
})

describe('formatDuration()', () => {
  it('formatDuration() writes the two largest units', () => {
    expect(formatDuration(0)).toBe('0 s')
    expect(formatDuration(0.9)).toBe('0 s')
    expect(formatDuration(45)).toBe('45 s')
    expect(formatDuration(200)).toBe('3 min 20 s')
    expect(formatDuration(180)).toBe('3 min')
    expect(formatDuration(3_605)).toBe('1 h')
    expect(formatDuration(7_500)).toBe('2 h 5 min')
    expect(formatDuration(90_000)).toBe('1 d 1 h')
    expect(formatDuration(-200)).toBe('3 min 20 s')
  })
})

describe('times and words', () => {
  it('formatUtc() and unixToIso() read UTC', () => {
    expect(formatUtc('2026-11-21T09:30:53.000Z')).toBe('2026-11-21 09:30:53 UTC')
    // The one format at three precisions, from ISO text or unix seconds.
    expect(formatUtc(1796635253, 'minute')).toBe('2026-12-07 09:20 UTC')
    expect(formatUtc('2026-12-07T09:20:53Z', 'day')).toBe('2026-12-07')
    expect(formatUtc(1796635253, 'minute', { zone: false })).toBe('2026-12-07 09:20')
    expect(unixToIso('1700000000')).toBe('2023-11-14T22:13:20.000Z')
  })

  it('plural() agrees with the count', () => {
    expect(plural('1', 'transaction')).toBe('1 transaction')
    expect(plural('0', 'transaction')).toBe('0 transactions')
    expect(plural('1200', 'block')).toBe('1,200 blocks')
  })
})

describe('argHint()', () => {
  it('argHint() reads wei amounts, unix times and timeouts from argument names', () => {
    expect(argHint({ name: 'amount', type: 'uint256', value: '10000000000000000' })).toBe('0.01 ETH')
    expect(argHint({ name: 'costPerRequest', type: 'uint256', value: '1000000000' })).toBe('1 gwei')
    expect(argHint({ name: 'redeemableAt', type: 'uint256', value: '1700000000' })).toBe(
      '2023-11-14 22:13:20 UTC',
    )
    expect(argHint({ name: 'redemptionTimeout', type: 'uint256', value: '3600' })).toBe('1 h')
    expect(argHint({ name: 'tokenId', type: 'uint256', value: '7' })).toBeNull()
    expect(argHint({ name: 'amount', type: 'address', value: '0xab' })).toBeNull()
    expect(argHint({ name: 'terminatesAt', type: 'uint256', value: '0' })).toBeNull()
  })
})
