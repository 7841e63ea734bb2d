import type { Hex } from 'viem'
import { ChannelFold, decodeChannelEvent, type IndexedChannel } from '../lib/channelEvents'
import type { Db } from '../lib/server/db/client'

/**
 * Everything the indexer writes, through Prisma (raw SQL where rows go in bulk: one
 * `INSERT ... SELECT FROM unnest(...)` per table and range). A range's rows, the channel
 * states it changed and the cursor are written in one transaction, so a crash at any moment
 * leaves either all of a range or none of it; inserts also ignore rows already there.
 */

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0]
type Sql = Pick<Db, '$executeRawUnsafe' | '$queryRawUnsafe'>

export type BlockRow = {
  number: bigint
  hash: Hex
  parentHash: Hex
  timestamp: bigint
  miner: Hex
  gasUsed: bigint
  gasLimit: bigint
  baseFeePerGas: bigint | null
  size: bigint
  txCount: number
}

export type RecentRow = { number: bigint; hash: Hex; parentHash: Hex; timestamp: bigint }

export type TransactionRow = {
  hash: Hex
  blockHash: Hex
  blockNumber: bigint
  txIndex: number
  type: string
  from: Hex
  to: Hex | null
  contractAddress: Hex | null
  value: bigint
  nonce: bigint
  gasLimit: bigint
  gasPrice: bigint | null
  maxFeePerGas: bigint | null
  maxPriorityFeePerGas: bigint | null
  input: Hex
  status: 'success' | 'reverted'
  gasUsed: bigint
  effectiveGasPrice: bigint
  fee: bigint
  channel: Hex | null
  functionName: string | null
  functionArgs: string | null
  errorName: string | null
  errorArgs: string | null
  errorData: Hex | null
}

export type EventRow = {
  blockHash: Hex
  logIndex: number
  blockNumber: bigint
  blockTimestamp: bigint
  txHash: Hex
  txIndex: number
  address: Hex
  channel: Hex
  name: string
  /** JSON text of the decoded arguments. */
  args: string
  topics: Hex[]
  data: Hex
}

export type Cursor = { number: bigint; hash: Hex; timestamp: bigint }

export type Batch = {
  blocks: BlockRow[]
  recent: RecentRow[]
  transactions: TransactionRow[]
  events: EventRow[]
  /** Final state of every channel the range changed. */
  channels: IndexedChannel[]
  cursor: Cursor
  head: { number: bigint; timestamp: bigint }
  phase: 'backfill' | 'live'
  /** recent_block rows below this number are dropped (outside the finality window). */
  recentFrom: bigint
}

export type IndexerStateRow = {
  factoryAddress: Hex
  factoryBlock: bigint
  cursor: Cursor | null
  eventsIndexed: bigint
}

const s = (v: bigint | number | null) => (v === null ? null : v.toString())

