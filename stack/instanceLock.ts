import { randomBytes } from 'node:crypto'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { alive, commandLine } from './orphans'
import { StartError } from './preflight'

/** What {@link lockDataDir} gives: whether a crashed run's lock was taken over, and `release()`. */
export type DataDirLock = {
  file: string
  /** True when a run that is gone left its lock: what it started may still run (orphans). */
  tookOver: boolean
  /** Removes the lock if it is still this process's. */
  release(): Promise<void>
}

/** The pid a lock file names, or null when it names none. */
async function lockHolder(file: string): Promise<number | null> {
  const pid = Number.parseInt((await readFile(file, 'utf8').catch(() => '')).split('\n')[0] ?? '', 10)
  return Number.isInteger(pid) && pid > 1 ? pid : null
}

/**
 * Makes this process the one `npm start` of `dataDir`, as Postgres's postmaster.pid does for its
 * data directory: `<dataDir>/stack.pid` holds its pid, created exclusively. When the file
 * exists and names a live `npm start` (its command line runs stack/start.ts), the start is
 * refused with a sentence naming that pid and how to stop it; a lock whose process is gone (a
 * crashed or SIGKILLed run; a recycled pid running something else) is taken over.
 * @example const lock = await lockDataDir('.data') // StartError while another npm start runs there
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const file = path.join(dataDir, 'stack.pid')
  const mine = `${process.pid}\n`
  const release = async () => {
    if ((await lockHolder(file)) === process.pid) await rm(file, { force: true })
  }
  try {
    await writeFile(file, mine, { flag: 'wx' })
    return { file, tookOver: false, release }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  // Taking a stale lock over happens under a guard file, created exclusively: of two starts
  // that find the same dead holder at once, the second finds the guard (or, once the first is
  // done, the first as a live holder) and is refused.
  const guard = `${file}.takeover`
  try {
    await writeFile(guard, mine, { flag: 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    const other = await lockHolder(guard)
    if (other !== null && alive(other)) throw refusal(other, dataDir)
    // A guard left by a start that died while taking over: take it.
    await writeFile(guard, mine)
  }
  try {
    const holder = await lockHolder(file)
    if (
      holder !== null &&
      holder !== process.pid &&
      alive(holder) &&
      (await commandLine(holder)).includes('stack/start.ts')
    )
      throw refusal(holder, dataDir)
    // Written aside and renamed over the stale one: a reader never sees half a pid.
    const aside = `${file}.${randomBytes(4).toString('hex')}.tmp`
    await writeFile(aside, mine)
    await rename(aside, file)
    return { file, tookOver: true, release }
  } finally {
    if ((await lockHolder(guard)) === process.pid) await rm(guard, { force: true })
  }
}

/** The start refused while `holder`, another npm start, runs on `dataDir`. */
const refusal = (holder: number, dataDir: string) =>
  new StartError(
    `Another npm start (pid ${holder}) is running on DATA_DIR ${dataDir}; stop it first (Ctrl-C in its terminal, or kill ${holder}), or set DATA_DIR to another folder for a second stack.`,
  )
