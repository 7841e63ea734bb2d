/**
 * The load-test method of seed 002 (section 4), on the Payment Server: a paid request is a pair
 * of calls, the consumer's issue and the provider's verify.
 *
 * - **Single-client growth test** (4.1): one client makes GROWTH_PAIRS pairs one after another
 *   and every latency is kept, so anything that grows with history (the seed's commitments,
 *   searched linearly, took 2 s after 6,000 requests) shows as a rising line. The table gives
 *   each tenth of the run; the verdict compares the last tenth's p50 with the first's.
 * - **Threshold curve** (4.2): at each concurrency, the share of pairs slower than each
 *   threshold, for one web instance and for two (the same clients split between them: the
 *   seed's "one command and the platform is faster", here measured on one machine).
 *
 * Both print tables and write SVG charts (./svgChart) into `outDir`.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { client } from './httpClient'
import { percentile, pool } from './paymentLoad'
import type { BenchStack } from './paymentProcesses'
import { fmt, ms1 } from './paymentReport'
import { startSecondWeb } from './secondWeb'
import { lineChart } from './svgChart'

/** Pairs of the growth test (the seed: 6,000; the issue: 10,000). */
export const GROWTH_PAIRS = 10_000
/** Concurrencies of the threshold curve and the pairs measured at each (after a warm-up). */
export const CURVE_CONCURRENCY = [1, 10, 50, 100]
const CURVE_PAIRS = 2_000
const CURVE_WARMUP = 200
/** Thresholds of the curve, ms. */
export const THRESHOLDS_MS = [2, 5, 10, 20, 50, 100, 200, 500, 1_000]
/** The growth verdict: the last tenth's p50 at most this many times the first's. */
const GROWTH_TARGET = 1.5

export type PairKeys = { consumerKey: string; providerKey: string; provider: string }

/** One paid request against `url`: issue (consumer) then verify (provider); its two latencies, ms. */
function pairer(url: string, keys: PairKeys, sockets: number) {
  const http = client(url, sockets)
  const issueBody = JSON.stringify({ provider: keys.provider })
  return {
    async pair(): Promise<{ issue: number; verify: number }> {
      const t0 = performance.now()
      const issued = await http.post('/api/payment/tokens', keys.consumerKey, issueBody)
      const t1 = performance.now()
      const token =
        issued.status === 200 ? (JSON.parse(issued.body) as { tokens: string[] }).tokens[0] : undefined
      if (!token) throw new Error(`issue answered ${issued.status}: ${issued.body.slice(0, 200)}`)
      const verified = await http.post(
        '/api/payment/tokens/verify',
        keys.providerKey,
        JSON.stringify({ token }),
      )
      if (verified.status !== 200)
        throw new Error(`verify answered ${verified.status}: ${verified.body.slice(0, 200)}`)
      return { issue: t1 - t0, verify: performance.now() - t1 }
    },
    close: () => http.close(),
  }
}

export type Growth = { issue: number[]; verify: number[]; seconds: number }

/** The growth test: GROWTH_PAIRS pairs by one client, one after another; latencies in order. */
export async function growthTest(url: string, keys: PairKeys, pairs = GROWTH_PAIRS): Promise<Growth> {
  const p = pairer(url, keys, 1)
  const result: Growth = { issue: [], verify: [], seconds: 0 }
  const started = performance.now()
  try {
    for (let i = 0; i < pairs; i++) {
      const { issue, verify } = await p.pair()
      result.issue.push(issue)
      result.verify.push(verify)
    }
  } finally {
    p.close()
  }
  result.seconds = (performance.now() - started) / 1000
  return result
}

const sorted = (values: readonly number[]) => [...values].sort((a, b) => a - b)
const tenths = (values: readonly number[]) =>
  Array.from({ length: 10 }, (_, i) =>
    sorted(values.slice((i * values.length) / 10, ((i + 1) * values.length) / 10)),
  )

/** Prints the growth table and writes `growth.svg` (the median of every 100 pairs); the verdict. */
export async function printGrowth(g: Growth, outDir: string): Promise<void> {
  const n = g.issue.length
  const rows = tenths(g.issue).map((issue, i) => {
    const verify = tenths(g.verify)[i] as number[]
    const from = Math.round((i * n) / 10) + 1
    const to = Math.round(((i + 1) * n) / 10)
    return `| ${fmt(from).padStart(6)}-${fmt(to).padEnd(6)} | ${ms1(percentile(issue, 50))} | ${ms1(percentile(issue, 99))} | ${ms1(percentile(verify, 50))} | ${ms1(percentile(verify, 99))} |`
  })
  const pairs = g.issue.map((v, i) => v + (g.verify[i] as number))
  const [first, last] = [tenths(pairs)[0] as number[], tenths(pairs)[9] as number[]]
  const growth = percentile(last, 50) / percentile(first, 50)
  const buckets = (values: readonly number[]) =>
    Array.from(
      { length: Math.floor(values.length / 100) },
      (_, b) => [(b + 1) * 100, percentile(sorted(values.slice(b * 100, (b + 1) * 100)), 50)] as const,
    )
  const file = path.join(outDir, 'growth.svg')
  await writeFile(
    file,
    lineChart({
      title: `Single-client growth test: ${fmt(n)} paid requests one after another`,
      xLabel: 'paid request (issue + verify) number',
      yLabel: 'ms (median of each 100)',
      series: [
        { name: 'issue (consumer)', points: buckets(g.issue) },
        { name: 'verify (provider)', points: buckets(g.verify) },
      ],
    }),
  )
  console.log(
    [
      '',
      `Single-client growth test (seed 002, 4.1): ${fmt(n)} paid requests (issue then verify) by one client, one after another, in ${g.seconds.toFixed(0)} s; every latency kept`,
      '| requests        | issue p50 ms | issue p99 ms | verify p50 ms | verify p99 ms |',
      '|-----------------|-------------:|-------------:|--------------:|--------------:|',
      ...rows,
      `Growth: the last tenth's p50 (issue + verify) is ${growth.toFixed(2)}× the first tenth's; target ≤ ${GROWTH_TARGET}× (nothing grows with history): ${growth <= GROWTH_TARGET ? 'met' : 'MISSED'}. Chart: ${file}`,
    ].join('\n'),
  )
}

