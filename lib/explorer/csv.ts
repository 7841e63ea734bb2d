import type { ChannelEventRow, DecodedArg, TxSummary } from './api'

/**
 * CSV as the explorer's and the costs' exports write it (RFC 4180, CRLF lines, a header row of
 * column keys), safe to open in a spreadsheet. Client-safe: the exports' rows are built here from
 * the same answers the pages render, so a CSV row and a table row cannot say different things.
 */

/**
 * One CSV cell, safe against formula injection as OWASP's "CSV Injection" page says: a cell
 * starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` (so a
 * spreadsheet shows it as text and runs nothing) and quoted; a negative number (integer or
 * decimal, as the costs CSV's unit columns write them) is left as it is (a number, not a formula). A cell holding `"`, `,`, `;` or a line break is quoted, `"` doubled.
 *
 * @example csvCell('=1+2') // `"'=1+2"`
 */
export function csvCell(value: string): string {
  const formula = /^[=+@\t\r]/.test(value) || (value.startsWith('-') && !/^-\d+(\.\d+)?$/.test(value))
  const text = formula ? `'${value}` : value
  return formula || /[",;\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One CSV line (with its CRLF) of `cells`, each through {@link csvCell}. */
export const csvLine = (cells: readonly string[]): string => `${cells.map(csvCell).join(',')}\r\n`

/** A column of an export: its key (the header) and its cell from a row. */
export type CsvColumn<Row> = { key: string; cell: (row: Row) => string }

/** The header line and a row's line of `columns`. */
export function csvOf<Row>(columns: readonly CsvColumn<Row>[]) {
  return {
    header: csvLine(columns.map((c) => c.key)),
    line: (row: Row) => csvLine(columns.map((c) => c.cell(row))),
  }
}

/** A decoded argument's value as text: integers in decimal, addresses and bytes in full hex. */
const argText = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : Array.isArray(value)
      ? `[${value.map(argText).join(' ')}]`
      : String(value)

/** Decoded arguments in one cell: `name=value` pairs separated by spaces, in ABI order. */
export const argsCell = (args: readonly DecodedArg[]): string =>
  args.map((a) => `${a.name}=${argText(a.value)}`).join(' ')

/**
 * An address's transactions as `/api/address/{address}/transactions.csv` writes them (the
 * columns of Etherscan's and Blockscout's exports): full hashes and addresses, wei exact, the
 * block time in ISO 8601 UTC.
 */
export const txCsv = csvOf<TxSummary>([
  { key: 'hash', cell: (t) => t.hash },
  { key: 'block_number', cell: (t) => t.blockNumber },
  { key: 'tx_index', cell: (t) => t.txIndex },
  { key: 'timestamp_utc', cell: (t) => t.timestamp ?? '' },
  { key: 'from', cell: (t) => t.from },
  { key: 'to', cell: (t) => t.to ?? '' },
  { key: 'contract_address', cell: (t) => t.contractAddress ?? '' },
  { key: 'value_wei', cell: (t) => t.value },
  { key: 'fee_wei', cell: (t) => t.fee ?? '' },
  { key: 'status', cell: (t) => t.status },
  { key: 'method', cell: (t) => t.method ?? '' },
  { key: 'channel', cell: (t) => t.channel ?? '' },
])

/**
 * A channel's events as `/api/channels/{address}/events.csv` writes them: where each was
 * emitted, its name, and its decoded arguments in one `name=value` column.
 */
export const eventCsv = csvOf<ChannelEventRow>([
  { key: 'block_number', cell: (e) => e.blockNumber },
  { key: 'timestamp_utc', cell: (e) => e.timestamp },
  { key: 'tx_hash', cell: (e) => e.txHash },
  { key: 'log_index', cell: (e) => e.logIndex },
  { key: 'channel', cell: (e) => e.channel },
  { key: 'event', cell: (e) => e.name },
  { key: 'args', cell: (e) => argsCell(e.args) },
])
