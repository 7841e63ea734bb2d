/**
 * `npm run start:web`: the web role, the production build of the web app with the Payment
 * Server and its fast path (../web.ts) on HOST:PORT, against DATABASE_URL and RPC_URL. It runs
 * the Payment Server's background runner too unless PAYMENT_RUNNER=off (one instance at a time
 * holds the runner's lock; instrumentation.ts starts it). It starts no Postgres, no anvil, no
 * indexer, and does not build: `npm run build` does, once per release. `npm start` runs this
 * same entry point as its web child, with --hostname and --port.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { StartError } from '../preflight'
import { roleEnv, runRole } from './role'

const root = path.resolve(import.meta.dirname, '..', '..')
// What `next start` shows too, from the first moment: stack/orphans finds a web server left
// running by a crashed npm start by it.
process.title = 'next-server (stack/web.ts)'

runRole('web', async () => {
  const env = roleEnv('npm run start:web', ['DATABASE_URL', 'RPC_URL'])
  const { values } = parseArgs({ options: { hostname: { type: 'string' }, port: { type: 'string' } } })
  if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) {
    throw new StartError(
      `There is no production build of the web app in ${path.join(root, '.next')}; run npm run build first (the web role serves a build, it does not make one).`,
    )
  }
  // Next.js reads NODE_ENV when it loads: a production build is served as production.
  Object.assign(process.env, { NODE_ENV: 'production' })
  const { serveWeb } = await import('../web')
  await serveWeb({
    root,
    hostname: values.hostname ?? env.HOST,
    port: values.port ? Number(values.port) : env.PORT,
  })
})
