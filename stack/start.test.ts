import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MIGRATIONS_DIR } from '../lib/server/db/migrate'
import { freePort, isListening } from './ports'
import { killProcessesUsing, runUntilSummary } from './testing'

const root = path.resolve(import.meta.dirname, '..')
const dataDir = path.join(root, '.data', `test-stack-${randomBytes(4).toString('hex')}`)

afterAll(async () => {
  // When an assertion failed mid-run, do not leave the stack's processes behind.
  killProcessesUsing(dataDir)
  await rm(dataDir, { recursive: true, force: true })
})

/** `npm start` on the embedded defaults, on free ports, in this suite's data folder. */
async function runStack(signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL') {
  const ports = await Promise.all([freePort(), freePort(), freePort()])
  const [web, pg, anvil] = ports
  const run = await runUntilSummary({
    env: { PORT: String(web), EMBEDDED_PG_PORT: String(pg), ANVIL_PORT: String(anvil), DATA_DIR: dataDir },
    port: web,
    signal,
  })
  return { ...run, ports }
}

function processesUsing(dir: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
  return ps.split('\n').filter((line) => line.includes(dir))
}

/** Every migration folder: a fresh start applies them all, the next one none. */
const migrationCount = readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((e) =>
  e.isDirectory(),
).length

describe('npm start', () => {
  it('starts everything, answers /api/health, and leaves nothing running after Ctrl-C or SIGTERM', async () => {
    const first = await runStack('SIGINT')
    expect(first.output).toMatch(/Channel inspector is running/)
    expect(first.output).toMatch(new RegExp(`Migrations\\s+${migrationCount} applied now, 0 already`))
    expect(first.output).toMatch(/Factory\s+0x[0-9a-f]{40}\s+\(block \d+, deployed now\)/)
    expect(first.output).not.toMatch(/postgresql:\/\/postgres:[^*]/)
    expect(first.health).toMatchObject({ status: 'ok', chain: { ok: true, chainId: 31337 } })
    expect(first.ready).toMatchObject({ ready: true, degraded: false, reasons: [] })
    expect((first.ready.parts as { name: string }[]).map((p) => p.name)).toEqual([
      'database',
      'migrations',
      'service keys',
      'chain node',
      'indexer',
      'example network',
    ])
    // Postgres stops last, once its clients are gone: no client sees it shutting down.
    expect(first.stopOutput).not.toMatch(/FATAL|shutting down|error/i)
    expect(first.code).toBe(0)
    for (const port of first.ports) expect(await isListening(port)).toBe(false)
    expect(processesUsing(dataDir)).toEqual([])

    // The second start keeps the database and the chain: nothing to migrate, nothing to deploy.
    const second = await runStack('SIGTERM')
    const factory = /Factory\s+(0x[0-9a-f]{40})/.exec(first.output)?.[1]
    expect(second.output).toMatch(new RegExp(`Migrations\\s+0 applied now, ${migrationCount} already`))
    expect(second.output).toContain(`Factory       ${factory}`)
    expect(second.output).not.toMatch(/deployed now/)
    expect(second.stopOutput).not.toMatch(/FATAL|shutting down|error/i)
    expect(second.code).toBe(0)
    for (const port of second.ports) expect(await isListening(port)).toBe(false)
    expect(processesUsing(dataDir)).toEqual([])
  }, 900_000)

  it('recovers after the orchestrator itself was killed with SIGKILL (orphans are stopped, data kept)', async () => {
    const crashed = await runStack('SIGKILL')
    expect(crashed.code).toBeNull()
    // Its children outlive it (nothing can stop them from a SIGKILLed parent)...
    expect(processesUsing(dataDir).length).toBeGreaterThan(0)
    // ...and the next start stops them and carries on with the same database and chain.
    const next = await runStack('SIGTERM')
    expect(next.output).toMatch(/stopped an anvil left running by a previous run/)
    expect(next.output).toMatch(/Migrations\s+0 applied now/)
    expect(next.output).not.toMatch(/deployed now/)
    expect(next.health).toMatchObject({ status: 'ok' })
    expect(next.code).toBe(0)
    for (const port of next.ports) expect(await isListening(port)).toBe(false)
    expect(processesUsing(dataDir)).toEqual([])
  }, 900_000)
})
