import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test/kit/database'
import { memoryLogger } from '../../../test/kit/indexer'
import { startTestPayment } from '../../../test/kit/payment'
import type { ServerContext } from '../context'
import { ADMIN_KEY, type CostsTestbed, GWEI, startCostsTestbed } from '../costs/testing'
import { createDb } from '../db/client'
import { alertDuty, deliverDue, evaluateAlerts } from '.'
import { budgetEditor, type Receiver, startReceiver, testDelivery } from './testing'

/*
 * Alerts end to end on real Postgres and anvil (the thesis example of lib/server/costs/testing.ts:
 * charlie, team platform, paid dave 100 gwei in the last block): crossings decided and stored
 * once, delivered to a local HTTP receiver once, retried, never followed through a redirect,
 * never sent twice by two instances, by the runner's leader only, nor after a restart.
 */

let bed: CostsTestbed
let receiver: Receiver
let edit: ReturnType<typeof budgetEditor>
let budgetId: number
const log = memoryLogger()
const settings = testDelivery()

beforeAll(async () => {
  bed = await startCostsTestbed({ settled: true })
  receiver = await startReceiver()
  edit = budgetEditor(bed, ADMIN_KEY)
  await edit.byKey({ action: 'setWebhook', name: 'hook', kind: 'json', url: receiver.url() })
  // 120 gwei a month: charlie's 100 gwei is 83 % of it.
  budgetId = (
    await edit.byKey({
      action: 'setBudget',
      scope: 'team',
      target: 'platform',
      period: 'month',
      amount: String(120n * GWEI),
    })
  ).id
}, 120_000)
afterAll(async () => {
  await receiver?.close()
  await bed?.stop()
})

/** A budget rule on platform's budget at `threshold` % of spend, to `webhook`. */
const budgetRule = (name: string, thresholdPercent = 80, webhook = 'hook') =>
  edit.byKey({
    action: 'setRule',
    name,
    webhook,
    rule: { kind: 'budget', budgetId, thresholdPercent, basis: 'spend' },
  })
const callsOf = (rule: string) => receiver.calls.filter((c) => c.body.rule === rule)
const deliveriesOf = (rule: string) =>
  bed.db.alertDelivery.findMany({ where: { ruleName: rule }, orderBy: { id: 'asc' } })
const round = (ctx: ServerContext = bed.ctx) => alertDuty({ ctx, log, settings }).run()

describe('a budget crossing', () => {
  it('is stored once and delivered once, with the alert as JSON; later rounds add nothing', async () => {
    await budgetRule('platform-80', 80)
    await budgetRule('platform-100', 100)
    const first = await evaluateAlerts({ ctx: bed.ctx, log })
    const periodKey = (
      await bed.db.alertDelivery.findFirstOrThrow({ where: { ruleName: 'platform-80' } })
    ).crossing.split(' ')[2]
    expect(first.inserted.map((a) => a.crossing)).toEqual([
      `budget ${budgetId} ${periodKey} spend 80% of 120000000000`,
    ])
    expect(await deliverDue({ ctx: bed.ctx, log, settings })).toEqual({ sent: 1, failed: 0 })
    for (let i = 0; i < 3; i++) await round()

    const [delivery] = await deliveriesOf('platform-80')
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1, lastError: null })
    expect(await deliveriesOf('platform-100')).toEqual([])
    expect(callsOf('platform-80')).toHaveLength(1)
    const [call] = callsOf('platform-80')
    expect(call?.headers['x-alert-delivery']).toBe(delivery?.id.toString())
    expect(call?.body).toEqual({
      id: delivery?.id.toString(),
      createdAt: delivery?.createdAt.toISOString(),
      rule: 'platform-80',
      kind: 'budget',
      crossing: `budget ${budgetId} ${periodKey} spend 80% of 120000000000`,
      summary: `team platform has spent 83 % of its monthly budget (100 gwei of 120 gwei, ${periodKey}); threshold 80 %.`,
      details: {
        scope: 'team',
        target: 'platform',
        period: periodKey,
        basis: 'spend',
        thresholdPercent: 80,
        budget: '120000000000',
        spent: '100000000000',
        forecast: expect.stringMatching(/^\d+$/),
      },
    })
  })

  it('a lowered budget is a new crossing: 100 % fires once, 80 % once more', async () => {
    await edit.byKey({
      action: 'setBudget',
      scope: 'team',
      target: 'platform',
      period: 'month',
      amount: String(100n * GWEI),
    })
    await round()
    await round()
    expect(callsOf('platform-80')).toHaveLength(2)
    expect(callsOf('platform-100').map((c) => c.body.crossing)).toEqual([
      expect.stringMatching(/ spend 100% of 100000000000$/),
    ])
    await edit.byKey({ action: 'removeRule', name: 'platform-80' })
    await edit.byKey({ action: 'removeRule', name: 'platform-100' })
  })
})

