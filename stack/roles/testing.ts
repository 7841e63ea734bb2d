import { spawnCollecting } from '../testing'

const root = new URL('../..', import.meta.url).pathname

/** A role (`npm run <script>`) running as a real process, in a process group of its own. */
export type RoleProcess = {
  pid: number
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string
  /**
   * Resolves with npm's exit code (null when killed by a signal) once every process of the
   * role has closed its output too: npm ends on a signal at once, the role's node process may
   * still be writing its last lines (a stop's sentence).
   */
  exited: Promise<number | null>
  /** Signals the whole group (npm, its shell and the role's node process). */
  kill(signal: NodeJS.Signals): void
}

/**
 * Runs `npm run <script>` as an operator would, with `env` over this process's (without the
 * variables npm start gives its children, so the role sees only what the test gives it), in
 * the checkout `cwd` (default this one).
 */
export function runScript(script: string, env: Record<string, string>, cwd = root): RoleProcess {
  const { STACK_STATUS_FILE: _status, ...inherited } = process.env
  const { child, output } = spawnCollecting('npm', ['run', '--silent', script], {
    cwd,
    env: { ...inherited, LOG_FORMAT: 'pretty', ...env },
  })
  return {
    pid: child.pid as number,
    output,
    exited: new Promise((resolve) => child.once('close', (code) => resolve(code))),
    kill(signal) {
      try {
        process.kill(-(child.pid as number), signal)
      } catch {
        // Already gone.
      }
    },
  }
}

/** Runs `npm run <script>` to its end: its exit code and output. */
export async function runToEnd(script: string, env: Record<string, string>, cwd = root) {
  const role = runScript(script, env, cwd)
  const code = await role.exited
  return { code, output: role.output() }
}

/** Polls `check` every 200 ms until it returns something other than undefined. */
export async function until<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 200))
  }
}
