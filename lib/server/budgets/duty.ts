import { type ServerContext, serverContext } from '../context'
import { env } from '../env'
import { createLogger, type Logger } from '../log'
import { DEFAULT_DELIVERY, type DeliverySettings, deliverDue } from './deliver'
import { evaluateAlerts } from './evaluate'

/** What the payment runner's leader runs on its duties' timer (runner.addDuty). */
export type AlertDuty = { name: string; run: (signal?: AbortSignal) => Promise<void> }

/**
 * The alerts as a duty of the payment runner's leader (runner.addDuty): each round, evaluate
 * the rules (new crossings become deliveries) at most every `evaluateEveryMs`, and send what is
 * due. The runner's Postgres advisory lock makes one instance do it at a time; the delivery
 * rows' unique key and claims keep it exactly once even if two did.
 * @example server.runner.addDuty(alertDuty({ ctx: serverContext(), log }))
 */
export function alertDuty({
  ctx,
  log,
  settings = DEFAULT_DELIVERY,
  evaluateEveryMs = 0,
}: {
  ctx: ServerContext
  log: Logger
  settings?: DeliverySettings
  /** Least time between two evaluations (each reads the periods' costs): 0, every round. */
  evaluateEveryMs?: number
}): AlertDuty {
  let evaluatedAt = Number.NEGATIVE_INFINITY
  return {
    name: 'alerts',
    async run(signal) {
      if (signal?.aborted) return
      if (Date.now() - evaluatedAt >= evaluateEveryMs) {
        evaluatedAt = Date.now()
        const { inserted } = await evaluateAlerts({ ctx, log })
        for (const alert of inserted) log.info(`alerts: ${alert.rule} crossed: ${alert.crossing}`)
      }
      await deliverDue({ ctx, log, settings, signal })
    },
  }
}

/**
 * The duty as the web and runner roles add it to their Payment Server's runner: this
 * process's context, ALERTS_EVALUATE_MS, and Slack messages linking ALERTS_DASHBOARD_URL's
 * /alerts when it is set.
 */
export function alertDutyOfEnv(): AlertDuty {
  const e = env()
  return alertDuty({
    ctx: serverContext(),
    log: createLogger({ level: e.LOG_LEVEL, component: 'alerts' }),
    evaluateEveryMs: e.ALERTS_EVALUATE_MS,
    settings: {
      ...DEFAULT_DELIVERY,
      allowPrivateAddresses: e.ALERTS_ALLOW_PRIVATE_WEBHOOKS,
      historyUrl: e.ALERTS_DASHBOARD_URL ? new URL('/alerts', e.ALERTS_DASHBOARD_URL).toString() : null,
    },
  })
}