describe('delivery', () => {
  it('Slack webhooks get text and blocks; the URL is in no log line and no answer', async () => {
    const secret = 'T9/B9/slack-secret-path'
    await edit.byKey({ action: 'setWebhook', name: 'slack', kind: 'slack', url: receiver.url(secret) })
    // Every pair paid something this week and nothing the week before: a jump from nothing.
    await edit.byKey({
      action: 'setRule',
      name: 'jumps',
      webhook: 'slack',
      rule: { kind: 'spike', window: '7d', factorPercent: 200, minAmount: String(150n * GWEI) },
    })
    receiver.answer({ status: 500 }) // first attempt fails and is logged
    await round()
    receiver.answer({ status: 200 })
    await round()
    const slack = receiver.calls.filter((c) => c.path.includes('slack-secret'))
    // alice → charlie (300 gwei) is the one pair at or above 150 gwei: two attempts, the same body.
    expect(slack).toHaveLength(2)
    expect(slack[1]?.body).toEqual(slack[0]?.body)
    expect(slack[0]?.body).toEqual({
      text: 'alice → charlie paid 300 gwei in the last 7d, after nothing in the 7d before.',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `:rotating_light: ${slack[0]?.body.text}` } },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: expect.stringMatching(/^rule \*jumps\* · spike · \d{4}-/) }],
        },
      ],
    })
    expect(await deliveriesOf('jumps')).toMatchObject([
      { status: 'sent', attempts: 2, lastError: 'HTTP 500' },
    ])
    expect(log.lines.some((l) => l.includes('jumps') && l.includes('HTTP 500'))).toBe(true)
    expect(log.lines.filter((l) => l.includes('slack-secret') || l.includes('127.0.0.1'))).toEqual([])
    // Alerted within the window: even with its delivery gone (a later evaluation), the pair is not listed again.
    await bed.db.alertDelivery.deleteMany({ where: { ruleName: 'jumps' } })
    const again = await evaluateAlerts({ ctx: bed.ctx, log })
    expect(again.inserted.filter((a) => a.rule === 'jumps')).toEqual([])
    await edit.byKey({ action: 'removeRule', name: 'jumps' })
  })

  it('a redirect is not followed, a silent webhook times out, and a delivery is given up after its attempts', async () => {
    const few = testDelivery({ maxAttempts: 2, timeoutMs: 300 })
    await budgetRule('redirected')
    receiver.answer({ status: 302 })
    await evaluateAlerts({ ctx: bed.ctx, log })
    await deliverDue({ ctx: bed.ctx, log, settings: few })
    expect(await deliveriesOf('redirected')).toMatchObject([
      { status: 'pending', attempts: 1, lastError: 'redirected (HTTP 302); redirects are not followed' },
    ])
    expect(receiver.calls.filter((c) => c.path === '/elsewhere')).toEqual([])
    receiver.answer('hang')
    await deliverDue({ ctx: bed.ctx, log, settings: few })
    expect(await deliveriesOf('redirected')).toMatchObject([
      { status: 'failed', attempts: 2, lastError: 'no answer within 0.3 s' },
    ])
    receiver.answer({ status: 200 })
    await deliverDue({ ctx: bed.ctx, log, settings: few })
    expect(callsOf('redirected')).toHaveLength(2) // given up: not sent a third time
    await edit.byKey({ action: 'removeRule', name: 'redirected' })
  })

  it('a round claims nothing more once its time budget is spent, and nothing once stopped', async () => {
    await budgetRule('slow-a')
    await budgetRule('slow-b')
    await evaluateAlerts({ ctx: bed.ctx, log })
    receiver.answer('hang')
    const stopped = new AbortController()
    stopped.abort()
    await deliverDue({ ctx: bed.ctx, log, settings: testDelivery(), signal: stopped.signal })
    const attempts = async () =>
      [...(await deliveriesOf('slow-a')), ...(await deliveriesOf('slow-b'))].map((d) => d.attempts)
    expect(await attempts()).toEqual([0, 0])
    // The first attempt (300 ms without an answer) spends the 1 ms budget: the other waits.
    await deliverDue({ ctx: bed.ctx, log, settings: testDelivery({ timeoutMs: 300, roundBudgetMs: 1 }) })
    expect((await attempts()).sort()).toEqual([0, 1])
    receiver.answer({ status: 200 })
    for (const name of ['slow-a', 'slow-b']) await edit.byKey({ action: 'removeRule', name })
  })
})

