import type { OperationExamples } from './index'

/** The budgets API's examples: team-a's monthly budget at 80 % forecast, a Slack webhook, one alert. */
const budget = {
  id: 1,
  scope: 'team' as const,
  target: 'team-a',
  period: 'month' as const,
  amount: '1000000000000000',
  periodKey: '2026-12',
  from: '2026-12-01T00:00:00.000Z',
  to: '2027-01-01T00:00:00.000Z',
  spent: '210000000000000',
  forecast: '930000000000000',
  percentSpent: 21,
  percentForecast: 93,
  forecastAlertsFrom: '2026-12-04T02:24:00.000Z',
  updatedBy: null,
  updatedAt: '2026-12-01T08:00:00.000Z',
}

export const budgetExamples: Record<string, OperationExamples> = {
  getBudgets: {
    '200': {
      summary: "team-a's monthly budget, forecast past 80 %, alerting on Slack",
      value: {
        asOf: '2026-12-07T09:20:30.000Z',
        budgets: [budget],
        webhooks: [{ id: 1, name: 'finance-slack', kind: 'slack', url: 'https://hooks.slack.com/…Qx7w' }],
        rules: [
          {
            id: 1,
            name: 'team-a-80',
            webhook: 'finance-slack',
            rule: { kind: 'budget', budgetId: 1, thresholdPercent: 80, basis: 'forecast' },
          },
        ],
      },
    },
  },
  editBudgets: {
    request: {
      summary: "Set team-a's monthly budget to 0.001 ETH (with the team admin key)",
      value: {
        edit: {
          action: 'setBudget',
          scope: 'team',
          target: 'team-a',
          period: 'month',
          amount: '1000000000000000',
        },
      },
    },
    '200': { summary: 'Saved as budget 1', value: { action: 'setBudget', id: 1, by: null } },
  },
  listAlertDeliveries: {
    '200': {
      summary: 'One alert, sent on the first attempt',
      value: {
        deliveries: [
          {
            id: '1',
            rule: 'team-a-80',
            crossing: 'budget 1 2026-12 forecast 80% of 1000000000000000',
            summary:
              'team team-a is forecast to spend 93 % of its monthly budget (0.00093 ETH of 0.001 ETH, 2026-12); threshold 80 %.',
            status: 'sent',
            attempts: 1,
            lastError: null,
            createdAt: '2026-12-07T09:20:31.000Z',
            sentAt: '2026-12-07T09:20:31.000Z',
          },
        ],
      },
    },
  },
}
