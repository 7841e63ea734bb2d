import { errorText } from '../../../errorText'
import type { Logger } from '../../log'

/**
 * Work beside the payment duties that only the runner lock's holder does (the budgets' alert
 * evaluation and delivery, lib/server/budgets): so it runs on exactly one instance at a time,
 * with no lock of its own. A duty sees nothing of the runner but `signal`, aborted at stop():
 * it should stop starting new work then (and may cut what is in flight).
 */
export type LeaderDuty = { name: string; run: (signal?: AbortSignal) => Promise<void> }

/** Runs each duty in turn; one that fails is logged and does not stop the others. */
export async function runLeaderDuties(
  duties: readonly LeaderDuty[],
  log: Logger,
  signal?: AbortSignal,
): Promise<void> {
  for (const duty of duties) {
    if (signal?.aborted) return
    try {
      await duty.run(signal)
    } catch (error) {
      log.warn(`runner: ${duty.name} failed: ${errorText(error)}`)
    }
  }
}

/**
 * The leader's duties on a timer of their own, never awaited by the channels' pass: a webhook
 * that never answers (an alert delivery waits up to its timeout) must not hold redemptions back.
 * Each tick runs the duties if `isLeader()` (the runner's view of its advisory lock) says so;
 * stop() aborts the duties' signal and waits only for what is in flight (at most one bounded
 * send: deliveries stop claiming once the signal is aborted).
 */
export function createLeaderDuties({
  isLeader,
  intervalMs,
  log,
}: {
  isLeader: () => boolean
  intervalMs: number
  log: Logger
}) {
  const duties: LeaderDuty[] = []
  let timer: NodeJS.Timeout | undefined
  let controller = new AbortController()
  let inFlight: Promise<void> = Promise.resolve()

  /** One run of every duty, unless one is still running (then that one is awaited). */
  function runOnce(): Promise<void> {
    const signal = controller.signal
    inFlight = inFlight.then(() => runLeaderDuties(duties, log, signal))
    return inFlight
  }

  async function tick(): Promise<void> {
    if (controller.signal.aborted) return
    if (isLeader()) await runOnce()
    if (!controller.signal.aborted) timer = setTimeout(() => void tick(), intervalMs)
  }

  return {
    /** Adds work only the lock's holder does. */
    add: (duty: LeaderDuty) => void duties.push(duty),
    runOnce,
    start(): void {
      controller = new AbortController()
      timer = setTimeout(() => void tick(), 0)
    },
    async stop(): Promise<void> {
      clearTimeout(timer)
      controller.abort()
      await inFlight
    },
  }
}

export type LeaderDuties = ReturnType<typeof createLeaderDuties>
