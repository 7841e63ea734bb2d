/**
 * Runs after `npm install` (and as `npm run build`'s first step), offline: compiles the
 * contracts (typed ABIs; not in a production install, which has no solc) and generates the
 * Prisma client. `prisma generate` needs no schema engine, but the CLI tries to download one
 * unless PRISMA_SCHEMA_ENGINE_BINARY points at an existing file, so it is pointed at node.
 */
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)

function resolves(name: string): boolean {
  try {
    require.resolve(name)
    return true
  } catch {
    return false
  }
}

function run(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' })
  if (result.status !== 0) {
    console.error(`postinstall: ${label} failed (exit ${result.status})`)
    process.exit(result.status ?? 1)
  }
}

// solc is a development tool: a production install (`npm install --omit=dev`) has none, and
// uses the committed contracts/generated/ as they are.
if (resolves('solc'))
  run('contracts build', process.execPath, [require.resolve('tsx/cli'), 'contracts/build.ts'])
else
  console.log(
    'postinstall: solc is not installed (a production install): contracts/generated/ is used as committed',
  )
run('prisma generate', process.execPath, [require.resolve('prisma/build/index.js'), 'generate'], {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
})
