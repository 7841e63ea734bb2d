import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'

/** True while the process `pid` exists (signal 0 checks without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The command line of process `pid`, its arguments joined by spaces ('' when it is gone). */
export async function commandLine(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ')
  } catch {
    return ''
  }
}

/**
 * Stops a process left behind by a previous run that was killed without cleanup (SIGKILL,
 * power loss): the pid comes from `pidFile`, and it is only touched when its command line
 * still contains `mustContain` (so a recycled pid of an unrelated process is never signalled).
 * Returns true when an orphan was stopped.
 */
export async function stopOrphan({
  pidFile,
  mustContain,
  signal = 'SIGTERM',
}: {
  pidFile: string
  mustContain: string[]
  signal?: NodeJS.Signals
}): Promise<boolean> {
  if (!existsSync(pidFile)) return false
  const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10)
  if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return false
  const cmd = await commandLine(pid)
  if (!mustContain.every((part) => cmd.includes(part))) return false
  process.kill(pid, signal)
  const deadline = Date.now() + 10_000
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  if (alive(pid)) process.kill(pid, 'SIGKILL')
  while (alive(pid)) await new Promise((r) => setTimeout(r, 20))
  await rm(pidFile, { force: true }).catch(() => {})
  return true
}
