import fc from 'fast-check'
import { formatUnits, maxUint256 } from 'viem'
import { describe, expect, it } from 'vitest'
import { parseAmount, parseDuration } from './amounts'

/*
 * The amounts and durations a person types into the admin forms, converted exactly (bigint, no
 * floating point) or refused with a sentence that says why.
 */

const notANumber = (text: string) => ({
  ok: false,
  reason: `"${text}" is not a number: use digits and one decimal point.`,
})

describe('parseAmount', () => {
  it('parseAmount() converts ETH to wei exactly, down to 1 wei', () => {
    expect(parseAmount('0.000000000000000001', 'ETH')).toEqual({ ok: true, value: 1n })
    expect(parseAmount('1.5', 'ETH')).toEqual({ ok: true, value: 1_500_000_000_000_000_000n })
    expect(parseAmount('1', 'ETH')).toEqual({ ok: true, value: 10n ** 18n })
    expect(parseAmount('0.000000001', 'ETH')).toEqual({ ok: true, value: 1_000_000_000n })
    expect(parseAmount('123456789.123456789123456789', 'ETH')).toEqual({
      ok: true,
      value: 123_456_789_123_456_789_123_456_789n,
    })
  })

  it('parseAmount() accepts a leading or trailing decimal point', () => {
    expect(parseAmount('.5', 'ETH')).toEqual({ ok: true, value: 500_000_000_000_000_000n })
    expect(parseAmount('1.', 'ETH')).toEqual({ ok: true, value: 10n ** 18n })
    expect(parseAmount('.000000000000000001', 'ETH')).toEqual({ ok: true, value: 1n })
  })

  it('parseAmount() ignores underscores, inner and surrounding spaces and leading zeros', () => {
    expect(parseAmount('1_000', 'wei')).toEqual({ ok: true, value: 1_000n })
    expect(parseAmount('1_000', 'ETH')).toEqual({ ok: true, value: 1_000n * 10n ** 18n })
    expect(parseAmount('  2.5  ', 'gwei')).toEqual({ ok: true, value: 2_500_000_000n })
    expect(parseAmount('1 000 000', 'wei')).toEqual({ ok: true, value: 1_000_000n })
    expect(parseAmount('007', 'wei')).toEqual({ ok: true, value: 7n })
  })

  it('parseAmount() converts gwei and wei exactly', () => {
    expect(parseAmount('1', 'gwei')).toEqual({ ok: true, value: 1_000_000_000n })
    expect(parseAmount('0.000000001', 'gwei')).toEqual({ ok: true, value: 1n })
    expect(parseAmount('12.345', 'gwei')).toEqual({ ok: true, value: 12_345_000_000n })
    expect(parseAmount('42', 'wei')).toEqual({ ok: true, value: 42n })
    expect(parseAmount('0', 'wei')).toEqual({ ok: true, value: 0n })
    expect(parseAmount('0.0', 'ETH')).toEqual({ ok: true, value: 0n })
  })

  it('parseAmount() accepts trailing zeros beyond the unit decimals, since they add nothing', () => {
    expect(parseAmount('1.0000000000000000000000', 'ETH')).toEqual({ ok: true, value: 10n ** 18n })
    expect(parseAmount('5.000', 'wei')).toEqual({ ok: true, value: 5n })
  })

  it('parseAmount() accepts the largest uint256 in wei exactly and refuses one more', () => {
    expect(parseAmount(maxUint256.toString(), 'wei')).toEqual({ ok: true, value: maxUint256 })
    expect(parseAmount((maxUint256 + 1n).toString(), 'wei')).toEqual({
      ok: false,
      reason: 'The amount is larger than a uint256 can hold.',
    })
    expect(parseAmount(formatUnits(maxUint256, 18), 'ETH')).toEqual({ ok: true, value: maxUint256 })
    expect(parseAmount(formatUnits(maxUint256 + 1n, 18), 'ETH')).toEqual({
      ok: false,
      reason: 'The amount is larger than a uint256 can hold.',
    })
  })

  it('parseAmount() refuses an empty amount', () => {
    expect(parseAmount('', 'ETH')).toEqual({ ok: false, reason: 'Enter an amount.' })
    expect(parseAmount('   ', 'wei')).toEqual({ ok: false, reason: 'Enter an amount.' })
  })

  it('parseAmount() refuses a negative amount', () => {
    expect(parseAmount('-1', 'ETH')).toEqual({ ok: false, reason: 'An amount cannot be negative.' })
    expect(parseAmount(' -0.5', 'gwei')).toEqual({ ok: false, reason: 'An amount cannot be negative.' })
  })

  it('parseAmount() refuses what is not a plain decimal', () => {
    expect(parseAmount('1e18', 'wei')).toEqual(notANumber('1e18'))
    expect(parseAmount('1.2.3', 'ETH')).toEqual(notANumber('1.2.3'))
    expect(parseAmount('abc', 'ETH')).toEqual(notANumber('abc'))
    expect(parseAmount('0x10', 'wei')).toEqual(notANumber('0x10'))
    expect(parseAmount('+1', 'ETH')).toEqual(notANumber('+1'))
    expect(parseAmount('1,5', 'ETH')).toEqual(notANumber('1,5'))
    expect(parseAmount('.', 'ETH')).toEqual(notANumber('.'))
    expect(parseAmount('_', 'ETH')).toEqual(notANumber('_'))
  })

  it('parseAmount() refuses a fraction finer than 1 wei with the unit in the sentence', () => {
    expect(parseAmount('0.0000000000000000001', 'ETH')).toEqual({
      ok: false,
      reason: 'ETH has at most 18 decimals; anything finer is less than 1 wei.',
    })
    expect(parseAmount('1.0000000001', 'gwei')).toEqual({
      ok: false,
      reason: 'gwei has at most 9 decimals; anything finer is less than 1 wei.',
    })
    expect(parseAmount('1.5', 'wei')).toEqual({
      ok: false,
      reason: 'wei are whole: there is nothing smaller than 1 wei.',
    })
  })

  it('parseAmount() round-trips every uint256 written by viem formatUnits(wei, 18) exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: maxUint256 }), (wei) => {
        expect(parseAmount(formatUnits(wei, 18), 'ETH')).toEqual({ ok: true, value: wei })
      }),
      { numRuns: 2_000 },
    )
  })

  it('parseAmount() round-trips gwei written by viem formatUnits(wei, 9) exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: maxUint256 }), (wei) => {
        expect(parseAmount(formatUnits(wei, 9), 'gwei')).toEqual({ ok: true, value: wei })
      }),
      { numRuns: 1_000 },
    )
  })
})

