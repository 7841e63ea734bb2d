import type { Logger } from '../lib/server/log'
import { exitText } from '../lib/server/system/stackStatus'
import type { StackChild } from '../lib/system/api'
import type { Child } from './child'

/** How a crashed child is restarted: the first delay, doubling up to the last. */
export const RESTART_POLICY = {
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
  /** Up this long, a child's backoff starts again from the first delay. */
  resetAfterMs: 60_000,
  /** This many exits within `failingWindowMs` report it failing (it is still restarted). */
  failingExits: 5,
  failingWindowMs: 60_000,
}
export type RestartPolicy = typeof RESTART_POLICY

/** What a kept child says of itself: {@link StackChild} without its name. */
export type ChildReport = Omit<StackChild, 'name'>

export type KeepRunningParameters = {
  /** Its name in a sentence (`the indexer`). */
  what: string
  /** The process already started (and checked) by the start. */
  first: Child
  /** Starts it again; a throw counts as an exit, retried with the same backoff. */
  restart: () => Promise<Child> | Child
  /** Called with each new process (npm start writes its pid file). */
  started?: (child: Child) => Promise<void> | void
  /** Called on every change of its report (npm start writes its status file). */
  report: (report: ChildReport) => void
  log: Logger
  /** True once the whole stack is stopping: an exit then is expected, nothing is restarted. */
  stopping?: () => boolean
  policy?: RestartPolicy
}

/** A child kept running: {@link keepRunning}. */
export type KeptChild = {
  /** Its current process (the last one started). */
  current(): Child
  /** Stops it for good: no restart after this, a pending one is cancelled. */
  stop(): Promise<void>
}

/**
 * Keeps a long-running child up, as process supervisors do (systemd's `Restart=on-failure`,
 * Erlang's supervisors): when it exits on its own it is started again after a backoff (1 s,
 * doubling to 30 s, back to 1 s once it stayed up a minute), with one log line per exit; the
 * other children are left alone. One that exits 5 times within a minute is reported `failing`
 * and still restarted at the longest delay, so a dependency that comes back is picked up.
 * @example
 * const indexer = keepRunning({ what: 'the indexer', first, restart, report, log })
 * // log: "the indexer exited (signal SIGKILL); restarting it in 1 s (restart 1)"
 */
export function keepRunning({
  what,
  first,
  restart,
  started,
  report,
  log,
  stopping = () => false,
  policy = RESTART_POLICY,
}: KeepRunningParameters): KeptChild {
  let child = first
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let upTimer: NodeJS.Timeout | undefined
  /** A restart in progress (anvil and Postgres take a moment to answer): stop() waits for it. */
  let restarting: Promise<void> = Promise.resolve()
  /** Exits since it last stayed up `resetAfterMs`: they set the next delay. */
  let consecutive = 0
  let exits: number[] = []
  const state: ChildReport = {
    state: 'running',
    restarts: 0,
    lastExit: null,
    upSince: new Date().toISOString(),
  }
  const changed = () => report({ ...state })

  const up = (next: Child) => {
    child = next
    state.upSince = new Date().toISOString()
    if (state.state !== 'failing') state.state = 'running'
    changed()
    void started?.(next)
    upTimer = setTimeout(() => {
      if (consecutive === 0 && state.state === 'running') return
      // Up long enough: what came before says nothing of the next crash.
      consecutive = 0
      exits = []
      if (state.state === 'failing') log.info(`${what} has stayed up for a minute; no longer failing`)
      state.state = 'running'
      changed()
    }, policy.resetAfterMs)
    upTimer.unref()
    void next.exited.then(() => {
      const how = exitText({ code: next.process.exitCode, signal: next.process.signalCode })
      if (!stopped && !stopping() && child === next) down(`exited (${how})`, next)
    })
  }

  const down = (how: string, exited?: Child) => {
    clearTimeout(upTimer)
    const now = Date.now()
    exits = [...exits.filter((at) => now - at < policy.failingWindowMs), now]
    state.lastExit = {
      code: exited?.process.exitCode ?? null,
      signal: exited?.process.signalCode ?? null,
      at: new Date(now).toISOString(),
    }
    state.upSince = null
    const delay = Math.min(policy.firstDelayMs * 2 ** consecutive, policy.maxDelayMs)
    consecutive += 1
    const failing = exits.length >= policy.failingExits
    if (failing && state.state !== 'failing') {
      log.error(
        `${what} exited ${exits.length} times within a minute; /api/health and /api/readyz report it failing, and it is still restarted, at most ${policy.maxDelayMs / 1000} s apart`,
      )
    }
    state.state = failing ? 'failing' : 'restarting'
    changed()
    log.warn(`${what} ${how}; restarting it in ${delay / 1000} s (restart ${state.restarts + 1})`)
    timer = setTimeout(() => {
      restarting = again()
    }, delay)
  }

  const again = async () => {
    if (stopped || stopping()) return
    state.restarts += 1
    try {
      const next = await restart()
      if (stopped) return void (await next.stop())
      up(next)
    } catch (error) {
      if (!stopped && !stopping()) down(`did not start again (${(error as Error).message})`)
    }
  }

  up(first)
  return {
    current: () => child,
    async stop() {
      stopped = true
      clearTimeout(timer)
      clearTimeout(upTimer)
      await restarting
      await child.stop()
      state.state = 'stopped'
      state.upSince = null
      changed()
    },
  }
}
