/**
 * `npm start`: the one command that runs the product. Starts an embedded Postgres (unless
 * DATABASE_URL is set) and anvil (unless RPC_URL is set), applies migrations, makes sure the
 * factory is deployed, builds and serves the web app, and prints a summary. Ctrl-C or SIGTERM
 * stops every child. `--dev` serves with `next dev` instead.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { errorText, redactUrl, redactUrls } from '../lib/errorText'
import { createChainClient } from '../lib/server/chain'
import { createDb } from '../lib/server/db/client'
import { migrate } from '../lib/server/db/migrate'
import { type Env, parseEnv } from '../lib/server/env'
import { childLine, createLogger, type Logger } from '../lib/server/log'
import { ANVIL_KEYS, startAnvil } from './anvil'
import { type Child, startNodeScript } from './child'
import { ensureFactory, ensureFactoryV2 } from './deploy'
import { EMBEDDED_POSTGRES, LOCAL_ANVIL, requireDevTool } from './devTools'
import { type DataDirLock, lockDataDir } from './instanceLock'
import { ensureNextBuild, startNext, waitForWeb } from './next'
import { stopStackOrphans } from './orphans'
import { startEmbeddedPostgres } from './postgres'
import {
  checkDatabase,
  checkExampleFunder,
  checkKeystore,
  checkNode,
  ensureDataDir,
  ensurePortFree,
  StartError,
} from './preflight'
import { envErrorSentence } from './roles/role'
import { ensurePaymentSecrets, withoutSettledSecretFiles } from './secrets'
import { createStackStatus } from './status'
import { Supervisor } from './supervisor'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

async function main(): Promise<void> {
  const started = performance.now()
  const dev = process.argv.includes('--dev')
  let log = createLogger({ level: 'info' })
  let env: Env
  try {
    env = parseEnv()
  } catch (error) {
    log.error(envErrorSentence(error))
    process.exit(2)
  }
  log = createLogger({ level: env.LOG_LEVEL })
  const stack = new Supervisor(log)
  stack.handleSignals()
  const dataDir = path.resolve(root, env.DATA_DIR)
  /** Writes a child's pid where the next start looks for what a crashed run left running. */
  const pidFile = (name: string) => (child: Child) =>
    writeFile(path.join(dataDir, name), String(child.process.pid))

  try {
    const lock = await preflight(env, dataDir, log)
    // Added first, so released last: the next start may begin once everything has stopped.
    stack.add('the lock of DATA_DIR', lock.release)
    const status = createStackStatus(path.join(dataDir, 'stack-status.json'), (error) =>
      log.warn(`could not write the stack's status for /api/readyz: ${errorText(error)}`),
    )
    await status.phase('starting')
    stack.whenStopping(() => status.phase('stopping'))

    // Database
    let databaseUrl = env.DATABASE_URL
    let databaseLabel = databaseUrl ? redactUrl(databaseUrl) : ''
    if (!databaseUrl) {
      const pgLog = log.child('postgres')
      const pg = await startEmbeddedPostgres({
        dir: path.join(dataDir, 'postgres'),
        port: env.EMBEDDED_PG_PORT,
        onLog: childLine(pgLog),
        ownProcessGroup: true,
      })
      // Restarted on the same data when it exits on its own; its clients reconnect.
      stack.keep({
        name: 'postgres',
        what: 'the embedded Postgres',
        first: pg.server(),
        restart: pg.restart,
        report: (r) => void status.child('postgres', r),
      })
      databaseUrl = pg.url
      databaseLabel = `${pg.safeUrl} (embedded, data in ${path.relative(root, dataDir)}/postgres${pg.socketDir ? ', reached over its Unix socket' : ''})`
    }
    const migrations = await migrate({ databaseUrl, log: (l) => log.info(l) })

    // Chain
    let rpcUrl = env.RPC_URL
    let deployerKey = env.DEPLOYER_PRIVATE_KEY as Hex | undefined
    let devAccounts: string[] = []
    if (!rpcUrl) {
      const anvilDir = path.join(dataDir, 'anvil')
      await mkdir(anvilDir, { recursive: true })
      // Restarted from its state file (dumped every 10 s) when it exits on its own.
      const runAnvil = () =>
        startAnvil({
          port: env.ANVIL_PORT,
          chainId: env.ANVIL_CHAIN_ID,
          statePath: path.join(dataDir, 'anvil', 'state.json'),
          blockTime: env.ANVIL_BLOCK_TIME || undefined,
          logFile: path.join(anvilDir, 'anvil.log'),
        })
      const anvil = await runAnvil()
      const anvilPid = pidFile(path.join('anvil', 'anvil.pid'))
      await anvilPid(anvil)
      stack.keep({
        name: 'anvil',
        what: 'anvil',
        first: anvil,
        restart: runAnvil,
        started: anvilPid,
        report: (r) => void status.child('anvil', r),
      })
      rpcUrl = anvil.url
      deployerKey ??= ANVIL_KEYS[0]
      devAccounts = ANVIL_KEYS.slice(0, 4).map((k) => privateKeyToAccount(k).address)
    }
    const db = createDb({ databaseUrl, max: 2 })
    const factory = await ensureFactory({
      db,
      client: createChainClient({ rpcUrl }),
      rpcUrl,
      factoryAddress: env.FACTORY_ADDRESS,
      factoryBlock: env.FACTORY_BLOCK,
      deployerKey,
      log: (l) => log.info(l),
    })
    // Version 2 channels' factory beside it (price tables); none without a deployer key.
    await ensureFactoryV2({
      db,
      client: createChainClient({ rpcUrl }),
      rpcUrl,
      deployerKey,
      log: (l) => log.info(l),
    })
    await db.$disconnect()

    // Children get what they serve from, not the deployer's key (least privilege).
    const {
      DEPLOYER_PRIVATE_KEY: _deployerKey,
      DEPLOYER_PRIVATE_KEY_FILE: _deployerKeyFile,
      ...inherited
    } = process.env
    const paymentSecrets = await ensurePaymentSecrets({ dataDir, given: env })
    await checkKeystore({ databaseUrl, keystoreSecret: paymentSecrets.keystoreSecret })
    const localChain = !env.RPC_URL
    const childEnv: NodeJS.ProcessEnv = withoutSettledSecretFiles({
      // On the local chain, redeem every 2 minutes so the dashboard shows settlements soon.
      ...(localChain ? { PAYMENT_REDEEM_AFTER_SECONDS: '120' } : {}),
      // On the local chain, the deployer account (anvil's first) may sign service label edits.
      ...(localChain && deployerKey ? { LABEL_ADMINS: privateKeyToAccount(deployerKey).address } : {}),
      ...inherited,
      DATABASE_URL: databaseUrl,
      RPC_URL: rpcUrl,
      NODE_ENV: dev ? 'development' : 'production',
      PAYMENT_ADMIN_KEY: paymentSecrets.adminKey,
      PAYMENT_KEYSTORE_SECRET: paymentSecrets.keystoreSecret,
      STACK_STATUS_FILE: status.file,
      // Children log JSON lines to this process, which writes them in its own format (childLine).
      LOG_FORMAT: 'json',
    })

    // Indexer (backfills while the web app builds)
    const runIndexer = () =>
      startNodeScript({
        name: 'indexer',
        root,
        script: 'indexer/main.ts',
        env: childEnv,
        onLine: indexerLine(log),
      })
    const indexer = runIndexer()
    const indexerPid = pidFile('indexer.pid')
    await indexerPid(indexer)
    stack.keep({
      name: 'indexer',
      what: 'the indexer',
      first: indexer,
      restart: runIndexer,
      started: indexerPid,
      report: (r) => void status.child('indexer', r),
    })

    // Web app
    const webLog = log.child('web')
    if (!dev) {
      log.info('building the web app (skipped when sources are unchanged)...')
      const build = await ensureNextBuild({
        root,
        env: childEnv,
        onLine: childLine(webLog),
        onStart: (child) => stack.add('next build', () => child.stop()),
      })
      log.info(
        build.built
          ? `built the web app in ${(build.ms / 1000).toFixed(1)} s`
          : 'web app build is up to date',
      )
    }
    const exampleOn = env.EXAMPLE === 'on' || (env.EXAMPLE === undefined && localChain)
    if (exampleOn) await status.part('example network', false, 'not yet serving')
    const runWeb = () =>
      startNext({
        root,
        host: env.HOST,
        port: env.PORT,
        dev,
        env: childEnv,
        maxHeapMb: env.WEB_MAX_HEAP_MB,
        onLine: childLine(webLog),
      })
    const web = runWeb()
    const webPid = pidFile('web.pid')
    await webPid(web)
    stack.add('web (starting)', () => web.stop())
    const appUrl = `http://${env.HOST}:${env.PORT}`
    // A web server that exits before it first answers stops the start (a setting is wrong);
    // from its first answer on, it is restarted like the others.
    await waitForWeb({ web, url: `${appUrl}/api/health`, timeoutMs: 120_000 })
    stack.keep({
      name: 'web',
      what: 'the web server',
      first: web,
      restart: runWeb,
      started: webPid,
      report: (r) => void status.child('web', r),
    })

    // Example network (services, channels, live traffic), once the Payment Server answers
    let exampleLine = '  Example       off (EXAMPLE=on runs it on a chain given by RPC_URL)'
    if (exampleOn) {
      const ready = exampleReady()
      const example = startNodeScript({
        name: 'example',
        root,
        script: 'example/main.ts',
        env: withoutSettledSecretFiles({
          ...childEnv,
          PAYMENT_URL: appUrl,
          ...(localChain ? { EXAMPLE_FUNDER_KEY: ANVIL_KEYS[9] } : {}),
        }),
        onLine: ready.line(log),
      })
      await writeFile(path.join(dataDir, 'example.pid'), String(example.process.pid))
      stack.add('example', () => example.stop())
      // The example is a demo: if it fails, the product keeps running and says so.
      void example.exited.then((code) => {
        if (stack.isStopping) return
        log.warn(`the example network exited (code ${code}); the rest keeps running`)
        void status.part(
          'example network',
          false,
          `exited (code ${code}); see its lines in the output of npm start`,
        )
      })
      await Promise.race([ready.done, example.exited])
      if (example.process.exitCode === null) await status.part('example network', true, 'serving')
      const credentials = path.relative(root, path.join(dataDir, 'example-credentials.json'))
      exampleLine = `  Example       ${credentials}  (API keys of the example services; npm run example runs it alone)`
    }

    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    const lines = [
      '',
      `  Channel inspector is running (ready in ${seconds} s)`,
      `  Web app       ${appUrl}`,
      `  Explorer API  ${appUrl}/api/openapi.json  (blocks, transactions, addresses, channels, search)`,
      `  Health        ${appUrl}/api/health  (ready: ${appUrl}/api/readyz)`,
      `  Indexer       ${appUrl}/api/status  (npm run start:indexer runs it alone)`,
      `  Chain         ${redactUrl(rpcUrl)}  (chain id ${factory.chainId}${env.RPC_URL ? '' : ', local anvil'})`,
      `  Factory       ${factory.address}  (block ${factory.blockNumber}${factory.deployed ? ', deployed now' : ''})`,
      `  Database      ${databaseLabel}`,
      exampleLine,
      `  Payment API   ${appUrl}/api/payment/openapi.json  (admin key ${paymentSecrets.adminKeyFrom === 'environment' ? 'from the environment' : `in ${path.relative(root, paymentSecrets.adminKeyFrom.file)}`})`,
      `  API docs      ${appUrl}/api/docs  (both APIs; the client package: packages/payment-client/README.md)`,
      `  Costs         ${appUrl}/costs  (label admins: ${childEnv.LABEL_ADMINS || 'none; set LABEL_ADMINS'})`,
      `  Migrations    ${migrations.applied.length} applied now, ${migrations.alreadyApplied.length} already`,
    ]
    if (devAccounts.length > 0) {
      lines.push(`  Dev accounts  ${devAccounts.join('\n                ')}`)
      lines.push("                (anvil's public test mnemonic: test test ... junk; test ether only)")
    }
    lines.push('  Press Ctrl-C to stop.', '')
    process.stdout.write(`${lines.join('\n')}\n`)
    await status.phase('running')
  } catch (error) {
    if (stack.isStopping) return // Ctrl-C during the start: the signal handler exits.
    // One sentence: a StartError is written for the operator; anything else is cut to its cause.
    log.error(error instanceof StartError ? error.message : `the start failed: ${errorText(error)}`)
    await stack.stopAll('start failed')
    process.exit(1)
  }
}

