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
import { createChainClient } from '../lib/server/chain'
import { createDb } from '../lib/server/db/client'
import { migrate } from '../lib/server/db/migrate'
import { parseEnv } from '../lib/server/env'
import { childLine, createLogger, type Logger } from '../lib/server/log'
import { ANVIL_KEYS, startAnvil } from './anvil'
import { startNodeScript } from './child'
import { ensureFactory } from './deploy'
import { ensureNextBuild, startNext, waitForHttp } from './next'
import { stopOrphan } from './orphans'
import { startEmbeddedPostgres } from './postgres'
import { ensurePaymentSecrets } from './secrets'
import { Supervisor } from './supervisor'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

async function main(): Promise<void> {
  const started = performance.now()
  const dev = process.argv.includes('--dev')
  const env = parseEnv()
  const log = createLogger({ level: env.LOG_LEVEL })
  const stack = new Supervisor(log)
  stack.handleSignals()
  const dataDir = path.resolve(root, env.DATA_DIR)
  await mkdir(dataDir, { recursive: true })

  try {
    // Database
    let databaseUrl = env.DATABASE_URL
    let databaseLabel = 'DATABASE_URL'
    if (!databaseUrl) {
      const pgLog = log.child('postgres')
      const pg = await startEmbeddedPostgres({
        dir: path.join(dataDir, 'postgres'),
        port: env.EMBEDDED_PG_PORT,
        onLog: childLine(pgLog),
      })
      stack.add('postgres', pg.stop)
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
      const pidFile = path.join(anvilDir, 'anvil.pid')
      if (await stopOrphan({ pidFile, mustContain: ['anvil', anvilDir] })) {
        log.warn('stopped an anvil left running by a previous run')
      }
      const anvil = await startAnvil({
        port: env.ANVIL_PORT,
        chainId: env.ANVIL_CHAIN_ID,
        statePath: path.join(dataDir, 'anvil', 'state.json'),
        blockTime: env.ANVIL_BLOCK_TIME || undefined,
        logFile: path.join(anvilDir, 'anvil.log'),
      })
      await writeFile(pidFile, String(anvil.process.pid))
      stack.add('anvil', () => anvil.stop())
      stack.watch('anvil', anvil.exited)
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
    await db.$disconnect()

    // Children get what they serve from, not the deployer's key (least privilege).
    const { DEPLOYER_PRIVATE_KEY: _deployerKey, ...inherited } = process.env
    const paymentSecrets = await ensurePaymentSecrets({ dataDir })
    const localChain = !env.RPC_URL
    const childEnv: NodeJS.ProcessEnv = {
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
    }

    // Indexer (backfills while the web app builds)
    const indexerPidFile = path.join(dataDir, 'indexer.pid')
    if (await stopOrphan({ pidFile: indexerPidFile, mustContain: ['indexer/main.ts'] })) {
      log.warn('stopped an indexer left running by a previous run')
    }
    const indexer = startNodeScript({
      name: 'indexer',
      root,
      script: 'indexer/main.ts',
      env: childEnv,
      onLine: indexerLine(log),
    })
    await writeFile(indexerPidFile, String(indexer.process.pid))
    stack.add('indexer', () => indexer.stop())
    stack.watch('indexer', indexer.exited)

    // Web app
    const webLog = log.child('web')
    if (!dev) {
      log.info('building the web app (skipped when sources are unchanged)...')
      const build = await ensureNextBuild({ root, env: childEnv, onLine: childLine(webLog) })
      log.info(
        build.built
          ? `built the web app in ${(build.ms / 1000).toFixed(1)} s`
          : 'web app build is up to date',
      )
    }
    const webPidFile = path.join(dataDir, 'web.pid')
    if (await stopOrphan({ pidFile: webPidFile, mustContain: ['next'] })) {
      log.warn('stopped a web server left running by a previous run')
    }
    const web = startNext({
      root,
      host: env.HOST,
      port: env.PORT,
      dev,
      env: childEnv,
      onLine: childLine(webLog),
    })
    await writeFile(webPidFile, String(web.process.pid))
    stack.add('web', () => web.stop())
    stack.watch('web', web.exited)
    const appUrl = `http://${env.HOST}:${env.PORT}`
    await waitForHttp(`${appUrl}/api/health`, 120_000, () => web.process.exitCode === null)

    // Example network (services, channels, live traffic), once the Payment Server answers
    let exampleLine = '  Example       off (EXAMPLE=on runs it on a chain given by RPC_URL)'
    if (env.EXAMPLE === 'on' || (env.EXAMPLE === undefined && localChain)) {
      const examplePidFile = path.join(dataDir, 'example.pid')
      if (await stopOrphan({ pidFile: examplePidFile, mustContain: ['example/main.ts'] })) {
        log.warn('stopped an example network left running by a previous run')
      }
      const ready = exampleReady()
      const example = startNodeScript({
        name: 'example',
        root,
        script: 'example/main.ts',
        env: {
          ...childEnv,
          PAYMENT_URL: appUrl,
          ...(localChain ? { EXAMPLE_FUNDER_KEY: ANVIL_KEYS[9] } : {}),
        },
        onLine: ready.line(log),
      })
      await writeFile(examplePidFile, String(example.process.pid))
      stack.add('example', () => example.stop())
      // The example is a demo: if it fails, the product keeps running and says so.
      void example.exited.then((code) => {
        if (!stack.isStopping) log.warn(`the example network exited (code ${code}); the rest keeps running`)
      })
      await Promise.race([ready.done, example.exited])
      const credentials = path.relative(root, path.join(dataDir, 'example-credentials.json'))
      exampleLine = `  Example       ${credentials}  (API keys of the example services; npm run example runs it alone)`
    }

    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    const lines = [
      '',
      `  Channel inspector is running (ready in ${seconds} s)`,
      `  Web app       ${appUrl}`,
      `  Explorer API  ${appUrl}/api/openapi.json  (blocks, transactions, addresses, channels, search)`,
      `  Health        ${appUrl}/api/health`,
      `  Indexer       ${appUrl}/api/status  (npm run indexer runs it alone)`,
      `  Chain         ${rpcUrl}  (chain id ${factory.chainId}${env.RPC_URL ? '' : ', local anvil'})`,
      `  Factory       ${factory.address}  (block ${factory.blockNumber}${factory.deployed ? ', deployed now' : ''})`,
      `  Database      ${databaseLabel}`,
      exampleLine,
      `  Payment API   ${appUrl}/api/payment/openapi.json  (admin key in ${path.relative(root, paymentSecrets.file)})`,
      `  Costs         ${appUrl}/costs  (label admins: ${childEnv.LABEL_ADMINS || 'none; set LABEL_ADMINS'})`,
      `  Migrations    ${migrations.applied.length} applied now, ${migrations.alreadyApplied.length} already`,
    ]
    if (devAccounts.length > 0) {
      lines.push(`  Dev accounts  ${devAccounts.join('\n                ')}`)
      lines.push("                (anvil's public test mnemonic: test test ... junk; test ether only)")
    }
    lines.push('  Press Ctrl-C to stop.', '')
    process.stdout.write(`${lines.join('\n')}\n`)
  } catch (error) {
    log.error((error as Error).message)
    await stack.stopAll('start failed')
    process.exit(1)
  }
}

/** Passes the example's `[example]` lines through; `done` resolves once it serves traffic. */
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
        process.stdout.write(`${line}\n`)
        if (line.includes('serving ')) resolve()
      } else childLine(log.child('example'))(line)
    },
  }
}

/** The indexer logs its own `[indexer]` lines; they pass through as they are. */
function indexerLine(log: Logger): (line: string) => void {
  return (line) => {
    if (!line.trim()) return
    if (line.startsWith('[indexer]')) process.stdout.write(`${line}\n`)
    else childLine(log.child('indexer'))(line)
  }
}

void main()
