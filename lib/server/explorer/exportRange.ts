import { BadRequestError } from '../../errors'
import type { ServerContext } from '../context'
import type { BlockRange } from './addresses'

/**
 * The query of the explorer's CSV exports: an optional range of blocks or of UTC dates, and the
 * most rows the file may hold. Bad values are refused with a 400 that names the parameter.
 */

/** The most rows one CSV export writes (Blockscout's exports stop at 10,000; an address here may have 100k). */
export const MAX_EXPORT_ROWS = 100_000

/** Largest block number Postgres's int8 holds: a larger one is no block of any chain. */
const MAX_BLOCK = 2n ** 63n - 1n

/** What an export was asked for, checked. */
export type ExportQuery = {
  blocks: { from: bigint | null; to: bigint | null }
  dates: { from: Date | null; to: Date | null }
  limit: number
}

const badRange = (message: string) => new BadRequestError({ code: 'invalid_range', message })

function blockParam(raw: string | null, name: string): bigint | null {
  if (raw === null || raw === '') return null
  if (!/^\d{1,19}$/.test(raw) || BigInt(raw) > MAX_BLOCK) {
    throw badRange(`${name} must be a block number from 0 to ${MAX_BLOCK}; got "${raw.slice(0, 40)}".`)
  }
  return BigInt(raw)
}

/**
 * A UTC date (`2026-12-07`, the whole day) or time (`2026-12-07T09:20:00Z`, seconds and
 * fraction optional). `end`: a bare date stands for the end of its day.
 */
function dateParam(raw: string | null, name: string, end: boolean): Date | null {
  if (raw === null || raw === '') return null
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?Z)?$/.exec(raw)
  const date = match ? new Date(match[4] ? raw : `${raw}T00:00:00Z`) : null
  // The round trip refuses what Date would roll over (2026-02-30, 25:00).
  if (
    !match ||
    !date ||
    Number.isNaN(date.getTime()) ||
    date.toISOString().slice(0, 10) !== raw.slice(0, 10)
  ) {
    throw badRange(
      `${name} must be a UTC date (2026-12-07) or time (2026-12-07T09:20:00Z); got "${raw.slice(0, 40)}".`,
    )
  }
  if (match[4] && (Number(match[4]) > 23 || Number(match[5]) > 59 || Number(match[6] ?? 0) > 59)) {
    throw badRange(`${name} is not a time of day; got "${raw.slice(0, 40)}".`)
  }
  return end && !match[4] ? new Date(date.getTime() + 86_400_000 - 1) : date
}

function limitParam(raw: string | null): number {
  if (raw === null || raw === '') return MAX_EXPORT_ROWS
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_EXPORT_ROWS) {
    throw new BadRequestError({
      code: 'invalid_request',
      message: `limit must be a whole number from 1 to ${MAX_EXPORT_ROWS.toLocaleString('en-US')}; got "${raw.slice(0, 40)}".`,
    })
  }
  return Number(raw)
}

/**
 * The export's query: `fromBlock`/`toBlock` or `fromDate`/`toDate` (not both kinds for one
 * end), and `limit` (default and most {@link MAX_EXPORT_ROWS}). 400 `invalid_range` or
 * `invalid_request` with a sentence naming the parameter.
 */
export function exportQuery(query: URLSearchParams): ExportQuery {
  const blocks = {
    from: blockParam(query.get('fromBlock'), 'fromBlock'),
    to: blockParam(query.get('toBlock'), 'toBlock'),
  }
  const dates = {
    from: dateParam(query.get('fromDate'), 'fromDate', false),
    to: dateParam(query.get('toDate'), 'toDate', true),
  }
  for (const end of ['from', 'to'] as const) {
    if (blocks[end] !== null && dates[end] !== null) {
      throw badRange(`Give ${end}Block or ${end}Date, not both.`)
    }
  }
  if (blocks.from !== null && blocks.to !== null && blocks.from > blocks.to) {
    throw badRange(`fromBlock (${blocks.from}) is after toBlock (${blocks.to}).`)
  }
  if (dates.from && dates.to && dates.from > dates.to) {
    throw badRange(`fromDate (${dates.from.toISOString()}) is after toDate (${dates.to.toISOString()}).`)
  }
  return { blocks, dates, limit: limitParam(query.get('limit')) }
}

/**
 * The blocks an export covers: its block bounds, its dates as the first and last indexed block
 * inside them (no block inside: an empty range), and at most `indexed`, so every page of one
 * export reads the same blocks while the indexer goes on.
 */
export async function exportBlocks(
  ctx: ServerContext,
  { chainId, indexed, query }: { chainId: number; indexed: bigint | null; query: ExportQuery },
): Promise<BlockRange> {
  const seconds = (d: Date) => BigInt(Math.floor(d.getTime() / 1000))
  const [first, last] = await Promise.all([
    query.dates.from &&
      ctx.db.block.findFirst({
        where: { chainId, timestamp: { gte: seconds(query.dates.from) } },
        orderBy: { number: 'asc' },
        select: { number: true },
      }),
    query.dates.to &&
      ctx.db.block.findFirst({
        where: { chainId, timestamp: { lte: seconds(query.dates.to) } },
        orderBy: { number: 'desc' },
        select: { number: true },
      }),
  ])
  const empty = { from: 1n, to: 0n }
  if ((query.dates.from && !first) || (query.dates.to && !last)) return empty
  const from = first?.number ?? query.blocks.from
  const upper = last?.number ?? query.blocks.to
  const to = indexed !== null && (upper === null || upper > indexed) ? indexed : upper
  return from !== null && to !== null && from > to ? empty : { from, to }
}
