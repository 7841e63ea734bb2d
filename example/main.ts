/**
 * `npm run example`: the example network against a running stack. Registers its services on
 * the Payment Server (idempotent), opens their channels, serves them and sends live traffic
 * until Ctrl-C. `npm start` runs it as a child.
 *
 * PAYMENT_URL (default http://127.0.0.1:$PORT), PAYMENT_ADMIN_KEY (default: DATA_DIR's
 * payment-secrets.json that npm start writes), RPC_URL and EXAMPLE_FUNDER_KEY (fund the
 * services' accounts on a dev chain), EXAMPLE_TRAFFIC_PER_SECOND (default 2, 0 for none),
 * EXAMPLE_PAYMENTS (`off`: the same services without tokens).
 */
import { existsSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Hex } from 'viem'
import { errorText } from '../lib/errorText'
import { parseEnv } from '../lib/server/env'
import type { LoadPricingSettings } from './loadPricing'
import { loadPricingDefaults } from './network'
import { startExampleServers } from './services'
import { keepExampleChannels, setupExample } from './setup'
import { startTraffic } from './traffic'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const log = (line: string) => process.stdout.write(`[example] ${line}\n`)

async function main(): Promise<void> {
  const env = parseEnv()
  const dataDir = path.resolve(root, env.DATA_DIR)
  const paymentUrl = (env.PAYMENT_URL ?? `http://${env.HOST}:${env.PORT}`).replace(/\/$/, '')
  const secretsFile = path.join(dataDir, 'payment-secrets.json')
  const adminKey =
    env.PAYMENT_ADMIN_KEY ??
    (existsSync(secretsFile)
      ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as { adminKey: string }).adminKey
      : undefined)
  if (!adminKey) throw new Error(`set PAYMENT_ADMIN_KEY (or run npm start once, which writes ${secretsFile})`)
  const credentialsFile = path.join(dataDir, 'example-credentials.json')
  const { credentials, file } = await setupExample({
    paymentUrl,
    adminKey,
    credentialsFile,
    rpcUrl: env.RPC_URL,
    funderKey: env.EXAMPLE_FUNDER_KEY as Hex | undefined,
    log,
  })
  const perSecond = env.EXAMPLE_TRAFFIC_PER_SECOND
  const servers = await startExampleServers({
    paymentUrl,
    credentials,
    payments: env.EXAMPLE_PAYMENTS === 'on',
    loadPricing: loadPricingFor(perSecond),
    log,
  })
  servers.pricing?.start()
  for (const [name, url] of Object.entries(servers.urls)) {
    const entry = file.services[name]
    if (entry) entry.url = url
  }
  await writeFile(credentialsFile, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 })
  const traffic = perSecond > 0 ? startTraffic({ servers, perSecond, log }) : null
  log(`credentials of the example services: ${path.relative(process.cwd(), credentialsFile)}`)
  log(
    `serving ${Object.entries(servers.urls)
      .map(([n, u]) => `${n} ${u}`)
      .join(', ')}`,
  )
  log(
    traffic
      ? `sending ${perSecond} requests/s of live traffic`
      : 'no live traffic (EXAMPLE_TRAFFIC_PER_SECOND=0)',
  )
  if (servers.pricing) {
    const { windowSeconds, raiseAbove, lowerBelow, stepPercent, maxPercent } = loadPricingFor(perSecond)
    log(
      `validation prices under load: every ${windowSeconds} s its next prices go ${stepPercent} % of the base up above ${raiseAbove} accepted requests/s and down below ${lowerBelow}, at most ${maxPercent} %`,
    )
  }
  // A reset of the dev chain retires the channels (the Payment Server opens none by itself):
  // get-or-create them again now and then, which changes nothing while they are open.
  let reported = 0
  const keeper = setInterval(() => {
    keepExampleChannels({
      paymentUrl,
      file,
      rpcUrl: env.RPC_URL,
      funderKey: env.EXAMPLE_FUNDER_KEY as Hex | undefined,
      log,
    }).catch((error: unknown) => {
      if (Date.now() - reported < 60_000) return
      reported = Date.now()
      log(`keeping the channels failed: ${errorText(error)}`)
    })
  }, 30_000)
  const stop = async () => {
    clearInterval(keeper)
    traffic?.stop()
    await servers.stop()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
}

/**
 * validation's thresholds against the traffic's own rate: public gets a third of it, and all
 * of it in a rush (traffic.ts), so the price rises in a rush and falls after; at least 1 and
 * 0.5 requests/s, so a network without traffic of its own rises under any real load.
 */
function loadPricingFor(perSecond: number): LoadPricingSettings {
  return {
    ...loadPricingDefaults,
    raiseAbove: Math.max(1, perSecond * 0.6),
    lowerBelow: Math.max(0.5, perSecond * 0.4),
  }
}

main().catch((error: unknown) => {
  // One line, URLs redacted (RPC_URL may carry an API key).
  process.stderr.write(`[example] error: ${errorText(error)}\n`)
  process.exit(1)
})
