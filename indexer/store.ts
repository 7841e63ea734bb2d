import type { Hex } from 'viem'
import { ChannelFold, decodeChannelEvent, type IndexedChannel } from '../lib/channelEvents'
import { recentBlockEntity } from '../lib/columns/block'
import { channelEntity } from '../lib/columns/channel'
import type { Db } from '../lib/server/db/client'
import type { Batch, Cursor, RecentRow } from './batch'
import { insertRows, type Sql, upsertChannels } from './bulkWrite'
import type { FactoryRef } from './factories'
import type { WriteGuard } from './lease'

/**
 * Everything the indexer writes, through Prisma (raw SQL where rows go in bulk: one
 * `INSERT ... SELECT FROM json_to_recordset(...)` per table and range, see ./bulkWrite). A range's rows, the channel
 * states it changed and the cursor are written in one transaction, so a crash at any moment
 * leaves either all of a range or none of it; inserts also ignore rows already there.
 */

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0]

export type IndexerStateRow = {
  factoryAddress: Hex
  factoryBlock: bigint
  /** The v2 factory indexed beside v1's; null: none. */
  factoryV2: FactoryRef | null
  cursor: Cursor | null
  eventsIndexed: bigint
}

export type CreateStoreParameters = {
  db: Db
  chainId: number
  /**
   * The lease's guard (./lease.ts) around every write transaction: `begin` first, `fence` last
   * (it throws when this instance no longer leads, which rolls the write back). None for a
   * lone indexer (tests, benchmarks).
   */
  guard?: WriteGuard
}

