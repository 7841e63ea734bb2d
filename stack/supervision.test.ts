import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Health, StackChild } from '../lib/system/api'
import { freePort } from './ports'
import { killProcessesUsing, startUntilExit, startUntilSummary, untilOk } from './testing'

/*
 * `npm start` keeps serving when one of its processes crashes: the crashed one is restarted
 * with backoff, the others are left alone, /api/health says so; and a second `npm start` on
 * the same DATA_DIR refuses to start instead of taking the first one down.
 */

const root = path.resolve(import.meta.dirname, '..')
const dataDir = path.join(root, '.data', `test-supervision-${randomBytes(4).toString('hex')}`)

afterAll(async () => {
  killProcessesUsing(dataDir)
  await rm(dataDir, { recursive: true, force: true })
})

/** The pid `npm start` wrote for one of its children. */
const pidOf = (file: string) => Number.parseInt(readFileSync(path.join(dataDir, file), 'utf8'), 10)

/** A child's entry in /api/health's `stack`. */
const childOf = (health: Record<string, unknown>, name: string) =>
  (health as Health).stack?.children.find((c: StackChild) => c.name === name)

/**
 * GETs `url` every 100 ms until stopped: how many answers came, and every one that was not a
 * 200 (a status or a connection error), to show the web kept answering the whole time.
 */
function pollHealth(url: string) {
  let stopped = false
  const failures: string[] = []
  let answers = 0
  const done = (async () => {
    while (!stopped) {
      try {
        const res = await fetch(url)
        await res.arrayBuffer()
        if (res.status === 200) answers++
        else failures.push(`status ${res.status}`)
      } catch (error) {
        failures.push((error as Error).message)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  })()
  return {
    async stop() {
      stopped = true
      await done
      return { answers, failures }
    },
  }
}

describe('npm start supervision', () => {
  it('npm start restarts a crashed indexer, web server, anvil and Postgres, keeps serving, and refuses a second start on its DATA_DIR', async () => {
    const [web, pg, anvil] = await Promise.all([freePort(), freePort(), freePort()])
    const env = {
      PORT: String(web),
      EMBEDDED_PG_PORT: String(pg),
      ANVIL_PORT: String(anvil),
      DATA_DIR: dataDir,
      EXAMPLE: 'off',
      LOG_FORMAT: 'pretty',
    }
    const stack = await startUntilSummary(env)
    const health = `http://127.0.0.1:${web}/api/health`
    const before = await untilOk(health)
    expect(childOf(before, 'indexer')).toMatchObject({ state: 'running', restarts: 0, lastExit: null })
    expect((before as Health).stack?.children.map((c) => c.name).sort()).toEqual([
      'anvil',
      'indexer',
      'postgres',
      'web',
    ])

    // kill -9 the indexer: restarted after 1 s, while the web answers every poll.
    const indexer = pidOf('indexer.pid')
    const polling = pollHealth(health)
    process.kill(indexer, 'SIGKILL')
    const after = await untilOk(
      health,
      (h) => childOf(h, 'indexer')?.upSince != null && childOf(h, 'indexer')?.restarts === 1,
    )
    const { answers, failures } = await polling.stop()
    expect(failures).toEqual([])
    expect(answers).toBeGreaterThan(5)
    expect(childOf(after, 'indexer')).toMatchObject({
      state: 'running',
      restarts: 1,
      lastExit: { code: null, signal: 'SIGKILL' },
    })
    expect(pidOf('indexer.pid')).not.toBe(indexer)
    expect(stack.output()).toContain('the indexer exited (signal SIGKILL); restarting it in 1 s (restart 1)')

    // A second npm start on the same DATA_DIR says who runs there, and leaves it running.
    const second = await startUntilExit(env)
    expect(second.code, second.output).toBe(1)
    expect(second.output).toContain(
      `Another npm start (pid ${stack.child.pid}) is running on DATA_DIR ${dataDir}; stop it first (Ctrl-C in its terminal, or kill ${stack.child.pid})`,
    )
    expect(second.output).not.toMatch(/left running by a previous run/)
    expect(childOf(await untilOk(health), 'indexer')?.restarts).toBe(1)
    expect(pidOf('indexer.pid')).not.toBe(indexer)

    // kill -9 the web server: restarted, serves again; the stack did not exit.
    const webPid = pidOf('web.pid')
    process.kill(webPid, 'SIGKILL')
    const served = await untilOk(health, (h) => childOf(h, 'web')?.restarts === 1)
    expect(childOf(served, 'web')).toMatchObject({ state: 'running', lastExit: { signal: 'SIGKILL' } })
    expect(childOf(served, 'indexer')?.restarts).toBe(1)
    expect(stack.output()).toContain(
      'the web server exited (signal SIGKILL); restarting it in 1 s (restart 1)',
    )
    expect(stack.child.exitCode).toBeNull()

    // kill -9 anvil, then the embedded Postgres: each comes back on its port and data.
    process.kill(pidOf(path.join('anvil', 'anvil.pid')), 'SIGKILL')
    const chain = await untilOk(health, (h) => childOf(h, 'anvil')?.restarts === 1)
    expect(chain).toMatchObject({ status: 'ok', chain: { ok: true, chainId: 31337 } })
    expect(childOf(chain, 'anvil')).toMatchObject({ state: 'running', lastExit: { signal: 'SIGKILL' } })
    const postmaster = pidOf(path.join('postgres', 'data', 'postmaster.pid'))
    process.kill(postmaster, 'SIGKILL')
    const database = await untilOk(
      health,
      (h) => childOf(h, 'postgres')?.upSince != null && (childOf(h, 'postgres')?.restarts ?? 0) >= 1,
    )
    expect(database).toMatchObject({ status: 'ok', database: { ok: true } })
    expect(childOf(database, 'postgres')?.lastExit).toBeTruthy()
    expect(stack.output()).toContain(
      'the embedded Postgres exited (signal SIGKILL); restarting it in 1 s (restart 1)',
    )
    expect(stack.child.exitCode).toBeNull()

    // Ctrl-C still stops everything once, in order, with exit 0.
    process.kill(-(stack.child.pid as number), 'SIGINT')
    expect(await stack.exited).toBe(0)
    expect(existsSync(path.join(dataDir, 'stack.pid'))).toBe(false)
  }, 900_000)
})
