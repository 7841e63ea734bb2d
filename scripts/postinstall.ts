/**
 * Runs after `npm install`, offline: compiles the contracts (typed ABIs) and generates the
 * Prisma client. `prisma generate` needs no schema engine, but the CLI tries to download one
 * unless PRISMA_SCHEMA_ENGINE_BINARY points at an existing file, so it is pointed at node.
 */
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)

function run(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' })
  if (result.status !== 0) {
    console.error(`postinstall: ${label} failed (exit ${result.status})`)
    process.exit(result.status ?? 1)
  }
}

run('contracts build', process.execPath, [require.resolve('tsx/cli'), 'contracts/build.ts'])
run('prisma generate', process.execPath, [require.resolve('prisma/build/index.js'), 'generate'], {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
})
