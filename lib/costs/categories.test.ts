import { maxUint256 } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../test/kit/database'
import { type CategoryShare, categoryShares } from './categories'

/*
 * categoryShares() and its SQL twin (migration 0013: redeemed_category_shares, used by the
 * cost_rollup trigger for cost_category_hourly / _daily): the same split, to the wei.
 */

const sum = (shares: CategoryShare[]) => shares.reduce((s, x) => s + x.amount, 0n)

describe('categoryShares()', () => {
  it('categoryShares() gives each category its value when the amount is the full value', () => {
    expect(categoryShares([3n, 1n], [1_000n, 5_000n], 8_000n)).toEqual([
      { category: 0, amount: 3_000n, requests: 3n },
      { category: 1, amount: 5_000n, requests: 1n },
    ])
  })

  it('categoryShares() splits a capped amount pro rata, the floors’ remainder to the highest category with a value', () => {
    // Values 3,000 and 5,000 of 8,000; paid 4,001: floors 1,500 and 2,500, 1 wei left over.
    const shares = categoryShares([3n, 1n], [1_000n, 5_000n], 4_001n)
    expect(shares).toEqual([
      { category: 0, amount: 1_500n, requests: 3n },
      { category: 1, amount: 2_501n, requests: 1n },
    ])
    // Thirds: 10 wei over three equal values, the rest to category 2 (the last non-zero one).
    expect(categoryShares([1n, 1n, 1n, 0n], [7n, 7n, 7n, 9n], 10n).map((s) => s.amount)).toEqual([3n, 3n, 4n])
  })

  it('categoryShares() leaves out categories without requests and closed redemptions', () => {
    expect(categoryShares([0n, 2n, 0n], [1n, 2n, 3n], 4n)).toEqual([
      { category: 1, amount: 4n, requests: 2n },
    ])
    expect(categoryShares([], [], 0n)).toEqual([])
    // An empty channel: a token's full counts, nothing paid.
    expect(categoryShares([5n, 1n], [1n, 2n], 0n).map((s) => s.amount)).toEqual([0n, 0n])
  })

  it('categoryShares() always sums to the amount, up to uint256 values', () => {
    const requests = [maxUint256 / 3n, 1n, 12_345n]
    const prices = [2n, maxUint256 - 5n, 999n]
    for (const amount of [0n, 1n, 10n ** 18n, maxUint256 - 1n, maxUint256]) {
      expect(sum(categoryShares(requests, prices, amount))).toBe(amount)
    }
  })
})

/** A deterministic stream of bigints (xorshift), so a failure repeats. */
function numbers(seed: number) {
  let x = seed
  const next = () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return x >>> 0
  }
  return (max: bigint) => (BigInt(next()) * 2n ** 32n + BigInt(next())) % max
}

/** Redemptions as the contract emits them: counts, non-zero prices, the value capped at funds or not. */
function redemptions(count: number) {
  const random = numbers(29)
  return Array.from({ length: count }, (_, i) => {
    const n = 1 + Number(random(8n))
    const requests = Array.from({ length: n }, () => (random(3n) === 0n ? 0n : random(10n ** 6n)))
    const prices = Array.from({ length: n }, () => 1n + random(10n ** 15n))
    const value = requests.reduce((s, r, j) => s + r * prices[j]!, 0n)
    const capped = i % 2 === 1 && value > 0n
    return { requests, prices, amount: capped ? random(value) : value, capped }
  })
}

const argsOf = (r: { requests: bigint[]; prices: bigint[]; amount: bigint }) => ({
  tokenId: '1',
  requests: r.requests.map(String),
  prices: r.prices.map(String),
  amount: r.amount.toString(),
  consumerFunds: '0',
  providerFunds: r.amount.toString(),
})

type ShareRow = { category: number; share: string; requests: string }
const asRows = (shares: CategoryShare[]): ShareRow[] =>
  shares.map((s) => ({ category: s.category, share: s.amount.toString(), requests: s.requests.toString() }))

