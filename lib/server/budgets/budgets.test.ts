import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANVIL_KEYS } from '../../../stack/anvil'
import { expectError } from '../../../test/kit/errors'
import { periodOf } from '../../budgets/period'
import { isoTime } from '../../costs/window'
import { ADMIN_KEY, type CostsTestbed, GWEI, startCostsTestbed } from '../costs/testing'
import { budgetsOverview } from '.'
import { budgetEditor } from './testing'

/*
 * Budgets, webhooks and rules on the thesis example (lib/server/costs/testing.ts: alice and
 * bob of team apps pay charlie 300 and 100 gwei, charlie pays dave 100 gwei): edits by the
 * admin key and by an admin wallet, refusals that change nothing, and spend against budget.
 */

let bed: CostsTestbed
let edit: ReturnType<typeof budgetEditor>
beforeAll(async () => {
  bed = await startCostsTestbed({ settled: true })
  edit = budgetEditor(bed, ADMIN_KEY)
}, 120_000)
afterAll(() => bed?.stop())

const admin = privateKeyToAccount(ANVIL_KEYS[5])
const stranger = privateKeyToAccount(ANVIL_KEYS[6])
const tables = async () => ({
  budgets: await bed.db.budget.findMany({ orderBy: { id: 'asc' } }),
  webhooks: await bed.db.alertWebhook.findMany({ orderBy: { id: 'asc' } }),
  rules: await bed.db.alertRule.findMany({ orderBy: { id: 'asc' } }),
})

describe('budgets against spend', () => {
  it('shows what a team and a service paid this period against its budget, and the linear forecast', async () => {
    await edit.byKey({
      action: 'setBudget',
      scope: 'team',
      target: 'apps',
      period: 'month',
      amount: '1000000000000',
    })
    await edit.byKey({
      action: 'setBudget',
      scope: 'service',
      target: 'charlie',
      period: 'week',
      amount: '200000000000',
    })
    const { now } = await bed.indexedHead()
    const overview = await budgetsOverview(bed.ctx)
    // Expected from the redemptions' own times: what fell in this month / week so far.
    const inPeriod = (period: 'month' | 'week', keys: Array<'ac' | 'bc' | 'cd'>) => {
      const span = periodOf(period, now)
      return keys.reduce(
        (sum, k) => (bed.redeemed[k].time >= span.from ? sum + bed.redeemed[k].amount : sum),
        0n,
      )
    }
    const forecast = (spent: bigint, period: 'month' | 'week') => {
      const span = periodOf(period, now)
      return (spent * BigInt(span.to - span.from)) / BigInt(Math.max(now - span.from, 3_600))
    }
    const apps = inPeriod('month', ['ac', 'bc'])
    const charlie = inPeriod('week', ['cd'])
    expect(
      overview.budgets.map((b) => [
        b.scope,
        b.target,
        b.period,
        b.amount,
        b.spent,
        b.forecast,
        b.percentSpent,
      ]),
    ).toEqual([
      [
        'service',
        'charlie',
        'week',
        '200000000000',
        charlie.toString(),
        forecast(charlie, 'week').toString(),
        Number((charlie * 100n) / 200n / GWEI),
      ],
      [
        'team',
        'apps',
        'month',
        '1000000000000',
        apps.toString(),
        forecast(apps, 'month').toString(),
        Number((apps * 100n) / 1000n / GWEI),
      ],
    ])
    expect(overview.budgets[1]?.periodKey).toBe(periodOf('month', now).key)
    expect(overview.asOf).toBe(isoTime(now))
  })

  it('setBudget again changes the amount of the same budget', async () => {
    const before = await bed.db.budget.findMany()
    await edit.byKey({ action: 'setBudget', scope: 'team', target: 'apps', period: 'month', amount: '7' })
    const after = await bed.db.budget.findMany()
    expect(after).toHaveLength(before.length)
    expect(after.find((b) => b.target === 'apps')?.amount.toFixed()).toBe('7')
  })
})