export function createStore({ db, chainId }: { db: Db; chainId: number }) {
  const transaction = <T>(fn: (tx: Tx) => Promise<T>) =>
    db.$transaction(fn, { timeout: 120_000, maxWait: 30_000 })

  async function insertRows(sql: Sql, batch: Batch): Promise<void> {
    const { blocks, recent, transactions: txs, events, channels } = batch
    if (blocks.length > 0) {
      await sql.$executeRawUnsafe(
        `INSERT INTO "block" ("chain_id","number","hash","parent_hash","timestamp","miner","gas_used","gas_limit","base_fee_per_gas","size","tx_count")
         SELECT $1, * FROM unnest($2::bigint[],$3::text[],$4::text[],$5::bigint[],$6::text[],$7::numeric[],$8::numeric[],$9::numeric[],$10::bigint[],$11::int[])
         ON CONFLICT DO NOTHING`,
        chainId,
        blocks.map((b) => s(b.number)),
        blocks.map((b) => b.hash),
        blocks.map((b) => b.parentHash),
        blocks.map((b) => s(b.timestamp)),
        blocks.map((b) => b.miner),
        blocks.map((b) => s(b.gasUsed)),
        blocks.map((b) => s(b.gasLimit)),
        blocks.map((b) => s(b.baseFeePerGas)),
        blocks.map((b) => s(b.size)),
        blocks.map((b) => b.txCount),
      )
    }
    if (recent.length > 0) {
      await sql.$executeRawUnsafe(
        `INSERT INTO "recent_block" ("chain_id","number","hash","parent_hash","timestamp")
         SELECT $1, * FROM unnest($2::bigint[],$3::text[],$4::text[],$5::bigint[])
         ON CONFLICT ("chain_id","number") DO UPDATE SET "hash"=EXCLUDED."hash","parent_hash"=EXCLUDED."parent_hash","timestamp"=EXCLUDED."timestamp"`,
        chainId,
        recent.map((b) => s(b.number)),
        recent.map((b) => b.hash),
        recent.map((b) => b.parentHash),
        recent.map((b) => s(b.timestamp)),
      )
    }
    await sql.$executeRawUnsafe(
      `DELETE FROM "recent_block" WHERE "chain_id" = $1 AND "number" < $2::bigint`,
      chainId,
      s(batch.recentFrom),
    )
    if (txs.length > 0) {
      await sql.$executeRawUnsafe(
        `INSERT INTO "transaction" ("chain_id","hash","block_hash","block_number","tx_index","type","from","to","contract_address","value","nonce","gas_limit","gas_price","max_fee_per_gas","max_priority_fee_per_gas","input","status","gas_used","effective_gas_price","fee","channel","function_name","function_args","error_name","error_args","error_data")
         SELECT $1, * FROM unnest($2::text[],$3::text[],$4::bigint[],$5::int[],$6::text[],$7::text[],$8::text[],$9::text[],$10::numeric[],$11::bigint[],$12::numeric[],$13::numeric[],$14::numeric[],$15::numeric[],$16::text[],$17::text[],$18::numeric[],$19::numeric[],$20::numeric[],$21::text[],$22::text[],$23::jsonb[],$24::text[],$25::jsonb[],$26::text[])
         ON CONFLICT DO NOTHING`,
        chainId,
        txs.map((t) => t.hash),
        txs.map((t) => t.blockHash),
        txs.map((t) => s(t.blockNumber)),
        txs.map((t) => t.txIndex),
        txs.map((t) => t.type),
        txs.map((t) => t.from),
        txs.map((t) => t.to),
        txs.map((t) => t.contractAddress),
        txs.map((t) => s(t.value)),
        txs.map((t) => s(t.nonce)),
        txs.map((t) => s(t.gasLimit)),
        txs.map((t) => s(t.gasPrice)),
        txs.map((t) => s(t.maxFeePerGas)),
        txs.map((t) => s(t.maxPriorityFeePerGas)),
        txs.map((t) => t.input),
        txs.map((t) => t.status),
        txs.map((t) => s(t.gasUsed)),
        txs.map((t) => s(t.effectiveGasPrice)),
        txs.map((t) => s(t.fee)),
        txs.map((t) => t.channel),
        txs.map((t) => t.functionName),
        txs.map((t) => t.functionArgs),
        txs.map((t) => t.errorName),
        txs.map((t) => t.errorArgs),
        txs.map((t) => t.errorData),
      )
    }
    if (events.length > 0) {
      await sql.$executeRawUnsafe(
        `INSERT INTO "event" ("chain_id","block_hash","log_index","block_number","block_timestamp","tx_hash","tx_index","address","channel","name","args","topics","data")
         SELECT $1, e.bh, e.li, e.bn, e.bt, e.th, e.ti, e.ad, e.ch, e.nm, e.ar, string_to_array(e.tp, ','), e.dt
         FROM unnest($2::text[],$3::int[],$4::bigint[],$5::bigint[],$6::text[],$7::int[],$8::text[],$9::text[],$10::text[],$11::jsonb[],$12::text[],$13::text[])
           AS e(bh, li, bn, bt, th, ti, ad, ch, nm, ar, tp, dt)
         ON CONFLICT DO NOTHING`,
        chainId,
        events.map((e) => e.blockHash),
        events.map((e) => e.logIndex),
        events.map((e) => s(e.blockNumber)),
        events.map((e) => s(e.blockTimestamp)),
        events.map((e) => e.txHash),
        events.map((e) => e.txIndex),
        events.map((e) => e.address),
        events.map((e) => e.channel),
        events.map((e) => e.name),
        events.map((e) => e.args),
        events.map((e) => e.topics.join(',')),
        events.map((e) => e.data),
      )
    }
    await upsertChannels(sql, channels)
  }

  async function upsertChannels(sql: Sql, channels: IndexedChannel[]): Promise<void> {
    if (channels.length === 0) return
    const c = channels
    await sql.$executeRawUnsafe(
      `INSERT INTO "channel" ("chain_id","address","consumer","provider","cost_per_request","redemption_timeout","termination_timeout","opened_block","opened_tx","opened_at","consumer_funds","provider_funds","active_token_id","expiring_token_id","redeemable_at","last_token_id","terminates_at","terminated","terminated_by","total_deposited","total_redeemed","total_requests","total_withdrawn","redemptions","event_count","last_event_block")
       SELECT $1, * FROM unnest($2::text[],$3::text[],$4::text[],$5::numeric[],$6::numeric[],$7::numeric[],$8::bigint[],$9::text[],$10::bigint[],$11::numeric[],$12::numeric[],$13::numeric[],$14::numeric[],$15::numeric[],$16::numeric[],$17::numeric[],$18::bool[],$19::text[],$20::numeric[],$21::numeric[],$22::numeric[],$23::numeric[],$24::int[],$25::int[],$26::bigint[])
       ON CONFLICT ("chain_id","address") DO UPDATE SET
         "consumer_funds"=EXCLUDED."consumer_funds","provider_funds"=EXCLUDED."provider_funds",
         "active_token_id"=EXCLUDED."active_token_id","expiring_token_id"=EXCLUDED."expiring_token_id",
         "redeemable_at"=EXCLUDED."redeemable_at","last_token_id"=EXCLUDED."last_token_id",
         "terminates_at"=EXCLUDED."terminates_at","terminated"=EXCLUDED."terminated","terminated_by"=EXCLUDED."terminated_by",
         "total_deposited"=EXCLUDED."total_deposited","total_redeemed"=EXCLUDED."total_redeemed",
         "total_requests"=EXCLUDED."total_requests","total_withdrawn"=EXCLUDED."total_withdrawn",
         "redemptions"=EXCLUDED."redemptions","event_count"=EXCLUDED."event_count","last_event_block"=EXCLUDED."last_event_block"`,
      chainId,
      c.map((x) => x.address),
      c.map((x) => x.consumer),
      c.map((x) => x.provider),
      c.map((x) => s(x.costPerRequest)),
      c.map((x) => s(x.redemptionTimeout)),
      c.map((x) => s(x.terminationTimeout)),
      c.map((x) => s(x.openedBlock)),
      c.map((x) => x.openedTx),
      c.map((x) => s(x.openedAt)),
      c.map((x) => s(x.consumerFunds)),
      c.map((x) => s(x.providerFunds)),
      c.map((x) => s(x.activeTokenId)),
      c.map((x) => s(x.expiringTokenId)),
      c.map((x) => s(x.redeemableAt)),
      c.map((x) => s(x.lastTokenId)),
      c.map((x) => s(x.terminatesAt)),
      c.map((x) => x.terminated),
      c.map((x) => x.terminatedBy),
      c.map((x) => s(x.totalDeposited)),
      c.map((x) => s(x.totalRedeemed)),
      c.map((x) => s(x.totalRequests)),
      c.map((x) => s(x.totalWithdrawn)),
      c.map((x) => x.redemptions),
      c.map((x) => x.eventCount),
      c.map((x) => s(x.lastEventBlock)),
    )
  }

  return {
    /** The indexer's row for this chain, or null before its first start. */
    async loadState(): Promise<IndexerStateRow | null> {
      const row = await db.indexerState.findUnique({ where: { chainId } })
      if (!row) return null
      return {
        factoryAddress: row.factoryAddress as Hex,
        factoryBlock: row.factoryBlock,
        cursor:
          row.cursorNumber === null
            ? null
            : { number: row.cursorNumber, hash: row.cursorHash as Hex, timestamp: row.cursorTimestamp ?? 0n },
        eventsIndexed: row.eventsIndexed,
      }
    },

    /** Starts (or restarts) indexing for `factory`: forgets the cursor when the factory changed. */
    async initState({ factory, factoryBlock }: { factory: Hex; factoryBlock: bigint }): Promise<void> {
      await db.indexerState.upsert({
        where: { chainId },
        create: { chainId, factoryAddress: factory, factoryBlock },
        update: { startedAt: new Date(), updatedAt: new Date() },
      })
    },

    /** Every channel of the chain with its indexed state. */
    async loadChannels(): Promise<Map<string, IndexedChannel>> {
      const rows = await db.channel.findMany({ where: { chainId } })
      const big = (d: { toFixed(): string }) => BigInt(d.toFixed())
      return new Map(
        rows.map((r) => [
          r.address,
          {
            address: r.address as Hex,
            consumer: r.consumer as Hex,
            provider: r.provider as Hex,
            costPerRequest: big(r.costPerRequest),
            redemptionTimeout: big(r.redemptionTimeout),
            terminationTimeout: big(r.terminationTimeout),
            consumerFunds: big(r.consumerFunds),
            providerFunds: big(r.providerFunds),
            activeTokenId: big(r.activeTokenId),
            expiringTokenId: big(r.expiringTokenId),
            redeemableAt: big(r.redeemableAt),
            lastTokenId: big(r.lastTokenId),
            terminatesAt: big(r.terminatesAt),
            terminated: r.terminated,
            openedBlock: r.openedBlock,
            openedTx: r.openedTx as Hex,
            openedAt: r.openedAt,
            terminatedBy: r.terminatedBy as Hex | null,
            totalDeposited: big(r.totalDeposited),
            totalRedeemed: big(r.totalRedeemed),
            totalRequests: big(r.totalRequests),
            totalWithdrawn: big(r.totalWithdrawn),
            redemptions: r.redemptions,
            eventCount: r.eventCount,
            lastEventBlock: r.lastEventBlock,
          },
        ]),
      )
    },

    /** Hashes of the recent blocks, newest first. */
    async recentBlocks(): Promise<RecentRow[]> {
      const rows = await db.recentBlock.findMany({ where: { chainId }, orderBy: { number: 'desc' } })
      return rows.map((r) => ({
        number: r.number,
        hash: r.hash as Hex,
        parentHash: r.parentHash as Hex,
        timestamp: r.timestamp,
      }))
    },

    /** Writes one range and moves the cursor, atomically. */
    async writeBatch(batch: Batch): Promise<void> {
      await transaction(async (tx) => {
        await insertRows(tx, batch)
        await tx.indexerState.update({
          where: { chainId },
          data: {
            cursorNumber: batch.cursor.number,
            cursorHash: batch.cursor.hash,
            cursorTimestamp: batch.cursor.timestamp,
            headNumber: batch.head.number,
            headTimestamp: batch.head.timestamp,
            phase: batch.phase,
            eventsIndexed: { increment: batch.events.length },
            lastError: null,
            lastErrorAt: null,
            updatedAt: new Date(),
          },
        })
      })
    },

    /**
     * Removes everything above `ancestor` (a reorg), recomputes the channels those rows touched
     * from their remaining events, and moves the cursor back; one transaction.
     */
    async rollbackTo(ancestor: RecentRow): Promise<{ events: number; blocks: number; channels: number }> {
      return transaction(async (tx) => {
        const above = ancestor.number.toString()
        const touched = await tx.$queryRawUnsafe<{ channel: string }[]>(
          `SELECT DISTINCT "channel" FROM "event" WHERE "chain_id" = $1 AND "block_number" > $2::bigint`,
          chainId,
          above,
        )
        const events = await tx.$executeRawUnsafe(
          `DELETE FROM "event" WHERE "chain_id" = $1 AND "block_number" > $2::bigint`,
          chainId,
          above,
        )
        await tx.$executeRawUnsafe(
          `DELETE FROM "transaction" WHERE "chain_id" = $1 AND "block_number" > $2::bigint`,
          chainId,
          above,
        )
        const blocks = await tx.$executeRawUnsafe(
          `DELETE FROM "block" WHERE "chain_id" = $1 AND "number" > $2::bigint`,
          chainId,
          above,
        )
        await tx.$executeRawUnsafe(
          `DELETE FROM "recent_block" WHERE "chain_id" = $1 AND "number" > $2::bigint`,
          chainId,
          above,
        )
        await tx.$executeRawUnsafe(
          `DELETE FROM "channel" WHERE "chain_id" = $1 AND "opened_block" > $2::bigint`,
          chainId,
          above,
        )
        const channels = await replayChannels(
          tx,
          touched.map((t) => t.channel),
        )
        await upsertChannels(tx, channels)
        await tx.indexerState.update({
          where: { chainId },
          data: {
            cursorNumber: ancestor.number,
            cursorHash: ancestor.hash,
            cursorTimestamp: ancestor.timestamp,
            eventsIndexed: { decrement: events },
            reorgs: { increment: 1 },
            phase: 'live',
            updatedAt: new Date(),
          },
        })
        return { events, blocks, channels: channels.length }
      })
    },

    /** Deletes every row of this chain and starts over at `factory`; `reset` counts a chain reset. */
    async clearChain({
      factory,
      factoryBlock,
      reset = true,
    }: {
      factory: Hex
      factoryBlock: bigint
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
      await db.indexerState.update({
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
      })
    },

    async recordError(message: string): Promise<void> {
      await db.indexerState.updateMany({
        where: { chainId },
        data: { lastError: message.slice(0, 2_000), lastErrorAt: new Date(), updatedAt: new Date() },
      })
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
