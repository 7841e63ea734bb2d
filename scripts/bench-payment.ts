/**
 * `npm run bench:payment`: the Payment Server measured side by side with its ceilings, in one
 * run on this machine. Starts a private stack (`stack/start.ts`, DATA_DIR .data/bench-payment,
 * free ports) and the example network against it, then measures:
 *
 * - the full example flow (POST public/submit: public → validation → persistence, each call
 *   paid with a token issued and verified by the Payment Server) at concurrency 1, 5, 10, 20,
 *   with payments off (the same services without tokens: the ceiling) and on, every latency
 *   kept (exact percentiles), the thesis prototype's table layout;
 * - the issue and verify endpoints alone at concurrency 20, over HTTP (the load generator of
 *   ./bench/paymentLoad) and through the client library (which coalesces concurrent calls
 *   into one);
 * - the verify endpoint's gauge: a minimal verify server (./bench/verifyGauge: bare node:http,
 *   the same native recovery and acceptance statement, nothing else), run in turn with the
 *   endpoint, whose rate over the gauge's is the share of unavoidable work (target ≥ 0.7);
 * - the same verify endpoint on a version 2 channel (public → validation, two categories), in
 *   turn with the two above: what categories cost a provider's verification;
 * - the token crypto alone on one core (recoverTokenSignerNative, signTokenNative): the ceiling
 *   of the endpoints;
 * - good paid traffic alone and under a junk flood, in turn (./bench/paymentFlood; target ≤ 2×);
 * - seed 002's method (./bench/paymentMethod002): 10,000 paid requests by one client, and the
 *   share slower than each threshold at each concurrency, for one and two web instances
 *   (tables here, SVG charts in bench-results/).
 *
 * The measurements the targets read (the flow at c=20, on and off, the endpoints alone and the
 * library's coalesced verification) run REPEATS times; the run with the median rate counts and
 * the others are printed next to it. On this kind of machine (2 cores shared by the load
 * generator, the services, the Payment Server and Postgres) two runs of the same thing differ
 * by 10-20 %, so a single run says little.
 *
 * `--only verify` measures the verify endpoint (v1 and v2) and its gauge alone, `--only flood` the flood
 * row alone, `--only method002` seed 002's method alone; `--stack-root DIR` runs the stack from another checkout (e.g. the previous
 * commit's), so that two commits are compared by the same load generator and gauge.
 *
 * Prints tables with ratios, the targets of PRODUCT.md and the thesis prototype's figures.
 * Exits 1 only when a run is invalid (a non-2xx answer, a connection error, a refused token);
 * a missed target is reported, not failed. Everything it started is stopped and
 * .data/bench-payment removed at the end, Ctrl-C included.
 */
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { recoverTokenSignerNative, signTokenNative, tokenCryptoReady } from '../lib/server/tokenCrypto'
import { createPaymentConsumer, createPaymentVerifier } from '../packages/payment-client/src'
import { parseToken } from '../packages/payment-client/src/token'
import { ANVIL_KEYS } from '../stack/anvil'
import { measureFlood, printFlood } from './bench/paymentFlood'
import { type LoadRequest, type LoadResult, load, percentile, pool } from './bench/paymentLoad'
import { measureMethod002, printMethod002 } from './bench/paymentMethod002'
import { type MetricsSnapshot, phaseMetrics, readMetrics } from './bench/paymentMetrics'
import {
  type BenchStack,
  type CpuSnapshot,
  cpuByRoot,
  cpuSnapshot,
  type ExampleNetwork,
  exampleKeys,
  mainThreadSeconds,
  startBenchStack,
  startExampleNetwork,
  startVerifyGauge,
  stopChildren,
  stopLeftovers,
  type VerifyGauge,
  WEB_LABEL,
} from './bench/paymentProcesses'
import {
  ENDPOINT_C,
  ENDPOINT_PROVIDER,
  ENDPOINT_V2,
  fmt,
  LEVELS,
  LIBRARY_TOKENS,
  ms1,
  type Observed,
  printTables,
  printVerifyOnly,
  printVerifyV2,
  REPEATS,
  rates,
} from './bench/paymentReport'
import {
  benchOptions,
  callsOf,
  check,
  GAUGE_CHAIN_ID,
  GAUGE_CHANNEL,
  GAUGE_CONSUMER,
  invalid,
  preIssue,
  rate,
  rateOf,
  repeaters,
  signGaugeTokens,
} from './bench/paymentRuns'