describe('parseDuration', () => {
  it('parseDuration() converts each unit to whole seconds', () => {
    expect(parseDuration('90', 'seconds')).toEqual({ ok: true, value: 90n })
    expect(parseDuration('2', 'minutes')).toEqual({ ok: true, value: 120n })
    expect(parseDuration('1.5', 'minutes')).toEqual({ ok: true, value: 90n })
    expect(parseDuration('1.5', 'hours')).toEqual({ ok: true, value: 5_400n })
    expect(parseDuration('2', 'days')).toEqual({ ok: true, value: 172_800n })
    expect(parseDuration('0.5', 'days')).toEqual({ ok: true, value: 43_200n })
    expect(parseDuration('365', 'days')).toEqual({ ok: true, value: 31_536_000n })
    expect(parseDuration('.25', 'hours')).toEqual({ ok: true, value: 900n })
    expect(parseDuration('0', 'seconds')).toEqual({ ok: true, value: 0n })
  })

  it('parseDuration() accepts a fraction that still comes to whole seconds', () => {
    expect(parseDuration('1.0', 'seconds')).toEqual({ ok: true, value: 1n })
    expect(parseDuration('0.01', 'days')).toEqual({ ok: true, value: 864n })
    expect(parseDuration('0.25', 'seconds')).toEqual({
      ok: false,
      reason: 'The duration must come to whole seconds.',
    })
    expect(parseDuration('0.001', 'days')).toEqual({
      ok: false,
      reason: 'The duration must come to whole seconds.',
    })
  })

  it('parseDuration() refuses a fraction of a second', () => {
    const reason = 'The duration must come to whole seconds.'
    expect(parseDuration('0.5', 'seconds')).toEqual({ ok: false, reason })
    expect(parseDuration('0.01', 'minutes')).toEqual({ ok: false, reason })
    expect(parseDuration('1.0001', 'hours')).toEqual({ ok: false, reason })
  })

  it('parseDuration() refuses empty, negative and non-numeric durations', () => {
    expect(parseDuration('', 'hours')).toEqual({ ok: false, reason: 'Enter a duration.' })
    expect(parseDuration('-1', 'days')).toEqual({ ok: false, reason: 'A duration cannot be negative.' })
    expect(parseDuration('1h', 'hours')).toEqual(notANumber('1h'))
    expect(parseDuration('1.2.3', 'minutes')).toEqual(notANumber('1.2.3'))
    expect(parseDuration('1e3', 'seconds')).toEqual(notANumber('1e3'))
  })
})
