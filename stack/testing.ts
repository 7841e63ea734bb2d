import { type ChildProcessByStdio, execFileSync, spawn } from 'node:child_process'
import path from 'node:path'
import type { Readable } from 'node:stream'

const root = path.resolve(import.meta.dirname, '..')

/** `npm start`'s entry point running as a real process, its output collected as it comes. */
export type StartedStack = {
  child: ChildProcessByStdio<null, Readable, Readable>
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>
}

/**
 * Spawns `stack/start.ts` as `npm start` runs it (tsx as a loader in the same process, no
 * signal-relaying wrapper) in its own process group, with `env` over this process's and the
 * embedded defaults (no DATABASE_URL, no RPC_URL).
 */
function spawnStart(env: Record<string, string>): StartedStack {
  // The text format the tests read (a pipe would get JSON lines).
  return spawnCollecting(process.execPath, ['--import', 'tsx', 'stack/start.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', RPC_URL: '', LOG_FORMAT: 'pretty', ...env },
  })
}

/**
 * Spawns `command` in a process group of its own, its stdout and stderr collected as they come
 * (the stack's tests and the roles' tests run their processes this way).
 */
export function spawnCollecting(
  command: string,
  args: string[],
  { cwd, env }: { cwd: string; env: NodeJS.ProcessEnv },
): StartedStack {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (c) => {
    output += c
  })
  child.stderr.on('data', (c) => {
    output += c
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

/** Runs the start until it exits on its own (a start that cannot go on): its code and output. */
export async function startUntilExit(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const started = spawnStart(env)
  const code = await started.exited
  return { code, output: started.output() }
}

/** SIGKILLs every process whose command line names `dir` (a failed test leaves none behind). */
export function killProcessesUsing(dir: string): void {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
  for (const line of ps.split('\n')) {
    if (line.includes(dir)) process.kill(Number.parseInt(line.trim(), 10), 'SIGKILL')
  }
}

/**
 * GET `url` until it answers 200 (the start's readiness comes a little after its summary; a
 * restarted server listens again a little after it started), and its JSON body satisfies `until`.
 */
export async function untilOk(
  url: string,
  until: (body: Record<string, unknown>) => boolean = () => true,
): Promise<Record<string, unknown>> {
  for (;;) {
    const res = await fetch(url).catch(() => null)
    const body = res?.ok ? ((await res.json()) as Record<string, unknown>) : null
    if (body && until(body)) return body
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** What {@link runUntilSummary} saw: all output, what came from the signal on, and the answers. */
export type SummaryRun = {
  output: string
  stopOutput: string
  code: number | null
  health: Record<string, unknown>
  ready: Record<string, unknown>
}

/**
 * Starts the stack with `env` and resolves once it printed its summary (however long a build
 * of changed sources takes: the test's own timeout bounds the wait); throws when it exits first.
 */
export async function startUntilSummary(env: Record<string, string>): Promise<StartedStack> {
  const stack = spawnStart(env)
  while (!stack.output().includes('Press Ctrl-C to stop.')) {
    if (stack.child.exitCode !== null) throw new Error(`stack did not start:\n${stack.output()}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  return stack
}

/**
 * Runs the start with `env` until it prints its summary, reads /api/health and (once ready)
 * /api/readyz on `port`, then signals it: SIGINT/SIGTERM to the process group (Ctrl-C), or
 * SIGKILL to the orchestrator alone (a crash), and waits for its exit.
 */
export async function runUntilSummary({
  env,
  port,
  signal,
}: {
  env: Record<string, string>
  port: number
  signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL'
}): Promise<SummaryRun> {
  const stack = await startUntilSummary(env)
  const health = (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as Record<
    string,
    unknown
  >
  const ready = await untilOk(`http://127.0.0.1:${port}/api/readyz`)
  const before = stack.output().length
  // Ctrl-C in a terminal signals the whole foreground process group; a crash kills one process.
  process.kill(signal === 'SIGKILL' ? stack.child.pid! : -stack.child.pid!, signal)
  const code = await stack.exited
  const output = stack.output()
  return { output, stopOutput: output.slice(before), code, health, ready }
}
