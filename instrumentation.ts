/**
 * Next.js calls `register()` once when a server process starts. It starts the Payment Server's
 * background runner here (Node runtime only, not during `next build`); with several instances
 * on one database, one holds the runner's lock and the others stand by. It also registers the
 * token calls' fast path, which the web server of `npm start` (stack/web.ts) serves them on, and
 * the Payment Server's shutdown, which that web server calls when it stops. A runner that cannot
 * start for good (a keystore secret that cannot open the stored keys) stops the process.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.NEXT_PHASE === 'phase-production-build') return
  const { registerPaymentShutdown, startPaymentRunner } = await import('./lib/server/payment/instance')
  const { registerFastPath } = await import('./lib/server/payment/fastPath')
  const { alertDutyOfEnv } = await import('./lib/server/budgets')
  registerFastPath()
  registerPaymentShutdown()
  // The budgets' alerts are one of the runner leader's duties (lib/server/budgets/duty.ts).
  startPaymentRunner()
    .then((server) => server?.runner.addDuty(alertDutyOfEnv()))
    .catch((error: unknown) => {
      // Only what retrying cannot mend rejects (a keystore secret that cannot open the stored
      // keys): this instance must not serve, and says why in one sentence.
      console.error(`[payment] error: ${error instanceof Error ? error.message : String(error)}`)
      process.exit(1)
    })
}
