/**
 * What `npm run bench:soak` samples and reports: each process's resident memory (and the web
 * process's V8 heap, from its metrics) over the run, and the growth after the warm-up.
 */
import { readdir, readFile } from 'node:fs/promises'

/**
 * One sample: seconds since the start, RSS in bytes by process label, and the web process's V8
 * heap in use now (garbage included) and after its last full collection (what it holds on to).
 */
export type Sample = {
  at: number
  rss: Map<string, number>
  webHeapUsed: number | null
  webHeapLive: number | null
}

/** Target: after the warm-up, resident memory grows less than this (0.1: 10 %). */
export const SOAK_TARGET = 0.1

/** RSS of a process (VmRSS), bytes; null once it is gone. */
async function rssOf(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]
  return kb === undefined ? null : Number(kb) * 1024
}

/** Pids of `pid`'s descendants (Postgres's backends under its postmaster). */
async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number>()
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '')
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (ppid) parents.set(Number(name), ppid)
  }
  const out: number[] = []
  const walk = (p: number) => {
    for (const [child, parent] of parents) {
      if (parent === p) {
        out.push(child)
        walk(child)
      }
    }
  }
  walk(pid)
  return out
}

/**
 * Resident memory of each labelled process; `trees` are summed over their descendants too
 * (Postgres: one process per connection; shared buffers are counted once per process that
 * touched them, so its figure overstates, alike at both ends of the run).
 */
export async function sampleRss(
  roots: Record<string, number>,
  trees: ReadonlySet<string>,
): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  for (const [label, pid] of Object.entries(roots)) {
    const pids = trees.has(label) ? [pid, ...(await descendants(pid))] : [pid]
    let sum = 0
    for (const p of pids) sum += (await rssOf(p)) ?? 0
    if (sum > 0) out.set(label, sum)
  }
  return out
}

/** A metric's value (a metric without labels) from a Prometheus text page; null when absent. */
export function metricOf(metrics: string, name: string): number | null {
  const value = new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(metrics)?.[1]
  return value === undefined ? null : Number(value)
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0 ? Number.NaN : (sorted[(sorted.length - 1) >> 1] as number)
}
const mb = (bytes: number) => (Number.isFinite(bytes) ? (bytes / 2 ** 20).toFixed(0) : '-')

/** Growth of one series: the median of the minute after the warm-up against the median of the last minute. */
function growth(samples: Sample[], warmupSeconds: number, value: (s: Sample) => number | undefined | null) {
  const end = samples.at(-1)?.at ?? 0
  const pick = (from: number, to: number) =>
    samples
      .filter((s) => s.at >= from && s.at < to)
      .map(value)
      .filter((v): v is number => typeof v === 'number')
  const start = median(pick(warmupSeconds, warmupSeconds + 60))
  const last = median(pick(end - 60, end + 1))
  const max = Math.max(...samples.map(value).filter((v): v is number => typeof v === 'number'))
  return { start, last, max, ratio: last / start - 1 }
}

/** The table: per process, RSS after the warm-up, at the end, the growth and the maximum; the web heap. */
export function printSoak(r: {
  samples: Sample[]
  warmupSeconds: number
  minutes: number
  trafficPerSecond: number
  readsPerSecond: number
  reads: { ok: number; failed: number; firstFailure?: string }
  otherCores: number
}): boolean {
  const labels = [...new Set(r.samples.flatMap((s) => [...s.rss.keys()]))]
  const rows = labels.map((label) => ({
    label,
    ...growth(r.samples, r.warmupSeconds, (s) => s.rss.get(label)),
  }))
  const heap = growth(r.samples, r.warmupSeconds, (s) => s.webHeapUsed)
  const live = growth(r.samples, r.warmupSeconds, (s) => s.webHeapLive || null)
  const nodeRows = rows.filter((row) => !['postgres', 'anvil'].includes(row.label))
  const met = nodeRows.every((row) => row.ratio < SOAK_TARGET)
  const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : '-')
  console.log(
    [
      '',
      `Soak: ${r.minutes} min of the example network at ${r.trafficPerSecond} paid requests/s plus explorer and cost reads at ${r.readsPerSecond}/s (${r.reads.ok} reads answered, ${r.reads.failed} failed); memory after the ${r.warmupSeconds / 60}-minute warm-up (median of its next minute) against the last minute's median`,
      '| process                                      | after warm-up MB | at the end MB | growth   | max MB |',
      '|----------------------------------------------|-----------------:|--------------:|---------:|-------:|',
      ...rows.map(
        (row) =>
          `| ${`${row.label.replace(' (stack/web.ts)', '')} RSS`.padEnd(44)} | ${mb(row.start)} | ${mb(row.last)} | ${pct(row.ratio)} | ${mb(row.max)} |`,
      ),
      `| ${'web: V8 heap in use'.padEnd(44)} | ${mb(heap.start)} | ${mb(heap.last)} | ${pct(heap.ratio)} | ${mb(heap.max)} |`,
      `| ${'web: V8 heap after full collections'.padEnd(44)} | ${mb(live.start)} | ${mb(live.last)} | ${pct(live.ratio)} | ${mb(live.max)} |`,
      `Target: RSS of every Node.js process grows less than ${SOAK_TARGET * 100} % after the warm-up: ${met ? 'met' : 'MISSED'} (Postgres and anvil are shown, not judged: their caches fill by design).`,
      ...(r.reads.firstFailure ? [`First failed read: ${r.reads.firstFailure}`] : []),
      ...(r.otherCores > 0.2
        ? [
            `WARNING: unrelated processes used ${r.otherCores.toFixed(2)} cores on average during the run; the machine was not quiet.`,
          ]
        : []),
    ].join('\n'),
  )
  return met
}
