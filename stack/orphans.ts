import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from '../lib/server/log'

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

/**
 * Stops what a crashed `npm start` on `dataDir` left running, from the pid files it writes
 * there (anvil, indexer, web server, example network; the embedded Postgres is found by its
 * own postmaster.pid), each logged as one warning when `log` is given.
 */
export async function stopStackOrphans(dataDir: string, log?: Logger): Promise<void> {
  const orphans = [
    {
      name: 'an anvil',
      pidFile: path.join(dataDir, 'anvil', 'anvil.pid'),
      mustContain: ['anvil', path.join(dataDir, 'anvil')],
    },
    { name: 'an indexer', pidFile: path.join(dataDir, 'indexer.pid'), mustContain: ['indexer/main.ts'] },
    { name: 'a web server', pidFile: path.join(dataDir, 'web.pid'), mustContain: ['next'] },
    {
      name: 'an example network',
      pidFile: path.join(dataDir, 'example.pid'),
      mustContain: ['example/main.ts'],
    },
  ]
  for (const { name, ...orphan } of orphans) {
    if (await stopOrphan(orphan)) log?.warn(`stopped ${name} left running by a previous run`)
  }
}
