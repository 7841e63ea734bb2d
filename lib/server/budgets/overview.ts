import type { BudgetsAnswer } from '../../budgets/api'
import { isoTime } from '../../costs/window'
import type { ServerContext } from '../context'
import { budgetStatuses } from './status'
import { listRules, listWebhooks } from './store'

/** GET /api/budgets and the pages: budgets with their spend, webhooks (masked) and rules. */
export async function budgetsOverview(ctx: ServerContext): Promise<BudgetsAnswer> {
  const [{ asOf, budgets }, webhooks, rules] = await Promise.all([
    budgetStatuses(ctx),
    listWebhooks(ctx),
    listRules(ctx),
  ])
  return { asOf: isoTime(asOf ?? Math.floor(Date.now() / 1000)), budgets, webhooks, rules }
}
