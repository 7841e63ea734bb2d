import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lockDataDir } from './instanceLock'
import { StartError } from './preflight'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'instance-lock-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** A pid no process has (beyond the kernel's default pid_max). */
const DEAD_PID = 4_194_305

describe('lockDataDir()', () => {
  it('takes a fresh folder, and a stale lock over once, however many starts try at the same moment', async () => {
    const fresh = await lockDataDir(dir)
    expect(fresh.tookOver).toBe(false)
    await fresh.release()

    // A crashed run's lock: two starts find it at once; exactly one takes it over.
    await writeFile(path.join(dir, 'stack.pid'), `${DEAD_PID}\n`)
    const [a, b] = await Promise.allSettled([lockDataDir(dir), lockDataDir(dir)])
    const won = [a, b].filter((r) => r.status === 'fulfilled')
    const refused = [a, b].filter((r) => r.status === 'rejected')
    expect(won).toHaveLength(1)
    expect((won[0] as PromiseFulfilledResult<{ tookOver: boolean }>).value.tookOver).toBe(true)
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(StartError)
    expect((refused[0] as PromiseRejectedResult).reason.message).toMatch(
      new RegExp(`^Another npm start \\(pid ${process.pid}\\) is running on DATA_DIR`),
    )
    expect(await readFile(path.join(dir, 'stack.pid'), 'utf8')).toBe(`${process.pid}\n`)
    await expect(readFile(path.join(dir, 'stack.pid.takeover'))).rejects.toThrow(/ENOENT/)
  })

  it('takes over a guard left by a start that died while taking over', async () => {
    await writeFile(path.join(dir, 'stack.pid'), `${DEAD_PID}\n`)
    await writeFile(path.join(dir, 'stack.pid.takeover'), `${DEAD_PID}\n`)
    const lock = await lockDataDir(dir)
    expect(lock.tookOver).toBe(true)
    await expect(readFile(path.join(dir, 'stack.pid.takeover'))).rejects.toThrow(/ENOENT/)
    await lock.release()
  })
})
