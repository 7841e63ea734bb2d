import type { IndexedChannel } from '../lib/channelEvents'
import type { DomainOf } from '../lib/columns/entity'
import type { Columns } from '../lib/columns/kinds'
import type { Db } from '../lib/server/db/client'
import type { SqlTable } from '../lib/server/db/codec'
import { blockTable, recentBlockTable } from '../lib/server/db/codecs/block'
import { channelChanging, channelTable } from '../lib/server/db/codecs/channel'
import { eventTable } from '../lib/server/db/codecs/event'
import { transactionTable } from '../lib/server/db/codecs/transaction'
import type { Batch } from './batch'

/** A connection or a transaction: what the bulk writes need. */
export type Sql = Pick<Db, '$executeRawUnsafe' | '$queryRawUnsafe'>

/**
 * `INSERT ... SELECT FROM json_to_recordset($2)`: all rows of a table as one JSON parameter
 * (uint256 as decimal strings, see `SqlTable.encode`), parsed by Postgres; faster than
 * per-column arrays. Returns how many rows were inserted.
 */
function insertJson<C extends Columns>(
  sql: Sql,
  chainId: number,
  table: SqlTable<C>,
  values: DomainOf<C>[],
  onConflict = 'ON CONFLICT DO NOTHING',
): Promise<number> {
  if (values.length === 0) return Promise.resolve(0)
  const { names } = table
  return sql.$executeRawUnsafe(
    `INSERT INTO "${table.table}" ("chain_id",${names.join(',')})
     SELECT $1, ${names.map((n) => `r.${n}`).join(',')} FROM json_to_recordset($2::json) AS r(${table.definitions.join(',')})
     ${onConflict}`,
    chainId,
    JSON.stringify(values.map(table.encode)),
  )
}

/** Inserts a range's rows and the states of the channels it changed; returns how many events were new. */
export async function insertRows(sql: Sql, chainId: number, batch: Batch): Promise<number> {
  await insertJson(sql, chainId, blockTable, batch.blocks)
  await insertJson(
    sql,
    chainId,
    recentBlockTable,
    batch.recent,
    `ON CONFLICT ("chain_id","number") DO UPDATE SET "hash"=EXCLUDED."hash","parent_hash"=EXCLUDED."parent_hash","timestamp"=EXCLUDED."timestamp"`,
  )
  await sql.$executeRawUnsafe(
    `DELETE FROM "recent_block" WHERE "chain_id" = $1 AND "number" < $2::bigint`,
    chainId,
    batch.recentFrom.toString(),
  )
  await insertJson(sql, chainId, transactionTable, batch.transactions)
  const inserted = await insertJson(sql, chainId, eventTable, batch.events)
  await upsertChannels(sql, chainId, batch.channels)
  return inserted
}

/** Writes channel states: new channels are inserted, known ones get every column but their terms. */
export async function upsertChannels(sql: Sql, chainId: number, channels: IndexedChannel[]): Promise<void> {
  await insertJson(
    sql,
    chainId,
    channelTable,
    channels,
    `ON CONFLICT ("chain_id","address") DO UPDATE SET ${channelChanging.map((c) => `"${c}"=EXCLUDED."${c}"`).join(',')}`,
  )
}
