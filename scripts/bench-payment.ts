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
 * - the token crypto alone on one core (recoverTokenSignerNative, signTokenNative): the ceiling
 *   of the endpoints.
 *
 * The measurements the targets read (the flow at c=20, on and off, the endpoints alone and the
 * library's coalesced verification) run REPEATS times; the run with the median rate counts and
 * the others are printed next to it. On this kind of machine (2 cores shared by the load
 * generator, the services, the Payment Server and Postgres) two runs of the same thing differ
 * by 10-20 %, so a single run says little.
 *
 * Prints tables with ratios, the targets of PRODUCT.md and the thesis prototype's figures.
 * Exits 1 only when a run is invalid (a non-2xx answer, a connection error, a refused token);
 * a missed target is reported, not failed. Everything it started is stopped and
 * .data/bench-payment removed at the end, Ctrl-C included.
 */
import { readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createPaymentConsumer, createPaymentVerifier } from '../lib/payment-client'
import { secp256k1 } from '../lib/server/secp256k1'
import { recoverTokenSignerNative, signTokenNative, tokenCryptoReady } from '../lib/server/tokenCrypto'
import { parseToken } from '../lib/token'
import { ANVIL_KEYS } from '../stack/anvil'
import { type LoadRequest, type LoadResult, load, medianRun, percentile, pool } from './bench/paymentLoad'
import { type MetricsSnapshot, type PhaseMetrics, phaseMetrics, readMetrics } from './bench/paymentMetrics'
import {
  type BenchStack,
  type CpuSnapshot,
  cpuByRoot,
  cpuSnapshot,
  type ExampleNetwork,
  mainThreadSeconds,
  startBenchStack,
  startExampleNetwork,
  stopChildren,
  stopLeftovers,
  WEB_LABEL,
} from './bench/paymentProcesses'

const root = path.resolve(import.meta.dirname, '..')
const dataDir = path.join(root, '.data', 'bench-payment')

const LEVELS = [
  { c: 1, n: 100 },
  { c: 5, n: 500 },
  { c: 10, n: 1_000 },
  { c: 20, n: 2_000 },
] as const
const PERCENTILES = [50, 80, 90, 95, 98, 99, 100]
const WARMUP = { c: 5, n: 200 }
/** Runs of each measurement that a target reads; the median counts. */
const REPEATS = 3
/** Requests of warm-up before an endpoint is measured (the JIT compiles its path meanwhile). */
const ENDPOINT_WARMUP = 1_000
const ENDPOINT_C = 20
const ISSUE_REQUESTS = 5_000
const VERIFY_REQUESTS = 10_000
const LIBRARY_TOKENS = 10_000
/** Tokens issued ahead for the verify measurements (HTTP and library, warm-ups included). */
const PRE_ISSUE = ENDPOINT_WARMUP + REPEATS * VERIFY_REQUESTS + 200 + REPEATS * LIBRARY_TOKENS + 1_000
const CRYPTO_SECONDS = 2
/** Cores used by unrelated processes during a measurement above which the report warns. */
const OTHER_CPU_WARNING = 0.2
/** Targets of the product (PRODUCT.md, "Performance, measured side by side"). */
/** "Verification alone at least 5,000 req/s at c=20": the endpoint, and the library's coalesced calls. */
const TARGETS = { fullFlowOn: 500, onOffRatio: 0.5, p50c1OnMs: 10, verify: 5_000 }
/** The thesis prototype, rebuilt and run on this kind of machine (PRODUCT.md). */
const THESIS = { c1On: 34, c1OnP50: 27, c20On: 103, c20OnP50: 190, c1Off: 493, c20Off: 809, verify: 660 }

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-')
const ms1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-')
const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(0)} %` : '-')
const log = (line: string) => console.log(`[bench] ${line}`)
const json = { 'content-type': 'application/json' }
const bearer = (key: string) => ({ ...json, authorization: `Bearer ${key}` })

/** Runs that must not count: a non-2xx answer, a connection error, a refused token. */
const invalid: string[] = []
function check(what: string, r: LoadResult): LoadResult {
  if (r.non2xx > 0 || r.errors > 0 || r.count === 0) {
    const statuses = [...r.statuses].map(([s, n]) => `${s}: ${n}`).join(', ')
    const line = `${what}: ${r.non2xx} non-2xx, ${r.errors} connection errors (statuses ${statuses}); first failure: ${r.firstFailure ?? '-'}`
    invalid.push(line)
    console.log(`\n!!! INVALID RUN !!! ${line}\n`)
  }
  return r
}

/** Operations per second of `fn` on this thread over about CRYPTO_SECONDS (after a warm-up). */
function rate(fn: (i: number) => unknown): number {
  for (let i = 0; i < 200; i++) fn(i)
  let n = 0
  const started = performance.now()
  while (performance.now() - started < CRYPTO_SECONDS * 1000) {
    for (let j = 0; j < 100; j++) fn(n++)
  }
  return n / ((performance.now() - started) / 1000)
}

/** `runs` rates, the counted one marked: "512 / *541* / 598". */
const rates = (r: { perSecond: number; rates?: number[] }) =>
  (r.rates ?? [r.perSecond]).map((x) => (x === r.perSecond ? `*${fmt(x)}*` : fmt(x))).join(' / ')

/** Calls the Payment Server answered on `route` (all statuses) during an observed phase. */
const callsOf = (observed: Observed | undefined, route: 'tokens.issue' | 'tokens.verify') =>
  (observed?.metrics.routes ?? [])
    .filter((r) => r.route.startsWith(`${route} `))
    .reduce((sum, r) => sum + r.calls, 0)

type Observed = {
  name: string
  metrics: PhaseMetrics
  cpu: Map<string, number>
  /** CPU seconds of the web server's main thread (its event loop), when it could be read. */
  webMainThread: number | null
  seconds: number
  /** The run's rate (requests or tokens per second), when it has one. */
  perSecond: number | null
}

/** A run's rate (requests or tokens per second), when its result has one. */
function rateOf(result: unknown): number | null {
  const rate = (result as { perSecond?: unknown } | undefined)?.perSecond
  return typeof rate === 'number' ? rate : null
}

async function main(): Promise<void> {
  let stack: BenchStack | undefined
  let example: ExampleNetwork | undefined
  let cleaning: Promise<void> | undefined
  const cleanup = () =>
    (cleaning ??= (async () => {
      await example?.stop().catch(() => {})
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
    stack = await startBenchStack({ root, dataDir })
    const s = stack
    void s.child.exited.then((code) => {
      if (!cleaning) log(`the stack exited during the run (code ${code}):\n${s.output()}`)
    })
    log(`stack ready in ${s.readySeconds.toFixed(1)} s: ${s.url}, anvil ${s.rpcUrl}`)
    const roots = async (): Promise<Record<string, number>> => ({
      'bench (load generator, client library)': process.pid,
      ...(example?.child.process.pid ? { 'example services': example.child.process.pid } : {}),
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
    /** `run` REPEATS times in a row, the first observed as `name`; the median run. */
    const repeated = async <T extends { perSecond: number }>(name: string, run: () => Promise<T>) => {
      const runs = [await observe(name, run)]
      while (runs.length < REPEATS) runs.push(await run())
      return medianRun(runs)
    }
    const metricsAtStart = await readMetrics(s.url, s.adminKey)

    // 2. The full example flow, payments off (the ceiling) then on; one example process at a time.
    const flow: Record<'off' | 'on', LoadResult[]> = { off: [], on: [] }
    const submit: LoadRequest = { method: 'POST', path: '/submit', headers: json, body: '{"name":"user"}' }
    for (const mode of ['off', 'on'] as const) {
      const started = performance.now()
      example = await startExampleNetwork({ root, dataDir, stack: s, payments: mode === 'on' })
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
      if (mode === 'on') await observe('full flow, payments on, c=1..20', runAll)
      else await runAll()
      await example.stop()
      example = undefined
    }

    // 3. The endpoints alone, at concurrency 20, with the example services' API keys.
    const credentials = JSON.parse(
      await readFile(path.join(dataDir, 'example-credentials.json'), 'utf8'),
    ) as {
      services: Record<string, { apiKey: string }>
    }
    const publicKey = credentials.services.public?.apiKey
    const validationKey = credentials.services.validation?.apiKey
    if (!publicKey || !validationKey) throw new Error('example-credentials.json lacks public or validation')
    const issueOne: LoadRequest = {
      method: 'POST',
      path: '/api/payment/tokens',
      headers: bearer(publicKey),
      body: '{"provider":"validation"}',
    }
    /** ENDPOINT_WARMUP requests of warm-up, then REPEATS runs of `amount` at ENDPOINT_C; the median counts. */
    const endpoint = async (name: string, request: LoadRequest, amount: number) => {
      const at = { url: s.url, connections: ENDPOINT_C, request }
      check(`${name} warm-up`, await load({ ...at, amount: ENDPOINT_WARMUP }))
      const run = async () => check(name, await load({ ...at, amount }))
      return repeated(name, run)
    }
    const issueEndpoint = await endpoint('issue endpoint', issueOne, ISSUE_REQUESTS)
    log(`issue endpoint: ${rates(issueEndpoint)} req/s`)

    const tokens: string[] = []
    const preIssueStarted = performance.now()
    while (tokens.length < PRE_ISSUE) {
      const response = await fetch(`${s.url}/api/payment/tokens`, {
        method: 'POST',
        headers: bearer(publicKey),
        body: JSON.stringify({ provider: 'validation', count: 1000 }),
      })
      const body = (await response.json()) as { tokens?: string[] }
      if (response.status !== 200 || !body.tokens)
        throw new Error(`issuing 1000 tokens: ${JSON.stringify(body)}`)
      tokens.push(...body.tokens)
    }
    const preIssueSeconds = (performance.now() - preIssueStarted) / 1000
    log(
      `pre-issued ${fmt(tokens.length)} tokens in ${preIssueSeconds.toFixed(1)} s (${fmt(tokens.length / preIssueSeconds)} tokens/s in calls of 1000)`,
    )
    let nextToken = 0
    const verifyOne: LoadRequest = {
      method: 'POST',
      path: '/api/payment/tokens/verify',
      headers: bearer(validationKey),
      // Each request takes the next unused token (all serialized before the run starts).
      body: () => JSON.stringify({ token: tokens[nextToken++] ?? 'exhausted' }),
    }
    const verifyEndpoint = await endpoint('verify endpoint', verifyOne, VERIFY_REQUESTS)
    log(`verify endpoint: ${rates(verifyEndpoint)} req/s`)

    // The library's default transport (node:http on Node); its calls are counted by the server.
    const verifier = createPaymentVerifier({ serverUrl: s.url, apiKey: validationKey })
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
    // Calls counted on the observed (first) run.
    const libraryVerifyCalls = callsOf(observed.at(-1), 'tokens.verify')
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
      issued.add(await consumer.token('validation'))
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
      libraryVerify: { ...libraryVerify, calls: libraryVerifyCalls },
      libraryIssue: { ...libraryIssue, calls: libraryIssueCalls },
      recoverRate,
      signRate,
      observed,
      wholeRun,
      readySeconds: s.readySeconds,
    })
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

type PoolResult = { ms: number; perSecond: number; latencies: number[]; calls: number }

function printTables(r: {
  flow: Record<'off' | 'on', LoadResult[]>
  issueEndpoint: LoadResult
  verifyEndpoint: LoadResult
  libraryVerify: PoolResult
  libraryIssue: PoolResult
  recoverRate: number
  signRate: number
  observed: Observed[]
  wholeRun: PhaseMetrics
  readySeconds: number
}): void {
  const cores = os.cpus().length
  console.log(
    `\n${cores} cores (${os.cpus()[0]?.model ?? '?'}), libsecp256k1 ${secp256k1().name}, stack ready in ${r.readySeconds.toFixed(1)} s; every request's latency kept, exact percentiles`,
  )

  // Thesis-style table: full flow, payments on and off.
  const header = `| | ${LEVELS.map(({ c, n }) => `c=${c} (n=${fmt(n)})`).join(' | ')} |`
  const rule = `|---|${LEVELS.map(() => '---:').join('|')}|`
  for (const mode of ['on', 'off'] as const) {
    console.log(
      `\nFull flow, payments ${mode}: POST public/submit → validation → persistence${mode === 'on' ? ' (2 tokens issued + 2 verified per request)' : ' (no tokens: the ceiling)'}`,
    )
    console.log(header.replace('| |', `| payments ${mode} (ms) |`))
    console.log(rule)
    for (const p of PERCENTILES) {
      console.log(`| p${p} | ${r.flow[mode].map((x) => ms1(percentile(x.latencies, p))).join(' | ')} |`)
    }
    console.log(`| req/s | ${r.flow[mode].map((x) => fmt(x.perSecond)).join(' | ')} |`)
    console.log(
      `c=20: ${REPEATS} runs, ${rates(r.flow[mode][3] as LoadResult)} req/s; the median run (*) is shown`,
    )
  }
  console.log('\n| on / off | c=1 | c=5 | c=10 | c=20 |')
  console.log('|---|---:|---:|---:|---:|')
  const ratios = (f: (x: LoadResult) => number) =>
    r.flow.on.map((on, i) => (f(on) / f(r.flow.off[i] as LoadResult)).toFixed(2)).join(' | ')
  console.log(`| req/s on / off | ${ratios((x) => x.perSecond)} |`)
  console.log(`| p50 on / off | ${ratios((x) => percentile(x.latencies, 50))} |`)

  // Endpoints alone.
  console.log(`\nEndpoints alone, concurrency ${ENDPOINT_C}, payments on (public → validation channel)`)
  console.log('| measurement | count | rate | p50 ms | p99 ms | note |')
  console.log('|---|---:|---:|---:|---:|---|')
  const row = (name: string, count: number, perSecond: number, unit: string, lat: number[], note: string) =>
    console.log(
      `| ${name} | ${fmt(count)} | ${fmt(perSecond)} ${unit} | ${ms1(percentile(lat, 50))} | ${ms1(percentile(lat, 99))} | ${note} |`,
    )
  row(
    'issue endpoint: POST /api/payment/tokens',
    r.issueEndpoint.count,
    r.issueEndpoint.perSecond,
    'req/s',
    r.issueEndpoint.latencies,
    `1 token per request; ${REPEATS} runs: ${rates(r.issueEndpoint)}`,
  )
  row(
    'verify endpoint: POST /api/payment/tokens/verify',
    r.verifyEndpoint.count,
    r.verifyEndpoint.perSecond,
    'req/s',
    r.verifyEndpoint.latencies,
    `a fresh token per request; ${REPEATS} runs: ${rates(r.verifyEndpoint)}`,
  )
  row(
    'verify via library: verifier.verify(token)',
    LIBRARY_TOKENS,
    r.libraryVerify.perSecond,
    'tokens/s',
    r.libraryVerify.latencies,
    `20 workers; the library coalesces concurrent verifications into one call: ${fmt(r.libraryVerify.calls)} calls, ${(LIBRARY_TOKENS / r.libraryVerify.calls).toFixed(1)} tokens per call (first run); ${REPEATS} runs: ${rates(r.libraryVerify)}`,
  )
  row(
    "issue via library: consumer.token('validation')",
    LIBRARY_TOKENS,
    r.libraryIssue.perSecond,
    'tokens/s',
    r.libraryIssue.latencies,
    `20 workers; coalesced the same way: ${fmt(r.libraryIssue.calls)} calls, ${(LIBRARY_TOKENS / r.libraryIssue.calls).toFixed(1)} tokens per call`,
  )
  console.log(
    `| crypto only: recoverTokenSignerNative | - | ${fmt(r.recoverRate)} ops/s | - | - | one real token, 1 core, stack stopped |`,
  )
  console.log(
    `| crypto only: signTokenNative | - | ${fmt(r.signRate)} ops/s | - | - | 1 core, stack stopped |`,
  )

  // Where the time goes: the Payment Server's metrics and every process's CPU.
  console.log('\nPayment Server per phase (GET /api/payment/metrics; latency bounds are histogram buckets)')
  console.log('| phase | route, status | calls | mean ms | p50 ≤ ms | p99 ≤ ms |')
  console.log('|---|---|---:|---:|---:|---:|')
  const phases: [string, PhaseMetrics][] = [
    ...r.observed.map((o): [string, PhaseMetrics] => [o.name, o.metrics]),
    ['whole run', r.wholeRun],
  ]
  for (const [name, m] of phases) {
    for (const route of m.routes) {
      console.log(
        `| ${name} | ${route.route} | ${fmt(route.calls)} | ${route.meanMs.toFixed(2)} | ${route.p50AtMostMs} | ${route.p99AtMostMs} |`,
      )
    }
  }
  console.log(
    '\n| phase | verify statements (payment_verify_batch_size) | tokens per statement (mean) | largest ≤ |',
  )
  console.log('|---|---:|---:|---:|')
  for (const [name, m] of phases) {
    if (m.verifyStatements === 0) continue
    console.log(
      `| ${name} | ${fmt(m.verifyStatements)} | ${m.tokensPerStatement.toFixed(1)} | ${m.maxStatementBucket} |`,
    )
  }
  if (r.observed.length > 0 && r.observed.some((o) => o.cpu.size > 1)) {
    const labels = [...new Set(r.observed.flatMap((o) => [...o.cpu.keys()]))]
    console.log(
      `\nCPU by process: cores busy on average (the machine has ${cores}; 'other' = unrelated processes; the first run of a repeated measurement)`,
    )
    const total = (o: Observed) => [...o.cpu.values()].reduce((a, b) => a + b, 0) / o.seconds
    /** One table: a row per process (and the web server's main thread), then the total; `cell` formats cores. */
    const cpuTable = (runs: Observed[], cell: (o: Observed, cores: number) => string, mainLabel: string) => {
      console.log(`| process | ${runs.map((o) => o.name).join(' | ')} |`)
      console.log(`|---|${runs.map(() => '---:').join('|')}|`)
      for (const label of labels) {
        console.log(
          `| ${label} | ${runs.map((o) => cell(o, (o.cpu.get(label) ?? 0) / o.seconds)).join(' | ')} |`,
        )
        if (label === WEB_LABEL && runs.some((o) => o.webMainThread !== null)) {
          const cells = runs.map((o) =>
            o.webMainThread === null ? '-' : cell(o, o.webMainThread / o.seconds),
          )
          console.log(`| ${mainLabel} | ${cells.join(' | ')} |`)
        }
      }
      console.log(`| total | ${runs.map((o) => cell(o, total(o))).join(' | ')} |`)
    }
    cpuTable(r.observed, (_o, c) => c.toFixed(2), 'of which its main thread (the event loop; at most 1)')

    // The same per request (or token): what each one cost, whatever the machine's speed was then.
    console.log(
      "\nCPU per request (per token for the library rows), µs: the cores above divided by the run's rate. When the machine runs slow, every process, the load generator and Postgres included, costs more per request.",
    )
    cpuTable(
      r.observed.filter((o) => o.perSecond !== null && o.perSecond > 0),
      (o, c) => ((c / (o.perSecond as number)) * 1e6).toFixed(0),
      'of which its main thread',
    )
    const busiest = Math.max(...r.observed.map((o) => (o.cpu.get('other') ?? 0) / o.seconds))
    if (busiest > OTHER_CPU_WARNING) {
      console.log(
        `\nWARNING: unrelated processes used up to ${busiest.toFixed(2)} of ${cores} cores during a measurement; the figures understate this machine.`,
      )
    }
  }

  // Targets.
  const on20 = r.flow.on[3] as LoadResult
  const off20 = r.flow.off[3] as LoadResult
  const on1 = r.flow.on[0] as LoadResult
  const off1 = r.flow.off[0] as LoadResult
  const onOff = on20.perSecond / off20.perSecond
  const p50On1 = percentile(on1.latencies, 50)
  const targets: [string, string, string, boolean | null][] = [
    [
      'full flow c=20, payments on',
      `${fmt(on20.perSecond)} req/s`,
      `≥ ${fmt(TARGETS.fullFlowOn)} req/s`,
      on20.perSecond >= TARGETS.fullFlowOn,
    ],
    ['full flow c=20, on / off', onOff.toFixed(2), `≥ ${TARGETS.onOffRatio}`, onOff >= TARGETS.onOffRatio],
    [
      'full flow c=1 p50, payments on',
      `${ms1(p50On1)} ms`,
      `≤ ${TARGETS.p50c1OnMs} ms`,
      p50On1 <= TARGETS.p50c1OnMs,
    ],
    [
      'verify endpoint c=20 (1 token per request)',
      `${fmt(r.verifyEndpoint.perSecond)} req/s`,
      `≥ ${fmt(TARGETS.verify)} req/s`,
      r.verifyEndpoint.perSecond >= TARGETS.verify,
    ],
    [
      'verify via library c=20 (coalesced)',
      `${fmt(r.libraryVerify.perSecond)} tokens/s`,
      `≥ ${fmt(TARGETS.verify)} tokens/s`,
      r.libraryVerify.perSecond >= TARGETS.verify,
    ],
    [
      'verify endpoint / crypto only (recover, 1 core)',
      pct(r.verifyEndpoint.perSecond / r.recoverRate),
      '-',
      null,
    ],
    [
      'verify via library / crypto only (recover, 1 core)',
      pct(r.libraryVerify.perSecond / r.recoverRate),
      '-',
      null,
    ],
    ['issue endpoint c=20', `${fmt(r.issueEndpoint.perSecond)} req/s`, '-', null],
    ['issue endpoint / crypto only (sign, 1 core)', pct(r.issueEndpoint.perSecond / r.signRate), '-', null],
  ]
  console.log('\n| measure | measured | target | |')
  console.log('|---|---:|---:|---|')
  for (const [name, value, target, ok] of targets) {
    console.log(`| ${name} | ${value} | ${target} | ${ok === null ? '' : ok ? 'met' : 'MISSED'} |`)
  }

  // The thesis prototype on the same kind of machine.
  const thesis: [string, number, number, 'rate' | 'ms' | 'ratio'][] = [
    ['full flow c=1, payments on, req/s', THESIS.c1On, on1.perSecond, 'rate'],
    ['full flow c=1, payments on, p50 ms', THESIS.c1OnP50, p50On1, 'ms'],
    ['full flow c=20, payments on, req/s', THESIS.c20On, on20.perSecond, 'rate'],
    ['full flow c=20, payments on, p50 ms', THESIS.c20OnP50, percentile(on20.latencies, 50), 'ms'],
    ['full flow c=1, payments off, req/s', THESIS.c1Off, off1.perSecond, 'rate'],
    ['full flow c=20, payments off, req/s', THESIS.c20Off, off20.perSecond, 'rate'],
    ['full flow c=20, on / off', THESIS.c20On / THESIS.c20Off, onOff, 'ratio'],
    ['verify endpoint, req/s', THESIS.verify, r.verifyEndpoint.perSecond, 'rate'],
  ]
  console.log('\n| figure | thesis prototype | this run | this run / thesis |')
  console.log('|---|---:|---:|---:|')
  for (const [name, then, now, kind] of thesis) {
    const show = (v: number) => (kind === 'ms' ? ms1(v) : kind === 'ratio' ? v.toFixed(2) : fmt(v))
    console.log(
      `| ${name} | ${show(then)} | ${show(now)} | ${(now / then).toFixed(kind === 'ms' ? 2 : 1)}× |`,
    )
  }
  const missed = targets.filter(([, , , ok]) => ok === false).map(([name]) => name)
  console.log(missed.length ? `\nmissed: ${missed.join('; ')}` : '\nall targets met')
}

try {
  await main()
} catch (error) {
  console.error(`[bench] failed: ${(error as Error).message}`)
  process.exit(1)
}
