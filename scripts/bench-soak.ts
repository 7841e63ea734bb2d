/**
 * `npm run bench:soak`: does memory stay flat over a long run? Starts a private stack
 * (`stack/start.ts`, DATA_DIR .data/bench-soak, free ports) and the example network against
 * it with live paid traffic at a steady rate, reads explorer and cost APIs and pages alongside
 * (a dashboard left open, an engineer clicking around), and samples every process's resident
 * memory, and the web process's V8 heap, every few seconds. Target: after a 2-minute warm-up,
 * the RSS of every Node.js process grows less than 10 % (the minute after the warm-up against
 * the last minute; ./bench/soak).
 *
 * Options: `--minutes N` (default 10), `--traffic N` (the example's paid requests per second,
 * default 20), `--reads N` (reads per second, default 5). Exits 1 when the target is missed or
 * a run is invalid (a read or the stack failed). Everything it started is stopped and
 * .data/bench-soak removed at the end, Ctrl-C included.
 */
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import {
  type BenchStack,
  cpuByRoot,
  cpuSnapshot,
  type ExampleNetwork,
  startBenchStack,
  startExampleNetwork,
  stopChildren,
  stopLeftovers,
  WEB_LABEL,
} from './bench/paymentProcesses'
import { metricOf, printSoak, type Sample, sampleRss } from './bench/soak'

const root = path.resolve(import.meta.dirname, '..')
const dataDir = path.join(root, '.data', 'bench-soak')
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    traffic: { type: 'string', default: '20' },
    reads: { type: 'string', default: '5' },
  },
})
const minutes = Number(values.minutes)
const trafficPerSecond = Number(values.traffic)
const readsPerSecond = Number(values.reads)
const WARMUP_SECONDS = 120
const SAMPLE_MS = 5_000
const log = (line: string) => console.log(`[soak] ${line}`)

/** What the reader asks for, in turn: the explorer's and the costs' APIs and pages. */
function readPaths(channel: string | undefined, tx: string | undefined, block: string | undefined): string[] {
  return [
    '/api/blocks?limit=25',
    '/api/channels',
    '/api/events?limit=50',
    '/api/costs/graph?window=24h',
    '/api/costs/series?window=24h',
    '/api/costs/graph?window=all',
    '/api/costs/report.csv?window=30d',
    '/api/status',
    '/',
    '/blocks',
    '/channels',
    '/costs',
    '/services',
    ...(channel ? [`/api/channels/${channel}`, `/channels/${channel}`, `/api/search?q=${channel}`] : []),
    ...(tx ? [`/api/tx/${tx}`, `/tx/${tx}`] : []),
    ...(block ? [`/api/blocks/${block}`, `/blocks/${block}`] : []),
  ]
}

async function main(): Promise<boolean> {
  let stack: BenchStack | undefined
  let example: ExampleNetwork | undefined
  const cleanup = async () => {
    await example?.stop().catch(() => {})
    await stack?.stop().catch(() => {})
    await stopChildren()
    await stopLeftovers(dataDir).catch(() => {})
    await rm(dataDir, { recursive: true, force: true }).catch(() => {})
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => void cleanup().then(() => process.exit(130)))
  try {
    log('starting a private stack (next build runs first when the sources changed)...')
    stack = await startBenchStack({ root, dataDir })
    const s = stack
    example = await startExampleNetwork({ root, dataDir, stack: s, payments: true, trafficPerSecond })
    log(
      `stack at ${s.url}; example network at ${trafficPerSecond} paid requests/s; reading ${readsPerSecond}/s`,
    )
    const get = (p: string) => fetch(`${s.url}${p}`, { signal: AbortSignal.timeout(30_000) })
    const channels = (await (await get('/api/channels')).json()) as { items?: { address: string }[] }
    const blocks = (await (await get('/api/blocks?limit=5')).json()) as { items?: { number: string }[] }
    const block = blocks.items?.[0]?.number
    const blockJson = block
      ? ((await (await get(`/api/blocks/${block}`)).json()) as { transactions?: { hash: string }[] })
      : undefined
    const paths = readPaths(channels.items?.[0]?.address, blockJson?.transactions?.[0]?.hash, block)

    const roots = { ...(await s.pids()), 'example services': example.child.process.pid as number }
    const trees = new Set(['postgres'])
    const samples: Sample[] = []
    const reads = { ok: 0, failed: 0, firstFailure: undefined as string | undefined }
    const started = performance.now()
    const cpuBefore = await cpuSnapshot()
    const until = started + minutes * 60_000
    const elapsed = () => (performance.now() - started) / 1000

    const reader = (async () => {
      for (let i = 0; performance.now() < until; i++) {
        const due = started + (i * 1000) / readsPerSecond
        if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()))
        const p = paths[i % paths.length] as string
        try {
          const response = await get(p)
          await response.arrayBuffer()
          if (response.ok) reads.ok++
          else {
            reads.failed++
            reads.firstFailure ??= `${p}: ${response.status}`
          }
        } catch (error) {
          reads.failed++
          reads.firstFailure ??= `${p}: ${(error as Error).message}`
        }
      }
    })()
    while (performance.now() < until) {
      const metrics = await fetch(`${s.url}/api/payment/metrics`, {
        headers: { authorization: `Bearer ${s.adminKey}` },
      })
        .then((r) => r.text())
        .catch(() => '')
      samples.push({
        at: elapsed(),
        rss: await sampleRss(roots, trees),
        webHeapUsed: metricOf(metrics, 'payment_nodejs_heap_size_used_bytes'),
        webHeapLive: metricOf(metrics, 'payment_nodejs_heap_live_bytes'),
      })
      const last = samples.at(-1) as Sample
      if (samples.length % 12 === 1)
        log(
          `${(last.at / 60).toFixed(1)} min: web RSS ${((last.rss.get(WEB_LABEL) ?? 0) / 2 ** 20).toFixed(0)} MB, ${reads.ok} reads`,
        )
      if (s.child.process.exitCode !== null) throw new Error(`the stack exited:\n${s.output()}`)
      await new Promise((r) => setTimeout(r, SAMPLE_MS))
    }
    await reader
    const cpu = cpuByRoot(cpuBefore, await cpuSnapshot(), { ...roots, 'soak (this script)': process.pid })
    const met = printSoak({
      samples,
      warmupSeconds: WARMUP_SECONDS,
      minutes,
      trafficPerSecond,
      readsPerSecond,
      reads,
      otherCores: (cpu.get('other') ?? 0) / elapsed(),
    })
    return met && reads.failed === 0
  } finally {
    await cleanup()
  }
}

try {
  process.exit((await main()) ? 0 : 1)
} catch (error) {
  console.error(`[soak] failed: ${(error as Error).message}`)
  process.exit(1)
}
