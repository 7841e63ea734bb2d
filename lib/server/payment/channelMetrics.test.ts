import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testIndexer } from '../../../test/kit/indexer'
import type { TestPayment } from '../../../test/kit/payment'
import { createDb } from '../db/client'
import { createAcceptanceStore } from './acceptanceStore'
import { createHotSql } from './hotSql'
import { createPaymentMetrics } from './metrics'
import type { Service } from './services'
import { paymentKit } from './testing'

/*
 * The Payment Server's business metrics, read from its database as Prometheus scrapes them:
 * tokens verified by result and code, pending and settled wei per channel (bounded to the top
 * channels) and in total, each top channel's runway, the runner's pending transactions.
 */

const kit = paymentKit()
let t: TestPayment
let bob: Service
let carol: Service

beforeAll(async () => {
  ;({ t, bob, carol } = await kit.start())
})
afterAll(() => kit.stop())

/** The samples of the registry's text format, `name{labels}` to value. */
async function scrape(metrics: ReturnType<typeof createPaymentMetrics>): Promise<Map<string, number>> {
  const text = await metrics.registry.metrics()
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line)
    if (match) samples.set(match[1] as string, Number(match[2]))
  }
  return samples
}

describe('payment metrics', () => {
  it('the Payment Server counts verified tokens by result and refusal code, under one payment_ prefix', async () => {
    const channel = await kit.open({ provider: bob })
    const before = await scrape(t.server.metrics)
    const accepted = (s: Map<string, number>) =>
      s.get('payment_tokens_verified_total{result="accepted"}') ?? 0
    const refused = (s: Map<string, number>) =>
      s.get('payment_tokens_verified_total{result="refused",code="bad_signature"}') ?? 0
    const token = kit.wire({ channel: channel.address, requests: 1n })
    expect(await t.server.verifier.verify(bob, token)).toMatchObject({ accepted: true })
    const stranger = t.testbed.partyKeys.stranger
    await kit.expectRefused(
      bob,
      kit.wire({ channel: channel.address, requests: 2n, key: stranger }),
      'bad_signature',
    )
    const after = await scrape(t.server.metrics)
    expect([accepted(after) - accepted(before), refused(after) - refused(before)]).toEqual([1, 1])
    const names = (await t.server.metrics.registry.getMetricsAsJSON()).map((m) => m.name)
    expect(names).toEqual(
      expect.arrayContaining([
        'payment_process_cpu_user_seconds_total',
        'payment_nodejs_heap_size_used_bytes',
        'payment_request_duration_seconds',
        'payment_channel_pending_wei',
      ]),
    )
    expect(names.filter((n) => !n.startsWith('payment_') || n.startsWith('payment_process_process'))).toEqual(
      [],
    )
  })

  it('pending and settled wei per top channel and in total, and the runway at the rate of the last hour', async () => {
    // A fresh database view: two channels of this test, read by metrics of their own.
    const big = await kit.open({ provider: bob, deposit: 1_000_000n, costPerRequest: 1_000n })
    const small = await kit.open({ provider: carol, deposit: 500_000n, costPerRequest: 1_000n })
    await testIndexer({ chain: t.testbed, db: t.database.db }).syncToHead()
    let clock = 1_000_000
    const metrics = createPaymentMetrics({
      channels: { db: t.database.db, chainId: t.server.chainId, top: 1, refreshMs: 0, now: () => clock },
    })
    const before = await scrape(metrics)
    const verify = async (service: Service, channel: `0x${string}`, requests: bigint) =>
      expect(await t.server.verifier.verify(service, kit.wire({ channel, requests }))).toMatchObject({
        accepted: true,
      })
    await verify(bob, big.address, 3n)
    await verify(carol, small.address, 1n)
    // The runner's record of a redemption of the small channel's token ID 1.
    const sql = createHotSql({ databaseUrl: t.database.url, max: 1 })
    const store = createAcceptanceStore({ sql, chainId: t.server.chainId, metrics: t.server.metrics })
    await store.redeemed(small.address, 1n, { tx: `0x${'1'.repeat(64)}`, amount: 1_000n })
    await sql.close()

    const first = await scrape(metrics)
    const total = (s: Map<string, number>, name: string) => (s.get(name) ?? 0) - (before.get(name) ?? 0)
    expect([total(first, 'payment_pending_wei'), total(first, 'payment_settled_wei')]).toEqual([3_000, 1_000])
    // Only the top channel by pending value has series of its own.
    const perChannel = (s: Map<string, number>) =>
      [...s.keys()].filter((k) => k.startsWith('payment_channel_'))
    expect(perChannel(first)).toEqual([
      `payment_channel_pending_wei{channel="${big.address}"}`,
      `payment_channel_settled_wei{channel="${big.address}"}`,
    ])
    expect(first.get(`payment_channel_pending_wei{channel="${big.address}"}`)).toBe(3_000)

    // A minute later the channel took 2 more requests (2,000 wei): 1,000,000 - 5,000 wei left
    // at 2,000 wei a minute.
    clock += 60_000
    await verify(bob, big.address, 5n)
    const second = await scrape(metrics)
    expect(second.get(`payment_channel_pending_wei{channel="${big.address}"}`)).toBe(5_000)
    expect(second.get(`payment_channel_runway_seconds{channel="${big.address}"}`)).toBe(
      (995_000 / 2_000) * 60,
    )
    expect(second.get('payment_runner_pending_transactions')).toBe(0)
  })

  it('the metrics still answer when the database does not: the channel gauges empty, the totals NaN', async () => {
    const db = createDb({ databaseUrl: 'postgresql://nobody:none@127.0.0.1:1/none', max: 1 })
    const metrics = createPaymentMetrics({ channels: { db, chainId: t.server.chainId } })
    const samples = await scrape(metrics)
    expect([samples.get('payment_pending_wei'), samples.get('payment_runner_pending_transactions')]).toEqual([
      Number.NaN,
      Number.NaN,
    ])
    expect(samples.get('payment_tokens_issued_total')).toBe(0)
    await db.$disconnect()
  })
})
