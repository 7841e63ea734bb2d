/**
 * The tables `npm run bench:payment` prints: the thesis prototype's layout for the full flow,
 * the endpoints alone against their gauges (the crypto alone, a minimal verify server), where
 * the time went (the Payment Server's metrics and every process's CPU), and the targets.
 */
import os from 'node:os'
import { secp256k1 } from '../../lib/server/secp256k1'
import type { LoadResult } from './paymentLoad'
import { percentile } from './paymentLoad'
import type { PhaseMetrics } from './paymentMetrics'
import { WEB_LABEL } from './paymentProcesses'

export const LEVELS = [
  { c: 1, n: 100 },
  { c: 5, n: 500 },
  { c: 10, n: 1_000 },
  { c: 20, n: 2_000 },
] as const
export const PERCENTILES = [50, 80, 90, 95, 98, 99, 100]
/** Runs of each measurement that a target reads; the median counts. */
export const REPEATS = 3
/** Concurrency of the endpoint measurements. */
export const ENDPOINT_C = 20
/**
 * The provider of the endpoint measurements: the example's `public` pays `persistence` through a
 * version 1 channel, as the verify gauge's own channel is (it pays `validation` through a
 * version 2 channel: ENDPOINT_V2), so the endpoints and their gauge measure the same path, as
 * in earlier runs.
 */
export const ENDPOINT_PROVIDER = 'persistence'
/**
 * The version 2 measurement's provider and category: `public` pays `validation` through a
 * version 2 channel with categories small and large (the example's load pricing is not running
 * while the endpoints are measured, so its prices hold).
 */
export const ENDPOINT_V2 = { provider: 'validation', category: 'small' }
/** Tokens of each run through the client library. */
export const LIBRARY_TOKENS = 10_000
/** Cores used by unrelated processes during a measurement above which the report warns. */
export const OTHER_CPU_WARNING = 0.2
/** Targets of the product (PRODUCT.md, "Performance, measured side by side"). */
/** "Verification alone at least 5,000 req/s at c=20": the endpoint, and the library's coalesced calls. */
/** The verify endpoint's rate over its gauge's (a minimal verify server): the team's target. */
export const TARGETS = { fullFlowOn: 500, onOffRatio: 0.5, p50c1OnMs: 10, verify: 5_000, verifyOfGauge: 0.7 }
/** The thesis prototype, rebuilt and run on this kind of machine (PRODUCT.md). */
export const THESIS = {
  c1On: 34,
  c1OnP50: 27,
  c20On: 103,
  c20OnP50: 190,
  c1Off: 493,
  c20Off: 809,
  verify: 660,
}

export const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-')
export const ms1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-')
export const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(0)} %` : '-')

/** `runs` rates, the counted one marked: "512 / *541* / 598". */
export const rates = (r: { perSecond: number; rates?: number[] }) =>
  (r.rates ?? [r.perSecond]).map((x) => (x === r.perSecond ? `*${fmt(x)}*` : fmt(x))).join(' / ')

export type Observed = {
  name: string
  metrics: PhaseMetrics
  cpu: Map<string, number>
  /** CPU seconds of the web server's main thread (its event loop), when it could be read. */
  webMainThread: number | null
  seconds: number
  /** The run's rate (requests or tokens per second), when it has one. */
  perSecond: number | null
}

export type PoolResult = { ms: number; perSecond: number; latencies: number[]; calls: number }

export function printTables(r: {
  flow: Record<'off' | 'on', LoadResult[]>
  issueEndpoint: LoadResult
  verifyEndpoint: LoadResult
  verifyGauge: LoadResult
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
  console.log(
    `\nEndpoints alone, concurrency ${ENDPOINT_C}, payments on (public → ${ENDPOINT_PROVIDER} channel, version 1)`,
  )
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
    'verify gauge: bare node:http, the same recovery and acceptance statement',
    r.verifyGauge.count,
    r.verifyGauge.perSecond,
    'req/s',
    r.verifyGauge.latencies,
    `nothing else (scripts/bench/verifyGauge.ts); run in turn with the endpoint; ${REPEATS} runs: ${rates(r.verifyGauge)}`,
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
    `issue via library: consumer.token('${ENDPOINT_PROVIDER}')`,
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
    '\n| phase | verify statements (payment_verify_batch_tokens) | tokens per statement (mean) | largest ≤ |',
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
      'verify endpoint / its gauge (minimal verify server)',
      (r.verifyEndpoint.perSecond / r.verifyGauge.perSecond).toFixed(2),
      `≥ ${TARGETS.verifyOfGauge}`,
      r.verifyEndpoint.perSecond / r.verifyGauge.perSecond >= TARGETS.verifyOfGauge,
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

/** A table of measurements: rate, p50 and p99 latency, and every run's rate (the median's starred). */
function printRateRows(rows: ReadonlyArray<readonly [string, LoadResult]>): void {
  console.log('| measurement | rate req/s | p50 ms | p99 ms | runs |')
  console.log('|---|---:|---:|---:|---|')
  for (const [name, x] of rows) {
    console.log(
      `| ${name} | ${fmt(x.perSecond)} | ${ms1(percentile(x.latencies, 50))} | ${ms1(percentile(x.latencies, 99))} | ${rates(x)} |`,
    )
  }
}

/** The table of `--only verify`: the verify endpoint against its gauge, run in turn. */
export function printVerifyOnly(r: {
  verifyEndpoint: LoadResult
  verifyGauge: LoadResult
  observed: Observed[]
  stackRoot: string | null
}): void {
  console.log(
    `\n${os.cpus().length} cores, libsecp256k1 ${secp256k1().name}; stack from ${r.stackRoot ?? 'this checkout'}`,
  )
  console.log(
    `\nVerify alone, concurrency ${ENDPOINT_C}, a fresh token per request; ${REPEATS} runs each, in turn`,
  )
  printRateRows([
    ['verify endpoint', r.verifyEndpoint],
    ['verify gauge (minimal verify server)', r.verifyGauge],
  ])
  const ratio = r.verifyEndpoint.perSecond / r.verifyGauge.perSecond
  console.log(
    `\nverify endpoint / its gauge: ${ratio.toFixed(2)} (target ≥ ${TARGETS.verifyOfGauge}: ${ratio >= TARGETS.verifyOfGauge ? 'met' : 'MISSED'})`,
  )
  const busiest = Math.max(...r.observed.map((o) => (o.cpu.get('other') ?? 0) / o.seconds))
  if (busiest > OTHER_CPU_WARNING) {
    console.log(
      `\nWARNING: unrelated processes used up to ${busiest.toFixed(2)} cores during a measurement; the figures understate this machine.`,
    )
  }
}

/**
 * The verify endpoint on a version 2 channel (ENDPOINT_V2: a price table of two categories, one
 * counted per token) against the same endpoint on a version 1 channel, measured in turn: what
 * the categories cost a provider's verification.
 */
export function printVerifyV2(r: { verifyEndpoint: LoadResult; verifyV2: LoadResult }): void {
  console.log(
    `\nVerify on a version 2 channel (${ENDPOINT_V2.provider}, category ${ENDPOINT_V2.category}), concurrency ${ENDPOINT_C}, in turn with version 1`,
  )
  printRateRows([
    ['verify endpoint, version 1 channel', r.verifyEndpoint],
    ['verify endpoint, version 2 channel', r.verifyV2],
  ])
  console.log(`\nversion 2 / version 1: ${(r.verifyV2.perSecond / r.verifyEndpoint.perSecond).toFixed(2)}`)
}
