import type { KeyName } from '../http/input.fixture'

/*
 * The budgets' part of the hostile-input table (lib/server/http/input.fixture.ts): the edit's
 * strings to spoil, and bodies refused for huge numbers, wrong types, URLs that are not http(s)
 * and size.
 */

/** The edit's strings, spoiled one by one (the name rules refuse them as `invalid_request`). */
export const budgetHostileBodies: Array<{
  route: string
  key?: KeyName
  valid: object
  fields: string[]
  code?: string
}> = [
  {
    route: 'POST /api/budgets/edits',
    key: 'admin',
    valid: { edit: { action: 'setWebhook', name: 'hook', kind: 'json', url: 'https://example.com/hook' } },
    fields: ['edit.name', 'edit.url'],
    code: 'invalid_request',
  },
  {
    route: 'POST /api/budgets/edits',
    key: 'admin',
    valid: { edit: { action: 'setBudget', scope: 'team', target: 'team', period: 'month', amount: '1' } },
    fields: ['edit.target', 'edit.amount'],
    code: 'invalid_request',
  },
]

/** The budgets' edit refused: huge numbers, wrong types, URLs that are not http(s), a 70 kB URL. */
export function budgetRefusals(): Array<[string, KeyName, unknown, string, string, string]> {
  const route = 'POST /api/budgets/edits'
  const budget = { action: 'setBudget', scope: 'team', target: 'team', period: 'month' }
  const hook = (url: unknown) => ({ edit: { action: 'setWebhook', name: 'hook', kind: 'slack', url } })
  return [
    [
      route,
      'admin',
      { edit: { ...budget, amount: `1${'0'.repeat(78)}` } },
      'invalid_request',
      'amount',
      'a budget of 10^78 wei',
    ],
    [route, 'admin', { edit: { ...budget, amount: 5 } }, 'invalid_request', 'amount', 'a number for amount'],
    [route, 'admin', { edit: { ...budget, amount: '0' } }, 'invalid_request', 'amount', 'a budget of 0'],
    [
      route,
      'admin',
      {
        raw: '{"edit":{"action":"setRule","name":"r","webhook":"hook","rule":{"kind":"budget","budgetId":1,"thresholdPercent":1e400,"basis":"spend"}}}',
      },
      'invalid_request',
      'thresholdPercent',
      'thresholdPercent 1e400',
    ],
    [
      route,
      'admin',
      { edit: { action: 'removeBudget', id: '1' } },
      'invalid_request',
      'id',
      'a string for a budget id',
    ],
    [route, 'admin', hook('ftp://example.com/hook'), 'invalid_request', 'url', 'an ftp URL'],
    [route, 'admin', hook('javascript:alert(1)'), 'invalid_request', 'url', 'a javascript: URL'],
    [route, 'admin', hook(['https://example.com']), 'invalid_request', 'url', 'an array for url'],
    [
      route,
      'admin',
      hook(`https://example.com/${'x'.repeat(70_000)}`),
      'body_too_large',
      'bytes',
      'a 70 kB URL',
    ],
  ]
}