export type CurvePoint = { concurrency: number; instances: number; pairs: number[]; perSecond: number }

/**
 * The threshold curve's measurements: at each concurrency, CURVE_PAIRS pairs (after a warm-up)
 * spread over `urls` (client i uses urls[i % urls.length]), pair latencies kept.
 */
export async function thresholdCurve(urls: readonly string[], keys: PairKeys): Promise<CurvePoint[]> {
  const points: CurvePoint[] = []
  for (const concurrency of CURVE_CONCURRENCY) {
    const pairers = urls.map((url) => pairer(url, keys, Math.ceil(concurrency / urls.length)))
    const one = (i: number) => async () => {
      await (pairers[i % pairers.length] as ReturnType<typeof pairer>).pair()
    }
    try {
      await pool({ count: CURVE_WARMUP, workers: concurrency, work: (i) => one(i)() })
      const run = await pool({ count: CURVE_PAIRS, workers: concurrency, work: (i) => one(i)() })
      points.push({ concurrency, instances: urls.length, pairs: run.latencies, perSecond: run.perSecond })
    } finally {
      for (const p of pairers) p.close()
    }
  }
  return points
}

/** The share of `latencies` (ascending) slower than `ms`. */
export function shareSlower(latencies: readonly number[], ms: number): number {
  let lo = 0
  let hi = latencies.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((latencies[mid] as number) <= ms) lo = mid + 1
    else hi = mid
  }
  return latencies.length === 0 ? 0 : (latencies.length - lo) / latencies.length
}

/** Prints the curve's table (one row per concurrency and instance count) and writes `thresholds.svg`. */
export async function printCurve(points: readonly CurvePoint[], outDir: string): Promise<void> {
  const head = THRESHOLDS_MS.map((t) => `> ${t} ms`.padStart(8))
  const rows = points.map(
    (p) =>
      `| ${String(p.concurrency).padStart(4)} | ${p.instances} | ${fmt(p.perSecond).padStart(6)} | ${THRESHOLDS_MS.map((t) => `${(shareSlower(p.pairs, t) * 100).toFixed(1)} %`.padStart(8)).join(' | ')} |`,
  )
  const ratios = CURVE_CONCURRENCY.map((c) => {
    const [one, two] = [1, 2].map((n) => points.find((p) => p.concurrency === c && p.instances === n))
    return one && two ? `c=${c}: ${(two.perSecond / one.perSecond).toFixed(2)}` : null
  }).filter(Boolean)
  const file = path.join(outDir, 'thresholds.svg')
  await writeFile(
    file,
    lineChart({
      title: 'Share of paid requests slower than each threshold',
      xLabel: 'threshold, ms (logarithmic)',
      xLog: true,
      yLabel: '% of requests slower',
      yMax: 100,
      series: points.map((p) => ({
        name: `c=${p.concurrency}, ${p.instances} web instance${p.instances > 1 ? 's' : ''}`,
        points: THRESHOLDS_MS.map((t) => [t, shareSlower(p.pairs, t) * 100] as const),
      })),
    }),
  )
  console.log(
    [
      '',
      `Threshold curve (seed 002, 4.2): ${fmt(CURVE_PAIRS)} paid requests (issue + verify, closed loop) at each concurrency, against one web instance and two (clients split between them; both on this machine)`,
      `|    c | web | pairs/s | ${head.join(' | ')} |`,
      `|-----:|----:|--------:|${THRESHOLDS_MS.map(() => '---------:').join('|')}|`,
      ...rows,
      `Two web instances ÷ one, pairs/s: ${ratios.join(', ') || '-'} (one machine's 2 cores: the second instance adds a Node.js event loop, not cores). Chart: ${file}`,
    ].join('\n'),
  )
}

export type Method002 = { growth: Growth; curve: CurvePoint[]; outDir: string }

/**
 * The whole method against the bench stack: the growth test on its web instance, then the
 * curve against it alone and against it and a second web instance (./secondWeb).
 */
export async function measureMethod002({
  root,
  stack,
  keys,
  outDir,
  log,
}: {
  root: string
  stack: BenchStack
  keys: PairKeys
  outDir: string
  log: (line: string) => void
}): Promise<Method002> {
  await mkdir(outDir, { recursive: true })
  const growth = await growthTest(stack.url, keys)
  log(`growth test: ${fmt(growth.issue.length)} pairs in ${growth.seconds.toFixed(0)} s`)
  const curve = await thresholdCurve([stack.url], keys)
  const second = await startSecondWeb({ root, stack })
  try {
    curve.push(...(await thresholdCurve([stack.url, second.url], keys)))
  } finally {
    await second.stop()
  }
  log('threshold curve: one and two web instances measured')
  return { growth, curve, outDir }
}

export async function printMethod002(m: Method002): Promise<void> {
  await printGrowth(m.growth, m.outDir)
  await printCurve(m.curve, m.outDir)
}
