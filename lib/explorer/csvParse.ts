/**
 * Reads RFC 4180 CSV (as csv.ts writes it) back into rows of cells, the quoting undone; a cell
 * csvCell prefixed with `'` keeps it (a spreadsheet shows it too). For the exports' tests and
 * for anyone checking a downloaded file.
 *
 * @example parseCsv('a,b\r\n"x,y",2\r\n') // [['a', 'b'], ['x,y', '2']]
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (quoted) {
      if (c !== '"') cell += c
      else if (text[i + 1] === '"') {
        cell += '"'
        i++
      } else quoted = false
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(cell)
      cell = ''
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
    } else cell += c
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell])
  return rows
}
