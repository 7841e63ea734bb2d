/**
 * Load generation for scripts/bench-payment.ts: autocannon's programmatic API with every
 * response's latency kept (exact percentiles, not autocannon's histogram buckets), and a pool
 * of async workers for the client-library measurements.
 */
import type { EventEmitter } from 'node:events'
import { createRequire } from 'node:module'

/** One request of autocannon's `requests` option (the subset used here). */
export type LoadRequest = {
  method?: string
  path?: string
  headers?: Record<string, string>
  body?: string
  /** Called before each send (autocannon mutates nothing else); returns the request to send. */
  setupRequest?: (request: LoadRequest, context: Record<string, unknown>) => LoadRequest
  onResponse?: (status: number, body: string) => void
}

type AutocannonOptions = {
  url: string
  connections: number
  amount: number
  timeout?: number
  /** ms between autocannon's samples; it notices the end of a run only at a sample. */
  sampleInt?: number
  requests: LoadRequest[]
}

type AutocannonResult = { errors: number; timeouts: number; non2xx: number; resets: number }

type Autocannon = (
  options: AutocannonOptions,
  done: (error: Error | null, result: AutocannonResult) => void,
) => EventEmitter & { stop(): void }

// autocannon ships no type declarations; this is the part of its API the bench uses.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

export type LoadResult = {
  /** Requests answered. */
  count: number
  /** Every response's latency in ms, ascending. */
  latencies: number[]
  /** Wall time from the start (connecting included) to the last answer, ms. */
  ms: number
  /** count / wall time. */
  perSecond: number
  statuses: Map<number, number>
  non2xx: number
  /** Connection errors and timeouts (autocannon retries them, so they are not in `count`). */
  errors: number
  /** Body of the first non-2xx answer, to say what went wrong. */
  firstFailure?: string
}

/**
 * Sends `amount` requests to `url` over `connections` keep-alive connections (each connection
 * sends its next request when the previous one is answered) and keeps each latency.
 */
export function load({
  url,
  connections,
  amount,
  request,
}: {
  url: string
  connections: number
  amount: number
  request: LoadRequest
}): Promise<LoadResult> {
  const latencies: number[] = []
  const statuses = new Map<number, number>()
  let firstFailure: string | undefined
  const requests: LoadRequest[] = [
    {
      ...request,
      onResponse: (status, body) => {
        if ((status < 200 || status >= 300) && firstFailure === undefined) firstFailure = `${status} ${body}`
      },
    },
  ]
  return new Promise((resolve, reject) => {
    const started = performance.now()
    let last = started
    // Not the time of the callback: autocannon notices the end at its next sample.
    const options = { url, connections, amount, timeout: 30, sampleInt: 100, requests }
    const instance = autocannon(options, (error, result) => {
      const ms = last - started
      if (error) return reject(error)
      latencies.sort((a, b) => a - b)
      resolve({
        count: latencies.length,
        latencies,
        ms,
        perSecond: latencies.length / (ms / 1000),
        statuses,
        non2xx: result.non2xx,
        errors: result.errors,
        firstFailure,
      })
    })
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      last = performance.now()
      latencies.push(responseTime)
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
    })
  })
}

/** Exact percentile (nearest rank) of ascending `sorted`; p = 100 is the maximum. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number
}

/**
 * Runs `work(i)` for i = 0..count-1 on `workers` async workers (each awaits its item before
 * taking the next), keeping each item's latency; rejects on the first failure.
 */
export async function pool({
  count,
  workers,
  work,
}: {
  count: number
  workers: number
  work: (i: number) => Promise<void>
}): Promise<{ ms: number; perSecond: number; latencies: number[] }> {
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) {
        const i = next++
        const t = performance.now()
        await work(i)
        latencies.push(performance.now() - t)
      }
    }),
  )
  const ms = performance.now() - started
  latencies.sort((a, b) => a - b)
  return { ms, perSecond: count / (ms / 1000), latencies }
}

/** The run with the median rate of `runs` (an odd number), and every run's rate in the order run. */
export function medianRun<T extends { perSecond: number }>(runs: readonly T[]): T & { rates: number[] } {
  const sorted = [...runs].sort((a, b) => a.perSecond - b.perSecond)
  const median = sorted[(sorted.length - 1) >> 1] as T
  return { ...median, rates: runs.map((r) => r.perSecond) }
}
