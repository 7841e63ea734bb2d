/**
 * Budgets and alerts (issue 30, point 4): budgets per team and service with spend and
 * forecast, alert rules, webhooks, the signed edit, the runner leader's alert duty and the
 * alert history. Client-safe schemas, decisions and bodies are in lib/budgets/.
 */
export { DEFAULT_DELIVERY, type DeliverySettings, deliverDue } from './deliver'
export { type AlertDuty, alertDuty, alertDutyOfEnv } from './duty'
export { evaluateAlerts } from './evaluate'
export { listDeliveries } from './history'
export { budgetsOverview } from './overview'
export { budgetStatuses } from './status'
export { listRules, listWebhooks, saveBudgetEdit } from './store'
