/**
 * `npm test`: every check and test, in order of cost. Fails fast on the first red step.
 *   1. the committed contract artifacts match the sources
 *   2. lint and format (biome)      3. types (tsc)
 *   4. unit, contract and integration tests (vitest: real Postgres, real anvil)
 *   5. end-to-end tests (Playwright in Chromium against the stack `npm start` runs)
 * `npm test -- --skip-e2e` stops after step 4.
 */
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const bin = (pkg: string, file: string) =>
  path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file)

type Step = { name: string; args: string[]; before?: () => void }

const steps: Step[] = [
  { name: 'contracts up to date', args: [require.resolve('tsx/cli'), 'contracts/build.ts', '--check'] },
  { name: 'lint', args: [bin('@biomejs/biome', 'bin/biome'), 'check', '.'] },
  { name: 'types', args: [bin('typescript', 'bin/tsc'), '--noEmit', '-p', '.'] },
  { name: 'unit, contract and integration tests', args: [bin('vitest', 'vitest.mjs'), 'run'] },
]
if (!process.argv.includes('--skip-e2e')) {
  steps.push({
    name: 'end-to-end tests',
    args: [bin('@playwright/test', 'cli.js'), 'test'],
    // A fresh stack per run: its own data folder, emptied first.
    before: () => rmSync(path.join(root, '.data/e2e'), { recursive: true, force: true }),
  })
}

const total = performance.now()
for (const step of steps) {
  const started = performance.now()
  process.stdout.write(`\n=== ${step.name}\n`)
  step.before?.()
  const result = spawnSync(process.execPath, step.args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'test' },
  })
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  if (result.status !== 0) {
    process.stdout.write(`\n✗ ${step.name} failed after ${seconds} s\n`)
    process.exit(result.status ?? 1)
  }
  process.stdout.write(`✓ ${step.name} (${seconds} s)\n`)
}
process.stdout.write(`\nAll tests passed in ${((performance.now() - total) / 1000).toFixed(1)} s\n`)