describe('the signed edit', () => {
  it("an admin wallet's signed edit is applied once and records its signer; a replay is 409 signature_used", async () => {
    const body = await edit.signed(
      {
        action: 'setWebhook',
        name: 'finance',
        kind: 'slack',
        url: 'https://hooks.example.com/services/T0/B0/secretsecret',
      },
      admin,
    )
    expect(await edit.apply(body)).toMatchObject({ action: 'setWebhook', by: admin.address.toLowerCase() })
    const before = await tables()
    await expectError(edit.apply(body), 409, 'signature_used')
    expect(await tables()).toEqual(before)
    const overview = await budgetsOverview(bed.ctx)
    expect(overview.webhooks).toEqual([
      { id: expect.any(Number), name: 'finance', kind: 'slack', url: 'https://hooks.example.com/…' },
    ])
    expect(JSON.stringify(overview)).not.toContain('secretsecret')
  })

  it('a replay re-encoding the signature (v 0/1, v 27/28, high s) changes nothing', async () => {
    const body = await edit.signed(
      { action: 'setBudget', scope: 'team', target: 'replayed', period: 'month', amount: '5' },
      admin,
    )
    expect(await edit.apply(body)).toMatchObject({ action: 'setBudget' })
    const before = await tables()
    const signature = body.signature as string
    const r = signature.slice(2, 66)
    const s = BigInt(`0x${signature.slice(66, 130)}`)
    const v = Number.parseInt(signature.slice(130), 16)
    const hex = (n: bigint | number, bytes: number) => n.toString(16).padStart(bytes * 2, '0')
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    // The same signature as v 0/1, and its high-s twin (the other parity): both recover the admin.
    const yParity = `0x${r}${hex(s, 32)}${hex(v - 27, 1)}`
    const highS = `0x${r}${hex(N - s, 32)}${hex(v === 27 ? 28 : 27, 1)}`
    for (const twin of [yParity, highS])
      await expectError(edit.apply({ ...body, signature: twin }), 400, 'non_canonical_signature')
    await expectError(edit.apply(body), 409, 'signature_used')
    expect(await tables()).toEqual(before)
  })

  it("a stranger's signature, a signature of another edit, an expired one and no authority are refused and change nothing", async () => {
    const before = await tables()
    const setBudget = {
      action: 'setBudget',
      scope: 'team',
      target: 'apps',
      period: 'month',
      amount: '1',
    } as const
    await expectError(edit.apply(await edit.signed(setBudget, stranger)), 403, 'not_label_admin')
    const other = await edit.signed({ ...setBudget, amount: '2' }, admin)
    await expectError(edit.apply({ ...other, edit: setBudget }), 403, 'not_label_admin')
    const now = BigInt(Math.floor(Date.now() / 1000))
    await expectError(edit.apply(await edit.signed(setBudget, admin, now - 1n)), 400, 'request_expired')
    await expectError(edit.apply(await edit.signed(setBudget, admin, now + 3_600n)), 400, 'invalid_expiry')
    const { saveBudgetEdit } = await import('.')
    const { editRequest } = await import('./testing')
    await expectError(
      saveBudgetEdit({ ctx: bed.ctx, request: editRequest(), body: { edit: setBudget } }),
      401,
      'unauthorized',
    )
    await expectError(
      saveBudgetEdit({
        ctx: bed.ctx,
        request: editRequest({ authorization: `Bearer ${'x'.repeat(40)}` }),
        body: { edit: setBudget },
      }),
      401,
      'unauthorized',
    )
    expect(await tables()).toEqual(before)
  })

  it('a rule naming an unknown webhook or budget is 404 and changes nothing; a webhook in use is 409; rules and webhooks are removed by name', async () => {
    const before = await tables()
    const rule = { kind: 'budget', budgetId: 999_999, thresholdPercent: 80, basis: 'spend' }
    await expectError(
      edit.byKey({ action: 'setRule', name: 'r', webhook: 'nope', rule }),
      404,
      'unknown_alert_item',
    )
    await expectError(
      edit.byKey({ action: 'setRule', name: 'r', webhook: 'finance', rule }),
      404,
      'unknown_alert_item',
    )
    await expectError(edit.byKey({ action: 'removeRule', name: 'nope' }), 404, 'unknown_alert_item')
    expect(await tables()).toEqual(before)
    const runway = { kind: 'runway', service: 'alice', runwaySeconds: 3_600 }
    await edit.byKey({ action: 'setRule', name: 'alice-runway', webhook: 'finance', rule: runway })
    expect((await budgetsOverview(bed.ctx)).rules).toEqual([
      { id: expect.any(Number), name: 'alice-runway', webhook: 'finance', rule: runway },
    ])
    const used = await tables()
    await expectError(edit.byKey({ action: 'removeWebhook', name: 'finance' }), 409, 'in_use')
    expect(await tables()).toEqual(used)
    await edit.byKey({ action: 'removeRule', name: 'alice-runway' })
    await edit.byKey({ action: 'removeWebhook', name: 'finance' })
    expect(await tables()).toMatchObject({ webhooks: [], rules: [] })
  })
})
