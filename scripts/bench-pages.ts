/**
 * `npm run bench:pages`: how fast each main page goes quiet on the example stack. Starts a
 * private stack (stack/start.ts, as `npm start` runs it, on free ports in .data/bench-pages)
 * with the example network and its live traffic, or attaches to a running one with
 * BENCH_URL=http://127.0.0.1:3000. Loads each main page (e2e/kit/pageLoad.ts: /, /blocks, a
 * block, a transaction, an address, /channels, a channel, /costs, /services, a service, /search)
 * in Chromium with the e2e suite's launch options, each load in a fresh browser context (cold
 * caches, as a first visit), and prints per page the requests, Next.js prefetches, bytes and the
 * time to network idle (median of BENCH_PAGE_SAMPLES, default 5, after one warm-up), against a
 * gauge measured in the same run: the /api/livez round trip from the same browser. Target:
 * network idle under 1 s. Says when other processes kept the machine busy. Always exits 0 (a report).
 */
import { rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { type Browser, chromium } from '@playwright/test'
import { mainPages, measurePageLoad, type PageLoad } from '../e2e/kit/pageLoad'
import config from '../playwright.config'
import {
  type BenchStack,
  cpuByRoot,
  cpuSnapshot,
  type ExampleNetwork,
  startBenchStack,
  startExampleNetwork,
  stopChildren,
  stopLeftovers,
} from './bench/paymentProcesses'
import { OTHER_CPU_WARNING } from './bench/paymentReport'

const root = path.resolve(import.meta.dirname, '..')
const dataDir = path.join(root, '.data', 'bench-pages')
const SAMPLES = Number(process.env.BENCH_PAGE_SAMPLES ?? 5)
const TARGET_MS = 1_000
const log = (line: string) => console.log(`[bench] ${line}`)
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

/** Loads `path` once in a fresh context (cold caches). */
async function coldLoad(browser: Browser, url: string, path: string): Promise<PageLoad> {
  const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } })
  try {
    return await measurePageLoad(await context.newPage(), path)
  } finally {
    await context.close()
  }
}

/** The /api/livez round trip from a page of the stack (ms, each of `n`). */
async function livezTrips(browser: Browser, url: string, n: number): Promise<number[]> {
  const context = await browser.newContext({ baseURL: url })
  try {
    const page = await context.newPage()
    await page.goto('/api/livez')
    return await page.evaluate(async (count) => {
      const trips: number[] = []
      for (let i = 0; i < count; i++) {
        const started = performance.now()
        await (await fetch('/api/livez', { cache: 'no-store' })).text()
        trips.push(performance.now() - started)
      }
      return trips
    }, n)
  } finally {
    await context.close()
  }
}

/** Polls the stack until it has a channel with a transaction and a labelled service to show. */
async function pagesOf(url: string) {
  const get = async <T>(p: string): Promise<T> => {
    const res = await fetch(`${url}${p}`)
    if (!res.ok) throw new Error(`GET ${p}: ${res.status}`)
    return (await res.json()) as T
  }
  for (let waited = 0; ; waited++) {
    try {
      return await mainPages(get)
    } catch (error) {
      if (waited >= 180) throw error
      if (waited % 15 === 0)
        log(`waiting for the example network's first channel (${(error as Error).message})`)
      await new Promise((r) => setTimeout(r, 1_000))
    }
  }
}

function printTable(rows: Array<{ name: string; path: string; loads: PageLoad[] }>, gaugeMs: number): void {
  const head = [
    'page',
    'requests',
    'prefetches',
    'bytes',
    'network idle',
    '÷ livez',
    `< ${fmt(TARGET_MS)} ms`,
  ]
  const lines = rows.map(({ name, loads }) => {
    const idle = median(loads.map((l) => l.idleMs))
    return [
      name,
      fmt(median(loads.map((l) => l.requests.length))),
      fmt(median(loads.map((l) => l.prefetches))),
      fmt(median(loads.map((l) => l.bytes))),
      `${fmt(idle)} ms`,
      `${(idle / gaugeMs).toFixed(0)}×`,
      idle < TARGET_MS ? 'yes' : 'NO',
    ]
  })
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)))
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`
  console.log(`\n${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
  for (const l of lines) console.log(line(l))
  console.log(
    `  medians of ${SAMPLES} cold loads each (fresh browser context, 1280×800) after one warm-up; network idle = the end of the last request before 500 ms without any; gauge: /api/livez round trip ${gaugeMs.toFixed(1)} ms (median, same browser)`,
  )
}

async function main(): Promise<void> {
  let stack: BenchStack | undefined
  let example: ExampleNetwork | undefined
  let browser: Browser | undefined
  const cleanup = async () => {
    await browser?.close().catch(() => {})
    await example?.stop().catch(() => {})
    await stack?.stop().catch(() => {})
    await stopChildren()
    if (stack) await stopLeftovers(dataDir).catch(() => {})
    if (stack) await rm(dataDir, { recursive: true, force: true }).catch(() => {})
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void cleanup().then(() => process.exit(130)))
  }
  try {
    let url = process.env.BENCH_URL?.replace(/\/$/, '')
    if (!url) {
      log('starting a private stack (stack/start.ts; next build runs first when the sources changed)...')
      stack = await startBenchStack({ root, dataDir })
      log(
        `stack ready in ${stack.readySeconds.toFixed(1)} s at ${stack.url}; starting the example network...`,
      )
      example = await startExampleNetwork({ root, dataDir, stack, payments: true, trafficPerSecond: 2 })
      url = stack.url
    } else log(`attached to ${url}`)
    const pages = await pagesOf(url)
    browser = await chromium.launch(config.use?.launchOptions)
    const roots = {
      bench: process.pid,
      ...(stack?.child.process.pid ? { stack: stack.child.process.pid } : {}),
      ...(example?.child.process.pid ? { example: example.child.process.pid } : {}),
    }
    const before = await cpuSnapshot()
    const started = performance.now()
    const gauge = median(await livezTrips(browser, url, 21))
    const rows: Array<{ name: string; path: string; loads: PageLoad[] }> = []
    for (const { name, path: p } of pages) {
      await coldLoad(browser, url, p) // warm-up: the server's first render of the route
      const loads: PageLoad[] = []
      for (let i = 0; i < SAMPLES; i++) loads.push(await coldLoad(browser, url, p))
      rows.push({ name, path: p, loads })
    }
    const seconds = (performance.now() - started) / 1000
    const other = (cpuByRoot(before, await cpuSnapshot(), roots).get('other') ?? 0) / seconds
    printTable(rows, gauge)
    console.log(`  load average ${(os.loadavg()[0] ?? 0).toFixed(2)} on ${os.cpus().length} cores`)
    if (!stack) {
      console.log('  attached: the stack counts as other processes below')
    }
    if (other > OTHER_CPU_WARNING) {
      console.log(
        `  WARNING: other processes used ${other.toFixed(2)} cores while the pages loaded: the machine was busy, the times read high.`,
      )
    }
  } catch (error) {
    console.error(`[bench] failed: ${(error as Error).stack ?? error}`)
    if (stack) console.error(stack.output())
  } finally {
    await cleanup()
  }
}

await main()
process.exit(0)