export function createStore({ db, chainId, guard }: CreateStoreParameters) {
  const transaction = <T>(fn: (tx: Tx) => Promise<T>) =>
    db.$transaction(
      async (tx) => {
        await guard?.begin(tx)
        const result = await fn(tx)
        await guard?.fence(tx)
        return result
      },
      { timeout: 120_000, maxWait: 30_000 },
    )

  return {
    /** The indexer's row for this chain, or null before its first start. */
    async loadState(): Promise<IndexerStateRow | null> {
      const row = await db.indexerState.findUnique({ where: { chainId } })
      if (!row) return null
      return {
        factoryAddress: row.factoryAddress as Hex,
        factoryBlock: row.factoryBlock,
        factoryV2:
          row.factoryV2Address === null || row.factoryV2Block === null
            ? null
            : { address: row.factoryV2Address as Hex, blockNumber: row.factoryV2Block },
        cursor:
          row.cursorNumber === null
            ? null
            : { number: row.cursorNumber, hash: row.cursorHash as Hex, timestamp: row.cursorTimestamp ?? 0n },
        eventsIndexed: row.eventsIndexed,
      }
    },

    /** Creates the chain's row on its first start (with the factories then known); else records a start. */
    async initState({
      factory,
      factoryBlock,
      factoryV2 = null,
    }: {
      factory: Hex
      factoryBlock: bigint
      factoryV2?: FactoryRef | null
    }): Promise<void> {
      await transaction((tx) =>
        tx.indexerState.upsert({
          where: { chainId },
          create: { chainId, factoryAddress: factory, factoryBlock, ...factoryV2Columns(factoryV2) },
          update: { startedAt: new Date(), updatedAt: new Date() },
        }),
      )
    },

    /** Every channel of the chain with its indexed state. */
    async loadChannels(): Promise<Map<string, IndexedChannel>> {
      const rows = await db.channel.findMany({ where: { chainId } })
      return new Map(rows.map((r) => [r.address, channelEntity.decode(r)]))
    },

    /** Hashes of the recent blocks, newest first. */
    async recentBlocks(): Promise<RecentRow[]> {
      const rows = await db.recentBlock.findMany({ where: { chainId }, orderBy: { number: 'desc' } })
      return rows.map(recentBlockEntity.decode)
    },

    /** Writes one range and moves the cursor, atomically; returns how many events were new. */
    async writeBatch(batch: Batch): Promise<number> {
      return transaction(async (tx) => {
        const inserted = await insertRows(tx, chainId, batch)
        await tx.indexerState.update({
          where: { chainId },
          data: {
            cursorNumber: batch.cursor.number,
            cursorHash: batch.cursor.hash,
            cursorTimestamp: batch.cursor.timestamp,
            headNumber: batch.head.number,
            headTimestamp: batch.head.timestamp,
            phase: batch.phase,
            // Rows that were already there (a rerun range) are not counted twice.
            eventsIndexed: { increment: inserted },
            lastError: null,
            lastErrorAt: null,
            updatedAt: new Date(),
          },
        })
        return inserted
      })
    },

    /** Records the v2 factory, followed from now on (the index holds nothing from its block on). */
    async setFactoryV2(factoryV2: FactoryRef): Promise<void> {
      await transaction((tx) =>
        tx.indexerState.update({
          where: { chainId },
          data: { ...factoryV2Columns(factoryV2), updatedAt: new Date() },
        }),
      )
    },

    /**
     * Removes everything above `ancestor` (a reorg), recomputes the channels those rows touched
     * from their remaining events, and moves the cursor back; one transaction. With `factoryV2`
     * it is no reorg but the start of a v2 factory's following (recorded in the same transaction).
     */
    async rollbackTo(
      ancestor: RecentRow,
      { factoryV2 }: { factoryV2?: FactoryRef } = {},
    ): Promise<{ events: number; blocks: number; channels: number }> {
      return transaction(async (tx) => {
        const above = ancestor.number.toString()
        const touched = await tx.$queryRawUnsafe<{ channel: string }[]>(
          `SELECT DISTINCT "channel" FROM "event" WHERE "chain_id" = $1 AND "block_number" > $2::bigint`,
          chainId,
          above,
        )
        const deleteAbove = (table: string, column = 'block_number') =>
          tx.$executeRawUnsafe(
            `DELETE FROM "${table}" WHERE "chain_id" = $1 AND "${column}" > $2::bigint`,
            chainId,
            above,
          )
        const events = await deleteAbove('event')
        await deleteAbove('transaction')
        const blocks = await deleteAbove('block', 'number')
        await deleteAbove('recent_block', 'number')
        await deleteAbove('channel', 'opened_block')
        const channels = await replayChannels(
          tx,
          touched.map((t) => t.channel),
        )
        await upsertChannels(tx, chainId, channels)
        await tx.indexerState.update({
          where: { chainId },
          data: {
            cursorNumber: ancestor.number,
            cursorHash: ancestor.hash,
            cursorTimestamp: ancestor.timestamp,
            eventsIndexed: { decrement: events },
            ...(factoryV2 ? factoryV2Columns(factoryV2) : { reorgs: { increment: 1 }, phase: 'live' }),
            updatedAt: new Date(),
          },
        })
        return { events, blocks, channels: channels.length }
      })
    },

    /** Deletes every row of this chain and starts over at the factories; `reset` counts a chain reset. */
    async clearChain({
      factory,
      factoryBlock,
      factoryV2 = null,
      reset = true,
    }: {
      factory: Hex
      factoryBlock: bigint
      factoryV2?: FactoryRef | null
      reset?: boolean
    }): Promise<void> {
      await transaction(async (tx) => {
        for (const table of ['event', 'transaction', 'block', 'recent_block', 'channel']) {
          await tx.$executeRawUnsafe(`DELETE FROM "${table}" WHERE "chain_id" = $1`, chainId)
        }
        await tx.indexerState.update({
          where: { chainId },
          data: {
            factoryAddress: factory,
            factoryBlock,
            ...factoryV2Columns(factoryV2),
            cursorNumber: null,
            cursorHash: null,
            cursorTimestamp: null,
            phase: 'backfill',
            eventsIndexed: 0,
            resets: { increment: reset ? 1 : 0 },
            updatedAt: new Date(),
          },
        })
      })
    },

    /** Records the head and that the indexer is alive (when there is nothing new to write). */
    async heartbeat(p: { head: { number: bigint; timestamp: bigint }; phase: 'backfill' | 'live' }) {
      await transaction((tx) =>
        tx.indexerState.update({
          where: { chainId },
          // Only called after a successful round: an error recorded before is over.
          data: {
            headNumber: p.head.number,
            headTimestamp: p.head.timestamp,
            phase: p.phase,
            lastError: null,
            lastErrorAt: null,
            updatedAt: new Date(),
          },
        }),
      )
    },

    async recordError(message: string): Promise<void> {
      await transaction((tx) =>
        tx.indexerState.updateMany({
          where: { chainId },
          data: { lastError: message.slice(0, 2_000), lastErrorAt: new Date(), updatedAt: new Date() },
        }),
      )
    },
  }

  /** The state of `addresses` from their stored events, replayed in chain order. */
  async function replayChannels(sql: Sql, addresses: string[]): Promise<IndexedChannel[]> {
    if (addresses.length === 0) return []
    const rows = await sql.$queryRawUnsafe<
      {
        channel: string
        block_number: bigint
        block_timestamp: bigint
        tx_hash: string
        topics: string[]
        data: string
      }[]
    >(
      `SELECT "channel","block_number","block_timestamp","tx_hash","topics","data" FROM "event"
       WHERE "chain_id" = $1 AND "channel" = ANY($2::text[]) ORDER BY "block_number","log_index"`,
      chainId,
      addresses,
    )
    const fold = new ChannelFold()
    for (const row of rows) {
      const event = decodeChannelEvent(row.topics as Hex[], row.data as Hex)
      if (!event) continue
      fold.apply(row.channel, event, {
        blockNumber: BigInt(row.block_number),
        blockTimestamp: BigInt(row.block_timestamp),
        txHash: row.tx_hash as Hex,
      })
    }
    return fold.changed()
  }
}

export type Store = ReturnType<typeof createStore>

function factoryV2Columns(factoryV2: FactoryRef | null) {
  return { factoryV2Address: factoryV2?.address ?? null, factoryV2Block: factoryV2?.blockNumber ?? null }
}
