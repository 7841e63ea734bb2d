/**
 * Load generation for scripts/bench-payment.ts: a small keep-alive HTTP/1.1 load generator
 * (every response's latency kept, so percentiles are exact), and a pool of async workers for the
 * client-library measurements.
 *
 * It replaced autocannon. On a 2-core machine the load generator shares the cores with what it
 * measures, and autocannon spent 49-90 µs of CPU per verify request (a JavaScript callback and a
 * fresh request object per send, histograms, timers), a sixth of what the request cost in all.
 * This one serializes every request before the clock starts and reads each answer with a few
 * buffer scans; one of the same design cost 27-31 µs per verify request where autocannon, in the
 * same minutes, cost 55-81. `bench:payment` prints its CPU per request next to the server's.
 */
import net from 'node:net'

/** The request a run sends, `amount` times (with a fresh body each time when `body` is a function). */
export type LoadRequest = {
  method: string
  path: string
  headers?: Record<string, string>
  /** The body, or the body of the i-th request (called for every i before the run starts). */
  body?: string | ((i: number) => string)
}

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
  /** Requests lost to a connection error, a timeout or an answer that could not be read. */
  errors: number
  /** The first non-2xx answer (status and body) or error, to say what went wrong. */
  firstFailure?: string
}

const CRLF2 = Buffer.from('\r\n\r\n')
const CRLF = Buffer.from('\r\n')

/** The i-th request on the wire. */
function serialize(url: URL, { method, path, headers = {}, body }: LoadRequest, amount: number) {
  const head = `${method} ${path} HTTP/1.1\r\nhost: ${url.host}\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}`
  const wire = (text: string | undefined) =>
    Buffer.from(
      text === undefined ? `${head}\r\n` : `${head}content-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    )
  if (typeof body !== 'function') {
    const one = wire(body)
    return () => one
  }
  const all = Array.from({ length: amount }, (_, i) => wire(body(i)))
  return (i: number) => all[i] as Buffer
}

/** One parsed answer, or null while it is incomplete. `rest` is what follows it. */
type Parsed = { status: number; body: Buffer; close: boolean; rest: Buffer }

/** Parses one HTTP/1.1 answer with a content-length or a chunked body; throws on anything else. */
function parseAnswer(buffer: Buffer): Parsed | null {
  const headEnd = buffer.indexOf(CRLF2)
  if (headEnd < 0) return null
  const head = buffer.toString('latin1', 0, headEnd).toLowerCase()
  const status = Number(head.slice(9, 12))
  if (!head.startsWith('http/1.1 ') || !Number.isInteger(status))
    throw new Error(`not an HTTP/1.1 answer: ${head.slice(0, 40)}`)
  const close = /\r\nconnection: *close/.test(head)
  const start = headEnd + 4
  const length = /\r\ncontent-length: *(\d+)/.exec(head)
  if (length) {
    const end = start + Number(length[1])
    return buffer.length < end
      ? null
      : { status, body: buffer.subarray(start, end), close, rest: buffer.subarray(end) }
  }
  if (/\r\ntransfer-encoding: *chunked/.test(head)) {
    const chunks: Buffer[] = []
    let at = start
    for (;;) {
      const lineEnd = buffer.indexOf(CRLF, at)
      if (lineEnd < 0) return null
      const size = Number.parseInt(buffer.toString('latin1', at, lineEnd), 16)
      if (!Number.isInteger(size)) throw new Error('malformed chunked body')
      if (size === 0) {
        // No trailers are expected: the last chunk is followed by an empty line.
        if (buffer.length < lineEnd + 4) return null
        return { status, body: Buffer.concat(chunks), close, rest: buffer.subarray(lineEnd + 4) }
      }
      const dataEnd = lineEnd + 2 + size
      if (buffer.length < dataEnd + 2) return null
      chunks.push(buffer.subarray(lineEnd + 2, dataEnd))
      at = dataEnd + 2
    }
  }
  if (status === 204 || status === 304)
    return { status, body: Buffer.alloc(0), close, rest: buffer.subarray(start) }
  throw new Error(`answer ${status} has neither content-length nor chunked body`)
}

/**
 * Sends `amount` requests to `url` over `connections` keep-alive connections (each connection
 * sends its next request when the previous one is answered) and keeps each latency. A request
 * lost to a connection error or a timeout counts in `errors`, and its connection is opened again.
 */
export function load({
  url,
  connections,
  amount,
  request,
  timeoutMs = 30_000,
}: {
  url: string
  connections: number
  amount: number
  request: LoadRequest
  timeoutMs?: number
}): Promise<LoadResult> {
  const target = new URL(url)
  const port = Number(target.port || 80)
  const wire = serialize(target, request, amount)
  const latencies: number[] = []
  const statuses = new Map<number, number>()
  let firstFailure: string | undefined
  let non2xx = 0
  let errors = 0
  let sent = 0
  let finished = 0
  const sockets = new Set<net.Socket>()
  const started = performance.now()
  let last = started

  return new Promise((resolve) => {
    const finish = () => {
      if (++finished < amount) return
      for (const socket of sockets) socket.destroy()
      latencies.sort((a, b) => a - b)
      const ms = last - started
      resolve({
        count: latencies.length,
        latencies,
        ms,
        perSecond: latencies.length / (ms / 1000),
        statuses,
        non2xx,
        errors,
        firstFailure,
      })
    }
    /** Opens a connection for the next request not yet sent, if any. */
    const connect = () => {
      if (sent >= amount) return
      const socket = net.connect(port, target.hostname)
      sockets.add(socket)
      socket.setNoDelay(true)
      socket.setTimeout(timeoutMs)
      let buffer: Buffer = Buffer.alloc(0)
      /** The request this connection is sending or waiting on (taken before it connects). */
      let current: number | null = sent++
      let sentAt = 0
      const write = () => {
        sentAt = performance.now()
        socket.write(wire(current as number))
      }
      const next = () => {
        if (sent >= amount) {
          current = null
          return void socket.end()
        }
        current = sent++
        write()
      }
      /** Drops the connection; its request, if any, is lost and a new connection takes over. */
      const lose = (reason: string) => {
        if (!sockets.delete(socket)) return
        socket.destroy()
        if (current === null) return
        current = null
        errors++
        firstFailure ??= reason
        finish()
        connect()
      }
      socket.on('connect', write)
      socket.on('data', (data: Buffer) => {
        buffer = buffer.length === 0 ? data : Buffer.concat([buffer, data])
        for (;;) {
          let answer: Parsed | null
          try {
            answer = parseAnswer(buffer)
          } catch (error) {
            return lose((error as Error).message)
          }
          if (!answer) return
          last = performance.now()
          current = null
          buffer = answer.rest
          latencies.push(last - sentAt)
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
          if (answer.status < 200 || answer.status >= 300) {
            non2xx++
            firstFailure ??= `${answer.status} ${answer.body.toString('utf8')}`
          }
          finish()
          if (answer.close) {
            sockets.delete(socket)
            socket.destroy()
            return connect()
          }
          next()
        }
      })
      socket.on('timeout', () => lose(`no answer within ${timeoutMs} ms`))
      socket.on('error', (error) => lose(error.message))
      socket.on('close', () => lose('the server closed the connection'))
    }
    for (let k = 0; k < Math.min(connections, amount); k++) connect()
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
