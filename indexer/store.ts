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
  /** Named arguments, JSON-safe (uint256 as decimal strings). */
  functionArgs: Record<string, unknown> | null
  errorName: string | null
  errorArgs: Record<string, unknown> | null
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
  /** Decoded arguments, JSON-safe (uint256 as decimal strings). */
  args: Record<string, unknown>
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

/** A bigint as the decimal string the JSON rows carry (no JSON.stringify replacer: it is slow). */
const s = (v: bigint | null) => (v === null ? null : v.toString())

export function createStore({ db, chainId }: { db: Db; chainId: number }) {
  const transaction = <T>(fn: (tx: Tx) => Promise<T>) =>
    db.$transaction(fn, { timeout: 120_000, maxWait: 30_000 })

  /**
   * `INSERT ... SELECT FROM json_to_recordset($2)`: all rows of a table as one JSON parameter
   * (uint256 as decimal strings, see `s`), parsed by Postgres; faster than per-column arrays.
   * Returns how many rows were inserted.
   */
  function insertJson(
    sql: Sql,
    table: string,
    columns: Record<string, string>,
    rows: Record<string, unknown>[],
    onConflict = 'ON CONFLICT DO NOTHING',
  ): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0)
    const names = Object.keys(columns).map((c) => `"${c}"`)
    const types = Object.entries(columns).map(([c, type]) => `"${c}" ${type}`)
    return sql.$executeRawUnsafe(
      `INSERT INTO "${table}" ("chain_id",${names.join(',')})
       SELECT $1, ${names.map((n) => `r.${n}`).join(',')} FROM json_to_recordset($2::json) AS r(${types.join(',')})
       ${onConflict}`,
      chainId,
      JSON.stringify(rows),
    )
  }

  /** Inserts a range's rows; returns how many events were new. */
  async function insertRows(sql: Sql, batch: Batch): Promise<number> {
    await insertJson(
      sql,
      'block',
      {
        number: 'bigint',
        hash: 'text',
        parent_hash: 'text',
        timestamp: 'bigint',
        miner: 'text',
        gas_used: 'numeric',
        gas_limit: 'numeric',
        base_fee_per_gas: 'numeric',
        size: 'bigint',
        tx_count: 'int',
      },
      batch.blocks.map((b) => ({
        number: s(b.number),
        hash: b.hash,
        parent_hash: b.parentHash,
        timestamp: s(b.timestamp),
        miner: b.miner,
        gas_used: s(b.gasUsed),
        gas_limit: s(b.gasLimit),
        base_fee_per_gas: s(b.baseFeePerGas),
        size: s(b.size),
        tx_count: b.txCount,
      })),
    )
    await insertJson(
      sql,
      'recent_block',
      { number: 'bigint', hash: 'text', parent_hash: 'text', timestamp: 'bigint' },
      batch.recent.map((b) => ({
        number: s(b.number),
        hash: b.hash,
        parent_hash: b.parentHash,
        timestamp: s(b.timestamp),
      })),
      `ON CONFLICT ("chain_id","number") DO UPDATE SET "hash"=EXCLUDED."hash","parent_hash"=EXCLUDED."parent_hash","timestamp"=EXCLUDED."timestamp"`,
    )
    await sql.$executeRawUnsafe(
      `DELETE FROM "recent_block" WHERE "chain_id" = $1 AND "number" < $2::bigint`,
      chainId,
      batch.recentFrom.toString(),
    )
    await insertJson(
      sql,
      'transaction',
      {
        hash: 'text',
        block_hash: 'text',
        block_number: 'bigint',
        tx_index: 'int',
        type: 'text',
        from: 'text',
        to: 'text',
        contract_address: 'text',
        value: 'numeric',
        nonce: 'bigint',
        gas_limit: 'numeric',
        gas_price: 'numeric',
        max_fee_per_gas: 'numeric',
        max_priority_fee_per_gas: 'numeric',
        input: 'text',
        status: 'text',
        gas_used: 'numeric',
        effective_gas_price: 'numeric',
        fee: 'numeric',
        channel: 'text',
        function_name: 'text',
        function_args: 'jsonb',
        error_name: 'text',
        error_args: 'jsonb',
        error_data: 'text',
      },
      batch.transactions.map((t) => ({
        hash: t.hash,
        block_hash: t.blockHash,
        block_number: s(t.blockNumber),
        tx_index: t.txIndex,
        type: t.type,
        from: t.from,
        to: t.to,
        contract_address: t.contractAddress,
        value: s(t.value),
        nonce: s(t.nonce),
        gas_limit: s(t.gasLimit),
        gas_price: s(t.gasPrice),
        max_fee_per_gas: s(t.maxFeePerGas),
        max_priority_fee_per_gas: s(t.maxPriorityFeePerGas),
        input: t.input,
        status: t.status,
        gas_used: s(t.gasUsed),
        effective_gas_price: s(t.effectiveGasPrice),
        fee: s(t.fee),
        channel: t.channel,
        function_name: t.functionName,
        function_args: t.functionArgs,
        error_name: t.errorName,
        error_args: t.errorArgs,
        error_data: t.errorData,
      })),
    )
    const inserted = await insertJson(
      sql,
      'event',
      {
        block_hash: 'text',
        log_index: 'int',
        block_number: 'bigint',
        block_timestamp: 'bigint',
        tx_hash: 'text',
        tx_index: 'int',
        address: 'text',
        channel: 'text',
        name: 'text',
        args: 'jsonb',
        topics: 'text[]',
        data: 'text',
      },
      batch.events.map((e) => ({
        block_hash: e.blockHash,
        log_index: e.logIndex,
        block_number: s(e.blockNumber),
        block_timestamp: s(e.blockTimestamp),
        tx_hash: e.txHash,
        tx_index: e.txIndex,
        address: e.address,
        channel: e.channel,
        name: e.name,
        args: e.args,
        topics: e.topics,
        data: e.data,
      })),
    )
    await upsertChannels(sql, batch.channels)
    return inserted
  }

  async function upsertChannels(sql: Sql, channels: IndexedChannel[]): Promise<void> {
    const columns = {
      address: 'text',
      consumer: 'text',
      provider: 'text',
      cost_per_request: 'numeric',
      redemption_timeout: 'numeric',
      termination_timeout: 'numeric',
      opened_block: 'bigint',
      opened_tx: 'text',
      opened_at: 'bigint',
      consumer_funds: 'numeric',
      provider_funds: 'numeric',
      active_token_id: 'numeric',
      expiring_token_id: 'numeric',
      redeemable_at: 'numeric',
      last_token_id: 'numeric',
      terminates_at: 'numeric',
      terminated: 'boolean',
      terminated_by: 'text',
      total_deposited: 'numeric',
      total_redeemed: 'numeric',
      total_requests: 'numeric',
      total_withdrawn: 'numeric',
      redemptions: 'int',
      event_count: 'int',
      last_event_block: 'bigint',
    }
    // Everything after the terms changes with events.
    const changing = Object.keys(columns).slice(Object.keys(columns).indexOf('consumer_funds'))
    await insertJson(
      sql,
      'channel',
      columns,
      channels.map((c) => ({
        address: c.address,
        consumer: c.consumer,
        provider: c.provider,
        cost_per_request: s(c.costPerRequest),
        redemption_timeout: s(c.redemptionTimeout),
        termination_timeout: s(c.terminationTimeout),
        opened_block: s(c.openedBlock),
        opened_tx: c.openedTx,
        opened_at: s(c.openedAt),
        consumer_funds: s(c.consumerFunds),
        provider_funds: s(c.providerFunds),
        active_token_id: s(c.activeTokenId),
        expiring_token_id: s(c.expiringTokenId),
        redeemable_at: s(c.redeemableAt),
        last_token_id: s(c.lastTokenId),
        terminates_at: s(c.terminatesAt),
        terminated: c.terminated,
        terminated_by: c.terminatedBy,
        total_deposited: s(c.totalDeposited),
        total_redeemed: s(c.totalRedeemed),
        total_requests: s(c.totalRequests),
        total_withdrawn: s(c.totalWithdrawn),
        redemptions: c.redemptions,
        event_count: c.eventCount,
        last_event_block: s(c.lastEventBlock),
      })),
      `ON CONFLICT ("chain_id","address") DO UPDATE SET ${changing.map((c) => `"${c}"=EXCLUDED."${c}"`).join(',')}`,
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
        const inserted = await insertRows(tx, batch)
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
