import { describe, expect, it } from 'vitest'
import { frac } from './costs/fraction'
import { chooseUnit, exactWei, formatAmount, inUnit, parseRate, parseUnit, roundForReading } from './units'

const MAX = 2n ** 256n - 1n
const usd = { currency: 'USD', rate: '3125.40' }

describe('formatAmount()', () => {
  it('formatAmount() writes 0 and 1 wei in every unit', () => {
    expect(formatAmount({ wei: '0', unit: 'ETH' })).toBe('0 ETH')
    expect(formatAmount({ wei: '0', unit: 'USD', fiat: usd })).toBe('0 USD')
    expect(formatAmount({ wei: '1', unit: 'wei' })).toBe('1 wei')
    expect(formatAmount({ wei: '1', unit: 'gwei' })).toBe('0.000000001 gwei')
    // Below a billionth of the unit: a bound, never 18 decimals.
    expect(formatAmount({ wei: '1', unit: 'ETH' })).toBe('<0.000000001 ETH')
    expect(formatAmount({ wei: '-1', unit: 'ETH' })).toBe('>-0.000000001 ETH')
    expect(formatAmount({ wei: '1', unit: 'USD', fiat: usd })).toBe('<0.000000001 USD')
  })

  it('formatAmount() rounds to 4 significant digits, half away from zero', () => {
    expect(formatAmount({ wei: '1234567890123456789', unit: 'ETH' })).toBe('1.235 ETH')
    expect(formatAmount({ wei: '1234499999999999999', unit: 'ETH' })).toBe('1.234 ETH')
    expect(formatAmount({ wei: '1234500000000000000', unit: 'ETH' })).toBe('1.235 ETH')
    expect(formatAmount({ wei: '-1234500000000000000', unit: 'ETH' })).toBe('-1.235 ETH')
    // 9.9996 carries into a new digit: 10, not 10.000.
    expect(formatAmount({ wei: '9999600000000000000', unit: 'ETH' })).toBe('10 ETH')
    expect(formatAmount({ wei: '300000000000', unit: 'ETH' })).toBe('0.0000003 ETH')
    expect(formatAmount({ wei: '123456789', unit: 'gwei' })).toBe('0.1235 gwei')
    expect(formatAmount({ wei: '10000000000', unit: 'gwei' })).toBe('10 gwei')
  })

  it('formatAmount() keeps every whole digit from 1,000 up, with separators', () => {
    expect(formatAmount({ wei: '8000000000000000', unit: 'gwei' })).toBe('8,000,000 gwei')
    expect(formatAmount({ wei: '1234567890123456789', unit: 'gwei' })).toBe('1,234,567,890 gwei')
    expect(formatAmount({ wei: '1234567890123456789', unit: 'wei' })).toBe('1,234,567,890,123,456,789 wei')
    expect(formatAmount({ wei: '1234567890123456789', unit: 'wei', grouped: false, withUnit: false })).toBe(
      '1234567890123456789',
    )
  })

  it('formatAmount() writes 2^256-1 wei exactly in its whole digits', () => {
    expect(formatAmount({ wei: MAX, unit: 'wei', grouped: false, withUnit: false })).toBe(MAX.toString())
    // 115792089237316195423570985008687907853269984665640564039457.584007913129639935 ETH
    expect(formatAmount({ wei: MAX, unit: 'ETH', grouped: false, withUnit: false })).toBe(
      '115792089237316195423570985008687907853269984665640564039458',
    )
    expect(formatAmount({ wei: -MAX, unit: 'ETH' })).toMatch(/^-115,792,089,237,.*,039,458 ETH$/)
  })

  it('formatAmount() converts at a fiat rate as a fraction, never a float', () => {
    // 1 ETH at 3125.40, 0.5 ETH = 1,562.70: whole from 1,000 up. 0.0031 ETH = 9.68874: a currency
    // keeps at most 2 decimals from 1 up.
    expect(formatAmount({ wei: 10n ** 18n, unit: 'USD', fiat: usd })).toBe('3,125 USD')
    expect(formatAmount({ wei: 5n * 10n ** 17n, unit: 'USD', fiat: usd })).toBe('1,563 USD')
    expect(formatAmount({ wei: 4n * 10n ** 16n, unit: 'USD', fiat: usd })).toBe('125 USD')
    expect(formatAmount({ wei: 31n * 10n ** 14n, unit: 'USD', fiat: usd })).toBe('9.69 USD')
    // 10 gwei = 0.000031254 USD → 4 significant digits.
    expect(formatAmount({ wei: 10n ** 10n, unit: 'USD', fiat: usd })).toBe('0.00003125 USD')
    // A rate with many decimals: 1 ETH at 0.123456789012345678901 EUR stays exact to the last digit.
    const eur = { currency: 'EUR', rate: '0.123456789012345678901' }
    expect(inUnit(10n ** 18n, 'EUR', eur)).toEqual(parseRate(eur.rate))
    expect(formatAmount({ wei: 10n ** 18n, unit: 'EUR', fiat: eur })).toBe('0.1235 EUR')
    // 0.1 + 0.2 in floating point is 0.30000000000000004: here 3 wei at 0.1 and 0.2 sum exactly.
    const tenth = { currency: 'EUR', rate: '0.1' }
    expect(inUnit(3n * 10n ** 18n, 'EUR', tenth)).toEqual(frac(3n, 10n))
    expect(() => inUnit(1n, 'USD', null)).toThrow(RangeError)
  })

  it('formatAmount() writes negative changes for comparisons with their sign', () => {
    expect(formatAmount({ wei: '-7900000000000', unit: 'gwei' })).toBe('-7,900 gwei')
    expect(formatAmount({ wei: '-31590000000000', unit: 'ETH' })).toBe('-0.00003159 ETH')
    expect(formatAmount({ wei: '-31590000000000', unit: 'USD', fiat: usd })).toBe('-0.09873 USD')
  })
})

