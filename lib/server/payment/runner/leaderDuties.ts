import { errorText } from '../../../errorText'
import type { Logger } from '../../log'

/**
 * Work beside the payment duties that only the runner lock's holder does, once per round after
 * the channels (the budgets' alert evaluation and delivery, lib/server/budgets): so it runs on
 * exactly one instance at a time, with no lock of its own. A duty sees nothing of the runner.
 */
export type LeaderDuty = { name: string; run: () => Promise<void> }

/** Runs each duty in turn; one that fails is logged and does not stop the others or the round. */
export async function runLeaderDuties(duties: readonly LeaderDuty[], log: Logger): Promise<void> {
  for (const duty of duties) {
    try {
      await duty.run()
    } catch (error) {
      log.warn(`runner: ${duty.name} failed: ${errorText(error)}`)
    }
  }
}
