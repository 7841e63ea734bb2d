import { describe, expect, it } from 'vitest'
import { argsCell, csvCell, csvLine } from './csv'
import { parseCsv } from './csvParse'

describe('csv', () => {
  it('csvCell() defuses what a spreadsheet would run as a formula, as OWASP says: a leading quote, the cell quoted', () => {
    expect(['=1+2', '+1', '-x', '@SUM(A1)', '\tcmd', '\rcmd', '=HYPERLINK("http://x")'].map(csvCell)).toEqual(
      [`"'=1+2"`, `"'+1"`, `"'-x"`, `"'@SUM(A1)"`, `"'\tcmd"`, `"'\rcmd"`, `"'=HYPERLINK(""http://x"")"`],
    )
  })

  it('csvCell() leaves numbers, addresses and times as they are and quotes separators and quotes', () => {
    expect(
      [
        '1234567890123456789012345',
        '-42',
        '0x5fbdb2315678afecb367f032d93f642f64180aa3',
        '2026-12-07T09:20:14.000Z',
        '',
      ].map(csvCell),
    ).toEqual([
      '1234567890123456789012345',
      '-42',
      '0x5fbdb2315678afecb367f032d93f642f64180aa3',
      '2026-12-07T09:20:14.000Z',
      '',
    ])
    expect(['a,b', 'a;b', 'say "hi"', 'two\nlines'].map(csvCell)).toEqual([
      '"a,b"',
      '"a;b"',
      '"say ""hi"""',
      '"two\nlines"',
    ])
  })

  it('parseCsv() reads back what csvLine() wrote, cell for cell', () => {
    const rows = [
      ['hash', 'args'],
      ['0xab', 'from=0x01 amount=5'],
      ['a,"b"', 'x\r\ny'],
      ['', '=1'],
    ]
    expect(parseCsv(rows.map(csvLine).join(''))).toEqual([...rows.slice(0, 3), ['', "'=1"]])
  })

  it('argsCell() writes decoded arguments as name=value pairs in ABI order, arrays bracketed', () => {
    expect(
      argsCell([
        { name: 'from', type: 'address', value: '0x00000000000000000000000000000000000000aa' },
        { name: 'amount', type: 'uint256', value: '5000' },
        { name: 'ok', type: 'bool', value: true },
        { name: 'prices', type: 'uint256[]', value: ['1', '2'] },
      ]),
    ).toBe('from=0x00000000000000000000000000000000000000aa amount=5000 ok=true prices=[1 2]')
  })
})
