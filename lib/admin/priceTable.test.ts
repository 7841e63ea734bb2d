import type { Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { validateOpenChannel } from './openChannel'
import { type CategoryRowInput, checkPriceTable, MAX_CATEGORIES, newPricesProblem } from './priceTable'
import { seconds, wei } from './testing'

/*
 * The open form's price table (version 2 channels) and the new table of a price change: exact
 * prices, one sentence per refused row (the factory's and the channel's own verdicts on the same
 * input: walletV2.anvil.test.ts).
 */

const row = (name: string, text: string, unit: 'wei' | 'gwei' | 'ETH' = 'wei'): CategoryRowInput => ({
  name,
  price: { text, unit },
})

describe('checkPriceTable', () => {
  it('checkPriceTable() turns named rows into the exact prices in order, names trimmed', () => {
    expect(
      checkPriceTable([row(' small ', '1', 'gwei'), row('large.v2', '0.000000000000005', 'ETH')]),
    ).toEqual({
      ok: true,
      value: { names: ['small', 'large.v2'], prices: [1_000_000_000n, 5_000n] },
    })
  })

  it('checkPriceTable() takes 1 and 8 categories and refuses 0 and 9 with the contract sentence', () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => row(`c${i}`, String(i + 1)))
    expect(checkPriceTable(rows(1)).ok).toBe(true)
    expect(checkPriceTable(rows(MAX_CATEGORIES)).ok).toBe(true)
    expect(checkPriceTable(rows(0))).toEqual({
      ok: false,
      table: 'A price table has 1 to 8 categories; this one has 0.',
      rows: [],
    })
    const nine = checkPriceTable(rows(9))
    expect(nine.ok ? null : nine.table).toBe('A price table has 1 to 8 categories; this one has 9.')
  })

  it('checkPriceTable() names each bad row and field: empty, invalid, duplicate names; zero, fractional, malformed prices', () => {
    const result = checkPriceTable([
      row('small', '0'),
      row('', '1.5'),
      row('-dash', '2', 'gwei'),
      row('small', 'x'),
      row('a'.repeat(41), '3'),
      row('ok_name-1.2', '4'),
    ])
    expect(result).toEqual({
      ok: false,
      table: null,
      rows: [
        { price: 'The price per request must be more than 0 wei.' },
        {
          name: 'Name the category (e.g. small, large).',
          price: 'wei are whole: there is nothing smaller than 1 wei.',
        },
        {
          name: 'A name is 1-40 letters, digits, dots, dashes or underscores, starting with a letter or digit.',
        },
        {
          name: 'Category 1 has this name already: names must differ.',
          price: '"x" is not a number: use digits and one decimal point.',
        },
        {
          name: 'A name is 1-40 letters, digits, dots, dashes or underscores, starting with a letter or digit.',
        },
        {},
      ],
    })
  })
})

describe('validateOpenChannel with a price table', () => {
  const consumer = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address
  const provider = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc' as Address
  const base = {
    provider,
    price: wei(''),
    deposit: wei(10_000n),
    redemptionTimeout: seconds(60n),
    terminationTimeout: seconds(600n),
  }

  it("validateOpenChannel() in table mode gives IntermediaryFactoryV2.open's prices and the names, ignoring the single price", () => {
    expect(
      validateOpenChannel(
        { ...base, mode: 'table', categories: [row('small', '1000'), row('large', '5000')] },
        { consumer },
      ),
    ).toEqual({
      ok: true,
      value: {
        provider,
        prices: [1_000n, 5_000n],
        names: ['small', 'large'],
        deposit: 10_000n,
        redemptionTimeout: 60n,
        terminationTimeout: 600n,
      },
    })
  })

  it('validateOpenChannel() in table mode reports the rows and the other fields together', () => {
    expect(
      validateOpenChannel(
        {
          ...base,
          mode: 'table',
          categories: [row('small', '1000'), row('small', '0')],
          terminationTimeout: seconds(100n),
        },
        { consumer },
      ),
    ).toEqual({
      ok: false,
      errors: {
        categoryRows: [
          {},
          {
            name: 'Category 1 has this name already: names must differ.',
            price: 'The price per request must be more than 0 wei.',
          },
        ],
        terminationTimeout:
          'The termination timeout must be at least 3 min (three redemption timeouts), so the provider can finish a pending redemption and redeem its last token before the consumer terminates.',
      },
    })
  })

  it('validateOpenChannel() in single mode (the default) still wants the single price', () => {
    const result = validateOpenChannel({ ...base, categories: [row('small', '1')] }, { consumer })
    expect(result).toEqual({ ok: false, errors: { price: 'Enter an amount.' } })
  })
})

describe('newPricesProblem', () => {
  it("newPricesProblem() accepts one non-zero price per category and otherwise says the contract's sentence", () => {
    expect(newPricesProblem([1n, 2n], 2n)).toBeNull()
    expect(newPricesProblem([1n], 2n)).toBe(
      'The channel has 2 categories; 1 were given (one price or count per category).',
    )
    expect(newPricesProblem([1n, 0n, 3n], 3n)).toBe('The price of category 2 must be more than 0 wei.')
  })
})
