import type { ServerContext } from '../context'
import type { Logger } from '../log'
import { DEFAULT_DELIVERY, type DeliverySettings, deliverDue } from './deliver'
import { evaluateAlerts } from './evaluate'

/**
 * The alerts as a duty of the payment runner's leader (runner.addDuty): each round, evaluate
 * the rules (new crossings become deliveries) and send what is due. The runner's Postgres
 * advisory lock makes one instance do it at a time; the delivery rows' unique key and claims
 * keep it exactly once even if two did.
 * @example server.runner.addDuty(alertDuty({ ctx: serverContext(), log }))
 */
export function alertDuty({
  ctx,
  log,
  settings = DEFAULT_DELIVERY,
}: {
  ctx: ServerContext
  log: Logger
  settings?: DeliverySettings
}): { name: string; run: () => Promise<void> } {
  return {
    name: 'alerts',
    async run() {
      const { inserted } = await evaluateAlerts({ ctx, log })
      for (const alert of inserted) log.info(`alerts: ${alert.rule} crossed: ${alert.crossing}`)
      await deliverDue({ ctx, log, settings })
    },
  }
}
