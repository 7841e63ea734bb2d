/**
 * `npm run build`: everything a production start needs, once, so that no start builds again
 * (a container runs `npm run start:web` on the image's build): the contracts' typed output and
 * the Prisma client (postinstall made them; made again here when a source changed since), and
 * the web app's production build, marked with the hash of its sources, so that `npm start`
 * on the same sources finds it up to date and serves it as built.
 */
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureNextBuild } from '../stack/next'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)

const started = performance.now()
const install = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/postinstall.ts'], {
  cwd: root,
  stdio: 'inherit',
})
if (install.status !== 0) process.exit(install.status ?? 1)
try {
  const build = await ensureNextBuild({
    root,
    env: { ...process.env, NODE_ENV: 'production' },
    onLine: (line) => process.stdout.write(`${line}\n`),
  })
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(
    build.built
      ? `build: the web app is built (${seconds} s); npm start and npm run start:web serve it without building again`
      : `build: the web app's build is up to date (${seconds} s)`,
  )
} catch (error) {
  console.error(`build: ${(error as Error).message}`)
  process.exit(1)
}