describe('exactly once', () => {
  it('two instances evaluating and delivering at the same moment send each crossing once', async () => {
    const other = { ...bed.ctx, db: createDb({ databaseUrl: bed.database.url, max: 4 }) }
    try {
      await budgetRule('twins')
      for (let i = 0; i < 5; i++) await Promise.all([round(), round(other)])
      expect(await deliveriesOf('twins')).toMatchObject([{ status: 'sent', attempts: 1 }])
      expect(callsOf('twins')).toHaveLength(1)
    } finally {
      await other.db.$disconnect()
    }
  })

  it('across a restart: a claim its dead sender held is sent again only once it lapses, and nothing else repeats', async () => {
    await budgetRule('restart')
    await evaluateAlerts({ ctx: bed.ctx, log })
    // The process that claimed it died mid-send: claimed (attempt 1) until an hour from now.
    await bed.db
      .$executeRaw`UPDATE alert_delivery SET status = 'sending', attempts = 1, next_attempt_at = now() + interval '1 hour' WHERE rule_name = 'restart'`
    const restarted = { ...bed.ctx, db: createDb({ databaseUrl: bed.database.url, max: 4 }) }
    try {
      await round(restarted)
      expect(callsOf('restart')).toHaveLength(0)
      await bed.db
        .$executeRaw`UPDATE alert_delivery SET next_attempt_at = now() - interval '1 second' WHERE rule_name = 'restart'`
      await round(restarted)
      await round(restarted)
      expect(callsOf('restart')).toHaveLength(1)
      expect(await deliveriesOf('restart')).toMatchObject([{ status: 'sent', attempts: 2 }])
    } finally {
      await restarted.db.$disconnect()
    }
  })

  it("only the runner lock's holder runs the alert duty: two runners, one call", async () => {
    const database = await createTestDatabase()
    const a = await startTestPayment({ testbed: bed.chain, database })
    const b = await startTestPayment({ testbed: bed.chain, database })
    try {
      const ran: string[] = []
      for (const [name, core] of [
        ['a', a],
        ['b', b],
      ] as const) {
        const duty = alertDuty({ ctx: bed.ctx, log, settings })
        core.server.runner.addDuty({
          name: duty.name,
          run: () => {
            ran.push(name)
            return duty.run()
          },
        })
      }
      await budgetRule('leader')
      for (let i = 0; i < 3; i++) await Promise.all([a.server.runner.runOnce(), b.server.runner.runOnce()])
      const leader = a.server.runner.isLeader() ? 'a' : 'b'
      expect(ran).toEqual([leader, leader, leader])
      expect(callsOf('leader')).toHaveLength(1)
    } finally {
      await a.stop()
      await b.stop()
      await database.drop()
    }
  })
})

describe('a runway rule', () => {
  it("alerts once per episode for a service's channel that runs out sooner than its threshold", async () => {
    // charlie → dave's funds drained to 1,000 gwei in the index: at its 100 gwei in the last
    // 24 h that lasts about 10 days; the rule warns under 11.
    const channel = bed.ch.cd.toLowerCase()
    const fundsLeft = (wei: bigint) =>
      bed.db.channel.update({
        where: { chainId_address: { chainId: bed.chainId, address: channel } },
        data: { consumerFunds: String(wei) },
      })
    const original = await bed.db.channel.findUniqueOrThrow({
      where: { chainId_address: { chainId: bed.chainId, address: channel } },
    })
    await fundsLeft(1_000n * GWEI)
    await edit.byKey({
      action: 'setRule',
      name: 'charlie-runway',
      webhook: 'hook',
      rule: { kind: 'runway', service: 'charlie', runwaySeconds: 11 * 86_400 },
    })
    await round()
    await round()
    const [episode] = await bed.db.alertSubject.findMany()
    expect(episode?.subject).toBe(channel)
    expect((await deliveriesOf('charlie-runway')).map((d) => [d.crossing, d.status])).toEqual([
      [`runway ${channel} since ${episode?.since.toISOString()}`, 'sent'],
    ])
    const [call] = callsOf('charlie-runway')
    expect(callsOf('charlie-runway')).toHaveLength(1)
    expect(call?.body.details).toMatchObject({
      service: 'charlie',
      channel,
      consumerFunds: String(1_000n * GWEI),
    })
    const seconds = Number((call?.body.details as { runwaySeconds?: number } | undefined)?.runwaySeconds)
    expect(seconds).toBeGreaterThan(9 * 86_400)
    expect(seconds).toBeLessThan(11 * 86_400)

    // Refunded (runway back above 11 days): the episode ends, silently; short again: one new alert.
    await fundsLeft(1_000_000n * GWEI)
    await round()
    expect(await bed.db.alertSubject.findMany()).toEqual([])
    await fundsLeft(1_000n * GWEI)
    await round()
    await round()
    expect(callsOf('charlie-runway')).toHaveLength(2)
    expect(new Set((await deliveriesOf('charlie-runway')).map((d) => d.crossing)).size).toBe(2)
    await fundsLeft(BigInt(original.consumerFunds.toFixed()))
    await edit.byKey({ action: 'removeRule', name: 'charlie-runway' })
  })
})
