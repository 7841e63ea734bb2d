import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectError } from '../../../test/kit/errors'
import { memoryLogger } from '../../../test/kit/indexer'
import { budgetEditBody } from '../../budgets/api'
import { ADMIN_KEY, type CostsTestbed, GWEI, startCostsTestbed } from '../costs/testing'
import { deliverDue, evaluateAlerts } from '.'
import { saveBudgetEdit } from './store'
import { budgetEditor, editRequest, type Receiver, startReceiver, testDelivery } from './testing'
import { isInternalAddress } from './webhookAddress'

/*
 * Webhooks cannot be aimed at internal addresses (SSRF): IP literals and credentials are refused
 * at input, names resolving to an internal address at connect time, and the public history
 * says only "connection failed" (no error codes telling which internal ports answer).
 */

let bed: CostsTestbed
let receiver: Receiver
let edit: ReturnType<typeof budgetEditor>
const log = memoryLogger()

beforeAll(async () => {
  bed = await startCostsTestbed({ settled: true })
  receiver = await startReceiver()
  edit = budgetEditor(bed, ADMIN_KEY)
}, 120_000)
afterAll(async () => {
  await receiver?.close()
  await bed?.stop()
})

/** setWebhook with the admin key, private addresses not allowed (the default). */
const setWebhook = (url: string) =>
  saveBudgetEdit({
    ctx: bed.ctx,
    request: editRequest({ authorization: `Bearer ${ADMIN_KEY}` }),
    body: budgetEditBody.parse({ edit: { action: 'setWebhook', name: 'probe', kind: 'json', url } }),
    allowPrivateWebhooks: false,
  })

describe('webhook addresses', () => {
  it('classifies addresses: internal ranges and IPv4-mapped ones refused, public ones not', () => {
    const internal = [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:7f00:1',
      '::ffff:8.8.8.8',
    ]
    expect(internal.filter((ip) => !isInternalAddress(ip))).toEqual([])
    expect(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111'].filter(isInternalAddress)).toEqual([])
  })

  it('refuses internal IP literals, localhost and credentials at input with a 400, saving nothing', async () => {
    for (const url of [
      'http://127.0.0.1:5432/',
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.1/hook',
      'http://100.64.0.1/hook',
      'http://[::1]:8080/',
      'http://[fd00::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://localhost:3000/',
    ])
      await expectError(setWebhook(url), 400, 'webhook_private_address')
    await expectError(setWebhook('https://user:pass@hooks.example.com/x'), 400, 'webhook_credentials')
    expect(await bed.db.alertWebhook.findMany({ where: { name: 'probe' } })).toEqual([])
    expect(await setWebhook('https://hooks.example.com/services/x')).toMatchObject({ action: 'setWebhook' })
  })

  it('refuses at connect time a name that resolves to an internal address; the history says only "connection failed"', async () => {
    const url = receiver.url().replace('127.0.0.1', 'localhost')
    await edit.byKey({ action: 'setWebhook', name: 'rebound', kind: 'json', url })
    const { id: budgetId } = await edit.byKey({
      action: 'setBudget',
      scope: 'team',
      target: 'platform',
      period: 'month',
      amount: String(120n * GWEI),
    })
    await edit.byKey({
      action: 'setRule',
      name: 'rebound',
      webhook: 'rebound',
      rule: { kind: 'budget', budgetId, thresholdPercent: 80, basis: 'spend' },
    })
    await evaluateAlerts({ ctx: bed.ctx, log })
    await deliverDue({ ctx: bed.ctx, log, settings: testDelivery({ allowPrivateAddresses: false }) })
    expect(receiver.calls).toEqual([])
    const rows = await bed.db.alertDelivery.findMany({ where: { ruleName: 'rebound' } })
    expect(rows.map((d) => [d.attempts, d.lastError])).toEqual([[1, 'connection failed']])
    expect(log.lines.some((l) => l.includes('EINTERNALADDRESS'))).toBe(true)
    expect(log.lines.filter((l) => l.includes('localhost') || l.includes('s3cr3t'))).toEqual([])
  })
})
