import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import path from 'node:path'

export type Child = {
  name: string
  process: ChildProcess
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>
  /** Its last output lines (at most 20; none with `logFile`), to say why it exited. */
  tail(): string[]
}

export type SpawnChildParameters = {
  name: string
  command: string
  args: string[]
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Called with each complete output line (stdout and stderr). */
  onLine?: (line: string) => void
  /**
   * Append stdout and stderr to this file instead of piping them (`onLine` is then unused): a
   * child that outlives a crashed orchestrator must not die of writing to a closed pipe.
   */
  logFile?: string
  /** Run as this user and group (Postgres refuses to run as root). */
  uid?: number
  gid?: number
  /**
   * In a process group of its own (the default), so a Ctrl-C at the terminal reaches only the
   * orchestrator, which stops its children in order; false keeps it in the caller's group.
   */
  detached?: boolean
  /** What `stop()` sends first (Postgres shuts down fast on SIGINT, waits for clients on SIGTERM). */
  stopSignal?: NodeJS.Signals
}

/**
 * Spawns a long-running child in its own process group, so stopping it also stops anything it
 * started, and nothing survives the orchestrator.
 */
export function spawnChild({
  name,
  command,
  args,
  env,
  cwd,
  onLine,
  logFile,
  uid,
  gid,
  detached = true,
  stopSignal = 'SIGTERM',
}: SpawnChildParameters): Child {
  const fd = logFile ? openSync(logFile, 'a') : undefined
  const child = spawn(command, args, {
    env: env ?? process.env,
    cwd,
    stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
    detached,
    ...(uid === undefined ? {} : { uid }),
    ...(gid === undefined ? {} : { gid }),
  })
  if (fd !== undefined) closeSync(fd)
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.once('error', () => resolve(null))
  })
  const tail: string[] = []
  const line = (text: string) => {
    tail.push(text)
    if (tail.length > 20) tail.shift()
    onLine?.(text)
  }
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = ''
    stream?.setEncoding('utf8')
    stream?.on('data', (chunk: string) => {
      buffer += chunk
      let newline = buffer.indexOf('\n')
      while (newline >= 0) {
        line(buffer.slice(0, newline))
        buffer = buffer.slice(newline + 1)
        newline = buffer.indexOf('\n')
      }
    })
  }
  let stopping: Promise<void> | undefined
  const signal = (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
    try {
      // The whole group when it has its own, so nothing it started survives it.
      process.kill(detached ? -child.pid : child.pid, sig)
    } catch {
      // The group is already gone.
    }
  }
  return {
    name,
    process: child,
    exited,
    tail: () => [...tail],
    stop(graceMs = 5_000) {
      stopping ??= (async () => {
        signal(stopSignal)
        const timer = setTimeout(() => signal('SIGKILL'), graceMs)
        await exited
        clearTimeout(timer)
      })()
      return stopping
    },
  }
}

/**
 * Runs one of the product's TypeScript entry points (`indexer/main.ts`, `example/main.ts`) as
 * a child: `node --import tsx`, not the tsx CLI, which relays signals late and may kill it.
 */
export function startNodeScript({
  name,
  root,
  script,
  env,
  onLine,
}: {
  name: string
  root: string
  /** Path relative to `root`. */
  script: string
  env: NodeJS.ProcessEnv
  onLine: (line: string) => void
}): Child {
  return spawnChild({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', path.join(root, script)],
    cwd: root,
    env,
    onLine,
  })
}