describe('roundForReading()', () => {
  it('roundForReading() bounds the decimals it writes', () => {
    expect(roundForReading({ value: frac(1n, 3n), maxDecimals: 9 })).toBe('0.3333')
    expect(roundForReading({ value: frac(2n, 3n), maxDecimals: 2 })).toBe('0.67')
    expect(roundForReading({ value: frac(1n, 1000n), maxDecimals: 2 })).toBe('<0.01')
    expect(roundForReading({ value: frac(1n, 3n), maxDecimals: 0 })).toBe('<1')
    expect(roundForReading({ value: frac(12345678n, 1000n), maxDecimals: 9 })).toBe('12,346')
  })
})

describe('chooseUnit()', () => {
  it("chooseUnit() picks the unit of the view's largest amount, by size", () => {
    expect(chooseUnit([])).toBe('ETH')
    expect(chooseUnit(['0', null, undefined, '1-2'])).toBe('ETH')
    expect(chooseUnit(['300000000000', '2000000000000000'])).toBe('ETH')
    expect(chooseUnit(['300000000000', '-99999999999999'])).toBe('gwei')
    expect(chooseUnit(['-100000000000000'])).toBe('ETH')
    expect(chooseUnit(['999999', 5n])).toBe('wei')
    expect(chooseUnit([1_000_000n])).toBe('gwei')
  })
})

describe('parseUnit() and parseRate()', () => {
  it('parseUnit() reads a unit in any case, fiat only when configured', () => {
    expect(parseUnit('eth', null)).toBe('ETH')
    expect(parseUnit('GWEI', null)).toBe('gwei')
    expect(parseUnit('usd', null)).toBeNull()
    expect(parseUnit('usd', usd)).toBe('USD')
    expect(parseUnit('btc', usd)).toBeNull()
    expect(parseUnit('', usd)).toBeNull()
  })

  it('parseRate() reads a positive decimal exactly, or null', () => {
    expect(parseRate('3125.40')).toEqual(frac(15627n, 5n))
    expect(parseRate('1')).toEqual(frac(1n))
    for (const bad of ['0', '0.00', '-1', '1e3', '1,5', '', '.5', 'abc']) expect(parseRate(bad)).toBeNull()
  })

  it('exactWei() writes every digit with separators', () => {
    expect(exactWei(MAX)).toBe(`${MAX.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')} wei`)
    expect(exactWei('-1000')).toBe('-1,000 wei')
  })
})