describe('the category rollups in Postgres (migration 0013)', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await database?.drop()
  })

  it('redeemed_category_shares() splits as categoryShares() does, capped and uncapped', async () => {
    const cases = redemptions(200)
    expect(cases.filter((c) => c.capped).length).toBeGreaterThan(50)
    const rows = await database.db.$queryRawUnsafe<
      { i: number; category: number; share: string; requests: string }[]
    >(
      `SELECT c.i::int AS i, s.category::int AS category, s.share::text AS share, s.requests::text AS requests
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS c(args, i)
       CROSS JOIN LATERAL redeemed_category_shares(c.args) AS s
       ORDER BY c.i, s.category`,
      JSON.stringify(cases.map(argsOf)),
    )
    for (const [i, c] of cases.entries()) {
      const fromSql = rows.filter((r) => r.i === i + 1).map(({ i: _, ...rest }) => rest)
      expect(fromSql, `case ${i}`).toEqual(asRows(categoryShares(c.requests, c.prices, c.amount)))
    }
    // A v1 Redeemed (requests is one number) has no categories.
    const v1 = await database.db.$queryRawUnsafe<unknown[]>(
      `SELECT * FROM redeemed_category_shares('{"requests":"5","amount":"10"}'::jsonb)`,
    )
    expect(v1).toEqual([])
  })

  it('the cost_rollup trigger adds capped and uncapped redemptions by category, and a delete takes them back', async () => {
    const db = database.db
    const uncapped = { requests: [3n, 0n, 2n], prices: [1_000n, 7n, 5_000n], amount: 13_000n }
    const capped = { requests: [1n, 1n, 1n], prices: [3n, 3n, 3n], amount: 8n } // 9 wei owed, 8 paid
    const hour = 1_765_000_800n
    const event = (logIndex: number, name: string, args: object) => ({ logIndex, name, args })
    const events = [
      event(0, 'Redeemed', argsOf(uncapped)),
      event(1, 'Redeemed', argsOf(capped)),
      event(2, 'Redeemed', {
        tokenId: '1',
        requests: '4',
        amount: '40',
        consumerFunds: '0',
        providerFunds: '40',
      }),
      event(3, 'Redeemed', argsOf({ requests: [], prices: [], amount: 0n })), // closed without a token
    ]
    const insert = () =>
      db.$executeRawUnsafe(
        `INSERT INTO event (chain_id, block_hash, log_index, block_number, block_timestamp, tx_hash, tx_index,
                            address, channel, name, args, topics, data)
         SELECT 7, '0xb1', e.log_index, 1, $1::bigint + e.log_index, '0xt', 0, '0xc', '0xc', e.name, e.args, '{}', '0x'
         FROM jsonb_to_recordset($2::jsonb) AS e(log_index int, name text, args jsonb)
         ON CONFLICT DO NOTHING`,
        hour.toString(),
        JSON.stringify(events.map((e) => ({ log_index: e.logIndex, name: e.name, args: e.args }))),
      )
    const categories = (table: string) =>
      db.$queryRawUnsafe<{ category: number; amount: string; requests: string; redemptions: number }[]>(
        `SELECT category::int AS category, amount::text AS amount, requests::text AS requests, redemptions
         FROM ${table} WHERE chain_id = 7 ORDER BY category`,
      )
    const totals = () =>
      db.$queryRawUnsafe<{ amount: string; requests: string; redemptions: number }[]>(
        `SELECT amount::text AS amount, requests::text AS requests, redemptions FROM cost_hourly WHERE chain_id = 7`,
      )

    expect(await insert()).toBe(4)
    expect(await insert()).toBe(0) // a rerun range: skipped rows are not counted again
    // Uncapped: 3,000 and 10,000. Capped: 8 of 9 wei, floors 2, 2, 2 and the 2 left to category 2.
    expect(categoryShares(capped.requests, capped.prices, capped.amount).map((s) => s.amount)).toEqual([
      2n,
      2n,
      4n,
    ])
    const expected = [
      { category: 0, amount: '3002', requests: '4', redemptions: 2 },
      { category: 1, amount: '2', requests: '1', redemptions: 1 },
      { category: 2, amount: '10004', requests: '3', redemptions: 2 },
    ]
    expect(await categories('cost_category_hourly')).toEqual(expected)
    expect(await categories('cost_category_daily')).toEqual(expected)
    // The totals count every redemption, a v2 one's requests summed.
    expect(await totals()).toEqual([
      { amount: String(13_000 + 8 + 40), requests: String(5 + 3 + 4), redemptions: 4 },
    ])

    // A reorg's rollback of the capped one: its shares go, rows left at zero redemptions too.
    await db.$executeRawUnsafe(`DELETE FROM event WHERE chain_id = 7 AND log_index = 1`)
    expect(await categories('cost_category_hourly')).toEqual([
      { category: 0, amount: '3000', requests: '3', redemptions: 1 },
      { category: 2, amount: '10000', requests: '2', redemptions: 1 },
    ])
    await db.$executeRawUnsafe(`DELETE FROM event WHERE chain_id = 7`)
    expect(await categories('cost_category_hourly')).toEqual([])
    expect(await categories('cost_category_daily')).toEqual([])
    expect(await totals()).toEqual([])
  })
})
