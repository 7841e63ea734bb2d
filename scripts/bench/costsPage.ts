/**
 * The time until /costs is interactive, in a real browser: the web role (stack/roles/web.ts,
 * the production build, as `npm run start:web` serves it) on the bench's seeded database,
 * Chromium driven by Playwright with the e2e suite's launch options. Each sample is a fresh
 * navigation; times are the page's own clock from navigation start: the response's first byte,
 * the graph drawn (laid out and its nodes measured by React Flow), and interactive (a search
 * typed into the graph's box has answered). Polled on animation frames, so a main thread
 * busy laying out delays the reading as it delays a person.
 */
import os from 'node:os'
import { chromium } from '@playwright/test'
import config from '../../playwright.config'
import { startNodeScript } from '../../stack/child'
import { ensureNextBuild, waitForWeb } from '../../stack/next'
import { freePort } from '../../stack/ports'
import { cleanEnv, cpuByRoot, cpuSnapshot, register } from './paymentProcesses'
import { OTHER_CPU_WARNING } from './paymentReport'

export type PageCase = { label: string; path: string; search: string }
export type PageTiming = {
  label: string
  nodes: number
  firstByte: number[]
  drawn: number[]
  interactive: number[]
}

/** Builds the web app if its sources changed, serves it on `databaseUrl`, and times each page `samples` times. */
export async function timeCostsPages({
  root,
  databaseUrl,
  rpcUrl,
  cases,
  samples,
}: {
  root: string
  databaseUrl: string
  rpcUrl: string
  cases: PageCase[]
  samples: number
}): Promise<{ rows: PageTiming[]; otherCores: number; loadAverage: number }> {
  const build = await ensureNextBuild({ root, env: process.env, onLine: () => {} })
  if (build.built) console.log(`  built the web app in ${(build.ms / 1000).toFixed(0)} s`)
  const port = await freePort()
  const web = startNodeScript({
    name: 'web (bench:costs)',
    root,
    script: 'stack/roles/web.ts',
    env: cleanEnv({
      DATABASE_URL: databaseUrl,
      RPC_URL: rpcUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      PAYMENT_RUNNER: 'off',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    }),
    onLine: () => {},
  })
  const stop = register(web, 15_000)
  const url = `http://127.0.0.1:${port}`
  const browser = await chromium.launch(config.use?.launchOptions)
  try {
    await waitForWeb({ web, url: `${url}${cases[0]?.path ?? '/'}`, timeoutMs: 180_000 })
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage()
    const before = await cpuSnapshot()
    const started = performance.now()
    const rows: PageTiming[] = []
    for (const c of cases) {
      const row: PageTiming = { label: c.label, nodes: 0, firstByte: [], drawn: [], interactive: [] }
      // One warm-up each: the server's first render of a route, the browser's caches.
      for (let i = 0; i <= samples; i++) {
        await page.goto(`${url}${c.path}`, { waitUntil: 'commit' })
        const drawn = await page.waitForFunction(
          () => {
            const ready = document.querySelector('[data-testid="cost-graph"][data-ready="true"]')
            const node = document.querySelector('.react-flow__node')
            return ready && node && getComputedStyle(node).visibility !== 'hidden' ? performance.now() : false
          },
          undefined,
          { polling: 'raf', timeout: 120_000 },
        )
        await page.getByTestId('graph-search').fill(c.search)
        const answered = await page.waitForFunction(
          () => (document.querySelector('[data-testid="graph-search-result"]') ? performance.now() : false),
          undefined,
          { polling: 'raf', timeout: 120_000 },
        )
        const firstByte = await page.evaluate(
          () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).responseStart,
        )
        if (i === 0) continue
        row.firstByte.push(firstByte)
        row.drawn.push((await drawn.jsonValue()) as number)
        row.interactive.push((await answered.jsonValue()) as number)
        row.nodes = await page.locator('.react-flow__node').count()
      }
      rows.push(row)
    }
    const seconds = (performance.now() - started) / 1000
    const spent = cpuByRoot(before, await cpuSnapshot(), { bench: process.pid, web: web.process.pid ?? 0 })
    return { rows, otherCores: (spent.get('other') ?? 0) / seconds, loadAverage: os.loadavg()[0] ?? 0 }
  } finally {
    await browser.close()
    await stop()
  }
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN

/** The page table: medians, the ratio to the gauge (the first row), and the 1 s target. */
export function printPageTable(result: Awaited<ReturnType<typeof timeCostsPages>>, targetMs: number): void {
  const gauge = result.rows[0]
  const ms = (n: number) => `${Math.round(n)} ms`
  const head = [
    'page',
    'nodes drawn',
    'first byte',
    'graph drawn',
    'interactive',
    '÷ gauge',
    `< ${targetMs} ms`,
  ]
  const rows = result.rows.map((r) => [
    r.label,
    String(r.nodes),
    ms(median(r.firstByte)),
    ms(median(r.drawn)),
    ms(median(r.interactive)),
    r === gauge ? '(gauge)' : `${(median(r.interactive) / median(gauge?.interactive ?? [])).toFixed(2)}×`,
    median(r.interactive) < targetMs ? 'yes' : 'NO',
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`
  console.log('')
  console.log(line(head))
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
  for (const r of rows) console.log(line(r))
  console.log(
    `  medians of ${gauge?.firstByte.length ?? 0} navigations each in Chromium (1280×800), from navigation start; ` +
      'interactive = the graph drawn and a search typed into it answered',
  )
  console.log(`  load average ${result.loadAverage.toFixed(2)} on ${os.cpus().length} cores`)
  if (result.otherCores > OTHER_CPU_WARNING) {
    console.log(
      `  WARNING: unrelated processes used ${result.otherCores.toFixed(2)} cores while the pages were timed; the machine was not quiet, the times read high.`,
    )
  }
}
