import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MIGRATIONS_DIR } from '../lib/server/db/migrate'
import { freePort, isListening } from './ports'

const root = path.resolve(import.meta.dirname, '..')
const dataDir = path.join(root, '.data', `test-stack-${randomBytes(4).toString('hex')}`)

afterAll(async () => {
  // When an assertion failed mid-run, do not leave the stack's processes behind.
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
  for (const line of ps.split('\n')) {
    if (line.includes(dataDir)) process.kill(Number.parseInt(line.trim(), 10), 'SIGKILL')
  }
  await rm(dataDir, { recursive: true, force: true })
})

type Run = { output: string; code: number | null; ports: number[] }

/**
 * Runs `npm start`'s entry point until it prints its summary, checks health, then signals it:
 * SIGINT/SIGTERM to the process group (Ctrl-C), or SIGKILL to the orchestrator alone (a crash).
 */
async function runStack(
  signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL',
): Promise<Run & { health: Record<string, unknown> }> {
  const [web, pg, anvil] = await Promise.all([freePort(), freePort(), freePort()])
  const child = spawn(
    process.execPath,
    // As `npm start` runs it: tsx as a loader in the same process, no signal-relaying wrapper.
    ['--import', 'tsx', 'stack/start.ts'],
    {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: '',
        RPC_URL: '',
        PORT: String(web),
        EMBEDDED_PG_PORT: String(pg),
        ANVIL_PORT: String(anvil),
        DATA_DIR: dataDir,
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout.on('data', (c) => {
    output += c
  })
  child.stderr.on('data', (c) => {
    output += c
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const deadline = Date.now() + 170_000
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`stack did not start:\n${output}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  const health = (await (await fetch(`http://127.0.0.1:${web}/api/health`)).json()) as Record<string, unknown>
  // Ctrl-C in a terminal signals the whole foreground process group; a crash kills one process.
  process.kill(signal === 'SIGKILL' ? child.pid! : -child.pid!, signal)
  const code = await exited
  return { output, code, health, ports: [web, pg, anvil] }
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
    expect(first.code).toBe(0)
    for (const port of first.ports) expect(await isListening(port)).toBe(false)
    expect(processesUsing(dataDir)).toEqual([])

    // The second start keeps the database and the chain: nothing to migrate, nothing to deploy.
    const second = await runStack('SIGTERM')
    const factory = /Factory\s+(0x[0-9a-f]{40})/.exec(first.output)?.[1]
    expect(second.output).toMatch(new RegExp(`Migrations\\s+0 applied now, ${migrationCount} already`))
    expect(second.output).toContain(`Factory       ${factory}`)
    expect(second.output).not.toMatch(/deployed now/)
    expect(second.code).toBe(0)
    for (const port of second.ports) expect(await isListening(port)).toBe(false)
    expect(processesUsing(dataDir)).toEqual([])
  }, 400_000)

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
  }, 400_000)
})
