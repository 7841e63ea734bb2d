/**
 * `npm run start:runner`: the runner role, the Payment Server's background work alone
 * (redemptions, terminations, withdrawals, auto-funding, watching sent transactions), without
 * pages or APIs. It builds the Payment Server as the web role does (lib/server/payment/instance.ts,
 * from DATABASE_URL, RPC_URL and the PAYMENT_* settings) and runs only its runner, whatever
 * PAYMENT_RUNNER says (that setting is the web role's). Any number may run: the runner's
 * Postgres advisory lock lets one work and the others stand by, and the database releases it
 * when the holder dies, so a standby takes over at its next round. It serves /livez, /readyz and
 * /metrics (`payment_runner_leader` 1 on the active one, 0 on a standby) on
 * RUNNER_HOST:RUNNER_PORT (default 127.0.0.1:9465; 0: none).
 */
import { errorText } from '../../lib/errorText'
import { alertDutyOfEnv } from '../../lib/server/budgets'
import { serverContext } from '../../lib/server/context'
import { migratedReadiness } from '../../lib/server/db/migrationStatus'
import { startPaymentRunner } from '../../lib/server/payment/instance'
import { type ProbeReadiness, startProbeServer } from '../../lib/server/system/probeServer'
import { roleEnv, runRole } from './role'
import { parseRunnerEnv } from './runnerEnv'

runRole('runner', async (log) => {
  roleEnv('npm run start:runner', ['DATABASE_URL', 'RPC_URL'])
  const own = parseRunnerEnv()
  // The runner verifies no tokens: no signature recovery workers unless asked for (read by
  // env() on the Payment Server's creation, below).
  process.env.PAYMENT_RECOVER_THREADS ??= '0'
  // Ready as the indexer is: the database answers and holds this build's migrations.
  const migrated = migratedReadiness({ db: serverContext().db })

  let server: Awaited<ReturnType<typeof startPaymentRunner>>
  let waiting = 'the Payment Server is being created'
  const ready = async (): Promise<ProbeReadiness> =>
    server ? migrated() : { ready: false, reasons: [waiting] }
  const probes =
    own.RUNNER_PORT === 0
      ? null
      : await startProbeServer({
          host: own.RUNNER_HOST,
          port: own.RUNNER_PORT,
          ready,
          metrics: async () =>
            server
              ? {
                  contentType: server.metrics.registry.contentType,
                  body: await server.metrics.registry.metrics(),
                }
              : { contentType: 'text/plain; version=0.0.4', body: '' },
          log,
        })
  if (probes) log.info(`probes and metrics on ${probes.url} (/livez, /readyz, /metrics)`)

  let stopping = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (stopping) return
      stopping = true
      log.info(`${signal}: stopping (the runner's lock is released for a standby)`)
      void Promise.all([server?.close(), probes?.close()])
        .catch((error: unknown) => log.error(`the runner did not stop cleanly: ${errorText(error)}`))
        .finally(() => process.exit(0))
    })
  }

  server = await startPaymentRunner({
    always: true,
    onRetry: (error, delay) => {
      waiting = `the Payment Server cannot be created yet (${errorText(error)}); retrying in ${delay / 1000} s`
      log.warn(waiting)
    },
  })
  // The budgets' alerts are one of the leader's duties (lib/server/budgets/duty.ts).
  server?.runner.addDuty(alertDutyOfEnv())
  log.info(
    `running the Payment Server's background work on chain ${server?.chainId} (one runner holds its lock, the others stand by)`,
  )
})
