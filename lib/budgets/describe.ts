import type { BudgetStatus, RuleSpec } from './api'

/**
 * A rule in words, as the alerts page lists it.
 * @example describeRule({ kind: 'runway', service: 'shop', runwaySeconds: 86_400 }, []) // "shop's channels run out within 24 h"
 */
export function describeRule(
  rule: RuleSpec,
  budgets: Pick<BudgetStatus, 'id' | 'scope' | 'target' | 'period'>[],
): string {
  if (rule.kind === 'budget') {
    const b = budgets.find((x) => x.id === rule.budgetId)
    const what = b ? `${b.scope} ${b.target}'s ${b.period}ly budget` : `budget ${rule.budgetId}`
    return `${rule.basis === 'spend' ? 'spend' : 'forecast'} reaches ${rule.thresholdPercent} % of ${what}`
  }
  if (rule.kind === 'runway')
    return `${rule.service}'s channels run out within ${rule.runwaySeconds / 3_600} h`
  return `a pair pays ${rule.factorPercent / 100}× its previous ${rule.window} (at least ${rule.minAmount} wei)`
}
