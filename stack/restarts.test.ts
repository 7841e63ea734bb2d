import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { failingChildren, readStackStatus } from '../lib/server/system/stackStatus'
import { memoryLogger } from '../test/kit/indexer'
import { spawnChild } from './child'
import { type ChildReport, keepRunning, RESTART_POLICY } from './restarts'
import { createStackStatus } from './status'

/*
 * keepRunning() on real processes: a child that exits is started again with backoff, one that
 * keeps exiting right after its start is reported failing (in the status file the web reads),
 * and stop() ends it for good. Delays are shortened; the rule is the same.
 */

const statusFile = path.join(tmpdir(), `stack-status-${randomBytes(4).toString('hex')}.json`)
afterAll(() => rm(statusFile, { force: true }))

/** A node process that runs until stopped, or one that exits with `code` at once. */
const node = (code?: number) =>
  spawnChild({
    name: 'test child',
    command: process.execPath,
    args: ['-e', code === undefined ? 'setInterval(() => {}, 1000)' : `process.exit(${code})`],
  })

/** Resolves once `check` holds for the last report. */
function reportsUntil(reports: ChildReport[], check: (r: ChildReport) => boolean): Promise<ChildReport> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const last = reports.at(-1)
      if (last && check(last)) {
        clearInterval(timer)
        resolve(last)
      }
    }, 10)
  })
}

describe('keepRunning()', () => {
  it('keepRunning() restarts a killed child with doubling delays and reports it failing after 5 exits within a minute', async () => {
    const log = memoryLogger()
    const status = createStackStatus(statusFile, (error) => {
      throw error
    })
    const reports: ChildReport[] = []
    const first = node()
    const kept = keepRunning({
      what: 'the test child',
      first,
      // Every restart exits at once with code 3: a process that cannot start.
      restart: () => node(3),
      report: (r) => {
        reports.push(r)
        void status.child('indexer', r)
      },
      log,
      policy: { ...RESTART_POLICY, firstDelayMs: 10, maxDelayMs: 40 },
    })
    expect(reports.at(-1)).toMatchObject({ state: 'running', restarts: 0, lastExit: null })
    process.kill(first.process.pid as number, 'SIGKILL')

    const failing = await reportsUntil(reports, (r) => r.state === 'failing')
    expect(failing).toMatchObject({ restarts: 4, lastExit: { code: 3, signal: null }, upSince: null })
    const exits = log.lines.filter((line) => line.includes('restarting it in'))
    expect(exits).toEqual([
      '[indexer] warn: the test child exited (signal SIGKILL); restarting it in 0.01 s (restart 1)',
      '[indexer] warn: the test child exited (code 3); restarting it in 0.02 s (restart 2)',
      '[indexer] warn: the test child exited (code 3); restarting it in 0.04 s (restart 3)',
      '[indexer] warn: the test child exited (code 3); restarting it in 0.04 s (restart 4)',
      '[indexer] warn: the test child exited (code 3); restarting it in 0.04 s (restart 5)',
    ])
    expect(log.lines).toContain(
      '[indexer] error: the test child exited 5 times within a minute; /api/health and /api/readyz report it failing, and it is still restarted, at most 0.04 s apart',
    )

    // What /api/readyz reads: the stack's status file names the failing process.
    await status.phase('running')
    const written = await readStackStatus(statusFile)
    expect(written?.children?.indexer?.state).toBe('failing')
    expect(failingChildren(written as NonNullable<typeof written>)).toEqual([
      {
        name: 'indexer process',
        ready: false,
        state: expect.stringMatching(
          /^failing: it exits again right after each start \(\d+ restarts, last exit code 3 at .+\); the stack keeps restarting it with backoff$/,
        ),
      },
    ])

    await kept.stop()
    const restarts = reports.at(-1)?.restarts
    expect(reports.at(-1)).toMatchObject({ state: 'stopped', upSince: null })
    await new Promise((r) => setTimeout(r, 200))
    expect(reports.at(-1)?.restarts).toBe(restarts)
  })

  it('keepRunning() starts its backoff again once the child stayed up long enough', async () => {
    const log = memoryLogger()
    const reports: ChildReport[] = []
    const first = node()
    let current = first
    const kept = keepRunning({
      what: 'the test child',
      first,
      restart: () => {
        current = node()
        return current
      },
      report: (r) => reports.push(r),
      log,
      policy: { ...RESTART_POLICY, firstDelayMs: 10, maxDelayMs: 1_000, resetAfterMs: 300 },
    })
    process.kill(first.process.pid as number, 'SIGKILL')
    await reportsUntil(reports, (r) => r.restarts === 1 && r.state === 'running')
    const second = current
    process.kill(second.process.pid as number, 'SIGKILL')
    await reportsUntil(reports, (r) => r.restarts === 2 && r.state === 'running')
    // Up past resetAfterMs: the next exit waits the first delay again, not the third.
    await new Promise((r) => setTimeout(r, 400))
    process.kill(current.process.pid as number, 'SIGKILL')
    await reportsUntil(reports, (r) => r.restarts === 3)
    expect(
      log.lines.filter((line) => line.includes('restarting it in')).map((l) => /in ([\d.]+) s/.exec(l)?.[1]),
    ).toEqual(['0.01', '0.02', '0.01'])
    expect(kept.current()).toBe(current)
    await kept.stop()
  })
})