/**
 * What is checked before anything starts, so that a setting the start cannot go on with stops
 * it at once, in one sentence: the data folder and that no other `npm start` runs on it (its
 * lock), what a crashed run left running (stopped first, as it holds the ports), the ports to
 * listen on, and the node and database given. Resolves with the data folder's lock.
 */
async function preflight(env: Env, dataDir: string, log: Logger): Promise<DataDirLock> {
  await ensureDataDir(dataDir)
  const lock = await lockDataDir(dataDir)
  try {
    // Only a run that is gone leaves its lock behind: what it started may still hold the ports.
    if (lock.tookOver) await stopStackOrphans(dataDir, log)
    await checkSettings(env)
  } catch (error) {
    await lock.release()
    throw error
  }
  return lock
}

/** The ports to listen on are free, and the node and database given answer. */
async function checkSettings(env: Env): Promise<void> {
  await ensurePortFree({
    port: env.PORT,
    host: env.HOST,
    setting: 'PORT',
    what: 'the web app',
    todo: 'stop that server or set PORT to a free port',
  })
  if (env.RPC_URL) await checkNode(env.RPC_URL)
  // Only EXAMPLE=on runs the example on a chain given by RPC_URL (it spends real ether there).
  if (env.RPC_URL && env.EXAMPLE === 'on')
    await checkExampleFunder({ rpcUrl: env.RPC_URL, funderKey: env.EXAMPLE_FUNDER_KEY as Hex | undefined })
  else {
    requireDevTool(LOCAL_ANVIL)
    await ensurePortFree({
      port: env.ANVIL_PORT,
      setting: 'ANVIL_PORT',
      what: 'the local anvil',
      todo: 'stop that server, set ANVIL_PORT to a free port, or set RPC_URL to use another node',
    })
  }
  if (env.DATABASE_URL) await checkDatabase(env.DATABASE_URL)
  else requireDevTool(EMBEDDED_POSTGRES)
}

/** Passes the example's `[example]` lines through (URLs redacted); `done` resolves once it serves traffic. */
function exampleReady() {
  let resolve: () => void = () => {}
  const done = new Promise<void>((r) => {
    resolve = r
  })
  return {
    done,
    line: (log: Logger) => (line: string) => {
      if (!line.trim()) return
      if (line.startsWith('[example]')) {
        process.stdout.write(`${redactUrls(line)}\n`)
        if (line.includes('serving ')) resolve()
      } else childLine(log.child('example'))(line)
    },
  }
}

/** The indexer's lines: its JSON lines in this process's format, anything else by childLine's rules. */
const indexerLine = (log: Logger): ((line: string) => void) => childLine(log.child('indexer'))

void main()
