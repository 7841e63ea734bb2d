import { maxUint256 } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { channelStateFromJson } from '../../channel'
import { channelEntity } from '../../columns/channel'
import { sameType } from '../../columns/sameType'
import { channelSummarySchema } from '../../explorer/api'
import { type SqlTable, sqlName } from './codec'
import { blockTable, recentBlockTable } from './codecs/block'
import { channelChanging, channelFromRow, channelTable } from './codecs/channel'
import { eventTable } from './codecs/event'
import { transactionTable } from './codecs/transaction'

/** A stored channel with every uint256 at its extreme, and a terminating, redeeming state. */
const channel = {
  address: '0x00000000000000000000000000000000000000c1',
  consumer: '0x00000000000000000000000000000000000000a1',
  provider: '0x00000000000000000000000000000000000000b1',
  costPerRequest: maxUint256,
  redemptionTimeout: 60n,
  terminationTimeout: 120n,
  consumerFunds: maxUint256 - 1n,
  providerFunds: 0n,
  activeTokenId: 3n,
  expiringTokenId: 2n,
  redeemableAt: 1_765_000_000n,
  lastTokenId: 3n,
  terminatesAt: 1_765_000_100n,
  terminated: false,
  terminatedBy: null,
  openedBlock: 12n,
  openedTx: `0x${'ab'.repeat(32)}`,
  openedAt: 1_764_000_000n,
  totalDeposited: maxUint256,
  totalRedeemed: 5n,
  totalRequests: 9n * maxUint256,
  totalWithdrawn: 0n,
  redemptions: 1,
  eventCount: 7,
  lastEventBlock: 40n,
  contractVersion: 2,
  prices: [maxUint256, 1n] as bigint[],
} as const satisfies ReturnType<typeof channelEntity.decode>

/** What Prisma gives for the channel: Decimal columns as objects with an exact `toFixed()`. */
const row = Object.fromEntries(
  Object.entries(channel).map(([k, v]) => [
    k,
    channelEntity.columns[k as keyof typeof channel].sql === 'numeric'
      ? { toFixed: () => String(v) }
      : Array.isArray(v)
        ? v.map((x) => ({ toFixed: () => String(x) }))
        : v,
  ]),
)

describe('column codecs', () => {
  it('decode() turns Decimal(78,0) columns into exact bigints and keeps the rest', () => {
    expect(channelEntity.decode(row as never)).toEqual(channel)
  })

  it('channelFromRow() answers decimal strings, ISO seconds and the phase, and the schema accepts it', () => {
    const summary = channelFromRow({ chainId: 1, ...row } as never)
    expect(summary).toMatchObject({
      costPerRequest: maxUint256.toString(),
      totalRequests: (9n * maxUint256).toString(),
      openedAt: '2025-11-24T16:00:00.000Z',
      redemptions: '1',
      phase: 'terminating',
      terminatedBy: null,
      contractVersion: '2',
      prices: [maxUint256.toString(), '1'],
    })
    expect(summary).not.toHaveProperty('eventCount')
    expect(channelSummarySchema.parse(summary)).toEqual(summary)
  })

  it('channelStateFromJson() gives back the contract state of the answer, exactly', () => {
    const state = channelStateFromJson(channelFromRow({ chainId: 1, ...row } as never))
    expect(state).toEqual({
      address: channel.address,
      consumer: channel.consumer,
      provider: channel.provider,
      costPerRequest: maxUint256,
      redemptionTimeout: 60n,
      terminationTimeout: 120n,
      consumerFunds: maxUint256 - 1n,
      providerFunds: 0n,
      activeTokenId: 3n,
      expiringTokenId: 2n,
      redeemableAt: 1_765_000_000n,
      lastTokenId: 3n,
      terminatesAt: 1_765_000_100n,
      terminated: false,
    })
  })

  it('sqlTable().encode() writes bigints as decimal strings keyed by SQL name', () => {
    const encoded = channelTable.encode(channel)
    expect(encoded.cost_per_request).toBe(maxUint256.toString())
    expect(encoded.opened_at).toBe('1764000000')
    expect(encoded.terminated_by).toBeNull()
    expect(encoded.event_count).toBe(7)
    expect(sqlName('maxPriorityFeePerGas')).toBe('max_priority_fee_per_gas')
    expect(channelChanging).toContain('consumer_funds')
    // A v2 channel's price per request follows its active price table.
    expect(channelChanging).toContain('cost_per_request')
    expect(channelChanging).not.toContain('opened_block')
    expect(encoded.prices).toEqual([maxUint256.toString(), '1'])
  })

  it('sameType() compiles only for the same type', () => {
    sameType<{ a: bigint }, { a: bigint }>()
    // @ts-expect-error a column list that decodes to another type does not compile
    sameType<{ a: bigint }, { a: string }>()
  })
})

describe('column codecs against the migrations', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await database.drop()
  })

  const tables: SqlTable<never>[] = [blockTable, recentBlockTable, transactionTable, eventTable, channelTable]
  it.each(tables.map((t) => [t.table, t] as const))(
    'sqlTable(%s) names only columns the table has, with their types',
    async (_name, table) => {
      const columns = await database.db.$queryRawUnsafe<{ name: string; type: string }[]>(
        `SELECT column_name AS name, CASE data_type WHEN 'ARRAY' THEN substr(udt_name, 2) || '[]' WHEN 'integer' THEN 'int'
           ELSE data_type END AS type
         FROM information_schema.columns WHERE table_name = $1`,
        table.table,
      )
      const actual = new Map(columns.map((c) => [`"${c.name}"`, c.type]))
      for (const [i, name] of table.names.entries()) {
        expect(actual.has(name), `${table.table}.${name}`).toBe(true)
        expect(table.definitions[i]).toBe(`${name} ${actual.get(name)}`)
      }
      // Every column but the chain id is written.
      expect(table.names.length).toBe(columns.length - 1)
    },
  )
})