const root = path.resolve(import.meta.dirname, '..')
const { only, stackRoot } = benchOptions(process.argv.slice(2))
/** Where the stack and the example network run from: this checkout, or `--stack-root`. */
const appRoot = stackRoot ?? root
const dataDir = path.join(appRoot, '.data', 'bench-payment')

const WARMUP = { c: 5, n: 200 }
/** Requests of warm-up before an endpoint is measured (the JIT compiles its path meanwhile). */
const ENDPOINT_WARMUP = 1_000
const ISSUE_REQUESTS = 5_000
const VERIFY_REQUESTS = 10_000
/** Tokens issued ahead for the verify measurements (HTTP and library, warm-ups included). */
const PRE_ISSUE = ENDPOINT_WARMUP + REPEATS * VERIFY_REQUESTS + 200 + REPEATS * LIBRARY_TOKENS + 1_000
/** The same with `--only verify` (no library measurements). */
const VERIFY_ONLY_PRE_ISSUE = ENDPOINT_WARMUP + REPEATS * VERIFY_REQUESTS + 1_000
const log = (line: string) => console.log(`[bench] ${line}`)
const json = { 'content-type': 'application/json' }
const bearer = (key: string) => ({ ...json, authorization: `Bearer ${key}` })

async function main(): Promise<void> {
  let stack: BenchStack | undefined
  let example: ExampleNetwork | undefined
  let gauge: VerifyGauge | undefined
  let cleaning: Promise<void> | undefined
  const cleanup = () =>
    (cleaning ??= (async () => {
      await example?.stop().catch(() => {})
      await gauge?.stop().catch(() => {})
      await stack?.stop().catch(() => {})
      await stopChildren() // one still starting
      await stopLeftovers(dataDir).catch(() => {})
      await rm(dataDir, { recursive: true, force: true }).catch(() => {})
    })())
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping the stack and the example network`)
      void cleanup().then(() => process.exit(130))
    })
  }

  const observed: Observed[] = []
  try {
    // 1. The private stack.
    log('starting a private stack (stack/start.ts; next build runs first when the sources changed)...')
    stack = await startBenchStack({ root: appRoot, dataDir })
    const s = stack
    void s.child.exited.then((code) => {
      if (!cleaning) log(`the stack exited during the run (code ${code}):\n${s.output()}`)
    })
    log(`stack ready in ${s.readySeconds.toFixed(1)} s: ${s.url}, anvil ${s.rpcUrl}`)
    const roots = async (): Promise<Record<string, number>> => ({
      'bench (load generator, client library)': process.pid,
      ...(example?.child.process.pid ? { 'example services': example.child.process.pid } : {}),
      ...(gauge?.child.process.pid
        ? { 'verify gauge (scripts/bench/verifyGauge.ts)': gauge.child.process.pid }
        : {}),
      ...(await s.pids()),
    })
    /** Runs `fn` with the Payment Server's metrics and every process's CPU read before and after. */
    const observe = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const labels = await roots()
      const web = labels[WEB_LABEL]
      const mainThread = async () => (web === undefined ? null : await mainThreadSeconds(web))
      const [metricsBefore, cpuBefore, mainBefore]: [MetricsSnapshot, CpuSnapshot, number | null] = [
        await readMetrics(s.url, s.adminKey),
        await cpuSnapshot(),
        await mainThread(),
      ]
      const started = performance.now()
      const result = await fn()
      const seconds = (performance.now() - started) / 1000
      const cpu = cpuByRoot(cpuBefore, await cpuSnapshot(), labels)
      const mainAfter = await mainThread()
      observed.push({
        name,
        metrics: phaseMetrics(metricsBefore, await readMetrics(s.url, s.adminKey)),
        cpu,
        webMainThread: mainBefore === null || mainAfter === null ? null : mainAfter - mainBefore,
        seconds,
        perSecond: rateOf(result),
      })
      return result
    }
    const { repeated, alternating } = repeaters(observe)
    const metricsAtStart = await readMetrics(s.url, s.adminKey)

    // 2. The full example flow, payments off (the ceiling) then on; one example process at a time.
    const flow: Record<'off' | 'on', LoadResult[]> = { off: [], on: [] }
    const submit: LoadRequest = { method: 'POST', path: '/submit', headers: json, body: '{"name":"user"}' }
    for (const mode of only ? (['on'] as const) : (['off', 'on'] as const)) {
      const started = performance.now()
      example = await startExampleNetwork({ root: appRoot, dataDir, stack: s, payments: mode === 'on' })
      const url = example.publicUrl
      log(
        `example network, payments ${mode}: public at ${url} (ready in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
      )
      check(
        `warm-up, payments ${mode}`,
        await load({ url, connections: WARMUP.c, amount: WARMUP.n, request: submit }),
      )
      const runAll = async () => {
        for (const { c, n } of LEVELS) {
          const run = async () =>
            check(
              `full flow c=${c}, payments ${mode}`,
              await load({ url, connections: c, amount: n, request: submit }),
            )
          // c=20 is what the targets read.
          const r = c === 20 ? await repeated(`full flow c=20, payments ${mode}`, run) : await run()
          flow[mode].push(r)
          log(
            `full flow c=${c} n=${n} payments ${mode}: ${rates(r)} req/s, p50 ${ms1(percentile(r.latencies, 50))} ms`,
          )
        }
      }
      // With --only verify, the example network only sets up the services and their channels.
      if (only) log(`--only ${only}: the full flow is not measured`)
      else if (mode === 'on') await observe('full flow, payments on, c=1..20', runAll)
      else await runAll()
      await example.stop()
      example = undefined
    }

    // 3. The endpoints alone, at concurrency 20, with the example services' API keys.
    const keys = await exampleKeys(dataDir)
    const { publicKey, providerKey } = keys
    const flood = () =>
      observe('junk flood', () => measureFlood({ url: s.url, keys, adminKey: s.adminKey, log }))
    if (only === 'flood') return printFlood(await flood(), observed.at(-1))
    const outDir = path.join(
      root,
      'bench-results',
      `payment-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    )
    const pairKeys = { consumerKey: publicKey, providerKey, provider: ENDPOINT_PROVIDER }
    const method002 = () =>
      observe('seed 002 method', () =>
        measureMethod002({ root: appRoot, stack: s, keys: pairKeys, outDir, log }),
      )
    if (only === 'method002') return printMethod002(await method002())
    const issueOne: LoadRequest = {
      method: 'POST',
      path: '/api/payment/tokens',
      headers: bearer(publicKey),
      body: JSON.stringify({ provider: ENDPOINT_PROVIDER }),
    }
    /** ENDPOINT_WARMUP requests of warm-up of `request` at ENDPOINT_C; a run of `amount`. */
    const endpointRun = async (name: string, request: LoadRequest, amount: number, url = s.url) => {
      const at = { url, connections: ENDPOINT_C, request }
      check(`${name} warm-up`, await load({ ...at, amount: ENDPOINT_WARMUP }))
      return async () => check(name, await load({ ...at, amount }))
    }
    /** Warm-up, then REPEATS runs of `amount` at ENDPOINT_C; the median counts. */
    const endpoint = async (name: string, request: LoadRequest, amount: number) =>
      repeated(name, await endpointRun(name, request, amount))
    const issueEndpoint = only ? null : await endpoint('issue endpoint', issueOne, ISSUE_REQUESTS)
    if (issueEndpoint) log(`issue endpoint: ${rates(issueEndpoint)} req/s`)

    const preIssueStarted = performance.now()
    const tokens = await preIssue(s.url, publicKey, only ? VERIFY_ONLY_PRE_ISSUE : PRE_ISSUE)
    const preIssueSeconds = (performance.now() - preIssueStarted) / 1000
    log(
      `pre-issued ${fmt(tokens.length)} tokens in ${preIssueSeconds.toFixed(1)} s (${fmt(tokens.length / preIssueSeconds)} tokens/s in calls of 1000)`,
    )
    let nextToken = 0
    const verifyOne: LoadRequest = {
      method: 'POST',
      path: '/api/payment/tokens/verify',
      headers: bearer(providerKey),
      // Each request takes the next unused token (all serialized before the run starts).
      body: () => JSON.stringify({ token: tokens[nextToken++] ?? 'exhausted' }),
    }
    // Its gauge: the same recovery and acceptance statement behind bare node:http, on a channel
    // of its own, with tokens signed here. The two run in turn, so both see the machine alike.
    const gaugeTokens = signGaugeTokens(ENDPOINT_WARMUP + REPEATS * VERIFY_REQUESTS)
    gauge = await startVerifyGauge({
      root,
      stack: s,
      chainId: GAUGE_CHAIN_ID,
      channel: GAUGE_CHANNEL,
      consumer: GAUGE_CONSUMER,
    })
    let nextGaugeToken = 0
    const gaugeOne: LoadRequest = {
      method: 'POST',
      path: '/',
      headers: json,
      body: () => JSON.stringify({ token: gaugeTokens[nextGaugeToken++] ?? 'exhausted' }),
    }
    // The same endpoint on a version 2 channel (two categories, one counted), in turn with both.
    const v2Tokens = await preIssue(
      s.url,
      publicKey,
      ENDPOINT_WARMUP + REPEATS * VERIFY_REQUESTS,
      ENDPOINT_V2,
    )
    let nextV2Token = 0
    const verifyV2One: LoadRequest = {
      method: 'POST',
      path: '/api/payment/tokens/verify',
      headers: bearer(keys.v2ProviderKey),
      body: () =>
        JSON.stringify({ token: v2Tokens[nextV2Token++] ?? 'exhausted', category: ENDPOINT_V2.category }),
    }
    const [verifyEndpoint, verifyGauge, verifyV2] = await alternating(
      ['verify endpoint', await endpointRun('verify endpoint', verifyOne, VERIFY_REQUESTS)],
      ['verify gauge', await endpointRun('verify gauge', gaugeOne, VERIFY_REQUESTS, gauge.url)],
      ['verify endpoint v2', await endpointRun('verify endpoint v2', verifyV2One, VERIFY_REQUESTS)],
    )
    await gauge.stop()
    gauge = undefined
    log(
      `verify endpoint: ${rates(verifyEndpoint)} req/s; on a version 2 channel: ${rates(verifyV2)} req/s; its gauge: ${rates(verifyGauge)} req/s`,
    )
    if (only || !issueEndpoint) {
      printVerifyOnly({ verifyEndpoint, verifyGauge, observed, stackRoot })
      printVerifyV2({ verifyEndpoint, verifyV2 })
      return
    }

    // The library's default transport (node:http on Node); its calls are counted by the server.
    const verifier = createPaymentVerifier({ serverUrl: s.url, apiKey: providerKey })
    let refused = 0
    let firstRefusal = ''
    const verifyToken = async () => {
      const result = await verifier.verify(tokens[nextToken++])
      if (!result.accepted) {
        refused++
        firstRefusal ||= `${result.status} ${result.code}: ${result.message}`
      }
    }
    await pool({ count: 200, workers: ENDPOINT_C, work: verifyToken })
    const libraryVerify = await repeated('verify via library', () =>
      pool({ count: LIBRARY_TOKENS, workers: ENDPOINT_C, work: verifyToken }),
    )
    const libraryVerifyCalls /* on the observed (first) run */ = callsOf(observed.at(-1), 'tokens.verify')
    if (refused > 0) {
      const line = `verify via library: ${refused} tokens refused; first: ${firstRefusal}`
      invalid.push(line)
      console.log(`\n!!! INVALID RUN !!! ${line}\n`)
    }
    log(
      `verify via library: ${rates(libraryVerify)} tokens/s; ${fmt(libraryVerifyCalls)} calls in the first run`,
    )

    const consumer = createPaymentConsumer({ serverUrl: s.url, apiKey: publicKey })
    const issued = new Set<string>()
    const issueToken = async () => {
      issued.add(await consumer.token(ENDPOINT_PROVIDER))
    }
    await pool({ count: 200, workers: ENDPOINT_C, work: issueToken })
    const libraryIssue = await observe('issue via library', () =>
      pool({ count: LIBRARY_TOKENS, workers: ENDPOINT_C, work: issueToken }),
    )
    const libraryIssueCalls = callsOf(observed.at(-1), 'tokens.issue')
    if (issued.size !== LIBRARY_TOKENS + 200) {
      const line = `issue via library: ${issued.size} distinct tokens for ${LIBRARY_TOKENS + 200} requests`
      invalid.push(line)
      console.log(`\n!!! INVALID RUN !!! ${line}\n`)
    }
    log(`issue via library: ${fmt(libraryIssue.perSecond)} tokens/s in ${fmt(libraryIssueCalls)} calls`)
    const wholeRun = phaseMetrics(metricsAtStart, await readMetrics(s.url, s.adminKey))
    const floodRow = [await flood(), observed.at(-1)] as const
    const method002Row = await method002()

    // 4. The crypto alone, on one core, with the stack stopped.
    await cleanup()
    cleaning = undefined
    stack = undefined
    await tokenCryptoReady
    const real = parseToken(tokens[0] as string)
    const recoverRate = rate(() => recoverTokenSignerNative(real))
    const signRate = rate((i) =>
      signTokenNative({
        privateKey: ANVIL_KEYS[1],
        chainId: real.chainId,
        channel: real.token.channel,
        tokenId: real.token.tokenId,
        requests: BigInt(i + 1),
      }),
    )
    if (!recoverTokenSignerNative(real)) throw new Error('the pre-issued token does not recover')

    // 5. Tables.
    printTables({
      flow,
      issueEndpoint,
      verifyEndpoint,
      verifyGauge,
      libraryVerify: { ...libraryVerify, calls: libraryVerifyCalls },
      libraryIssue: { ...libraryIssue, calls: libraryIssueCalls },
      recoverRate,
      signRate,
      observed,
      wholeRun,
      readySeconds: s.readySeconds,
    })
    printVerifyV2({ verifyEndpoint, verifyV2 })
    printFlood(...floodRow)
    await printMethod002(method002Row)
  } catch (error) {
    // What the children said last is usually the reason (unless they were stopped on purpose).
    if (cleaning) throw error
    if (stack) console.log(`\n[bench] the stack's last output:\n${stack.output() || '(none)'}`)
    if (example) console.log(`\n[bench] the example network's last output:\n${example.output() || '(none)'}`)
    throw error
  } finally {
    await cleanup()
  }
  if (invalid.length > 0) {
    console.log(`\n!!! ${invalid.length} INVALID RUN(S): the figures above do not count !!!`)
    for (const line of invalid) console.log(`  - ${line}`)
    process.exit(1)
  }
}

try {
  await main()
} catch (error) {
  console.error(`[bench] failed: ${(error as Error).message}`)
  process.exit(1)
}
