import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { errorText } from '../../errorText'
import type { Logger } from '../log'

/** What a role answers on `/readyz`: ready or not, and in words why not. */
export type ProbeReadiness = { ready: boolean; reasons: string[] }

export type StartProbeServerParameters = {
  /** The interface to listen on (`0.0.0.0` in a container, `127.0.0.1` locally). */
  host: string
  /** The port; 0 picks a free one (tests). */
  port: number
  /** Whether the process still makes progress (a stuck loop says false); true when omitted. */
  live?: () => boolean
  /** Whether the role can do its work now. */
  ready: () => Promise<ProbeReadiness>
  /** The Prometheus text exposition; `/metrics` answers 404 without it. */
  metrics?: () => Promise<{ contentType: string; body: string }>
  /** Where a failing check is said (at debug: a probe polls every few seconds). */
  log?: Logger
  /** How long `ready()` may take before `/readyz` answers 503 "timed out" (ms). */
  readyTimeoutMs?: number
}

export type ProbeServer = {
  /** `http://host:port`, with the port actually bound. */
  url: string
  port: number
  close(): Promise<void>
}

/**
 * A kubelet probes every few seconds with a 1 s default timeout; 3 s keeps an answer inside
 * a raised `timeoutSeconds` while a hung database check still ends in a 503, not a pile-up.
 */
const READY_TIMEOUT_MS = 3_000

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean) {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  })
  res.end(head ? undefined : body)
}

function json(res: ServerResponse, status: number, value: unknown, head: boolean) {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), head)
}

function error(res: ServerResponse, status: number, code: string, message: string, head: boolean) {
  json(res, status, { error: { code, message } }, head)
}

/** `ready()` bounded by `ms`: a check that hangs answers "not ready, timed out". */
async function boundedReady(ready: () => Promise<ProbeReadiness>, ms: number): Promise<ProbeReadiness> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<ProbeReadiness>((resolve) => {
    timer = setTimeout(
      () => resolve({ ready: false, reasons: [`the readiness check timed out after ${ms} ms`] }),
      ms,
    )
  })
  try {
    return await Promise.race([
      ready().catch((e: unknown) => ({
        ready: false,
        reasons: [`the readiness check failed: ${errorText(e)}`],
      })),
      timeout,
    ])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * A tiny HTTP server for the roles that serve no web pages (indexer, payment worker): `GET
 * /livez` (200 `{ live: true }`, or 503 when `live()` says false), `GET /readyz` (200 or 503
 * with `{ ready, reasons }`), `GET /metrics` (text); anything else 404, methods other than
 * GET/HEAD 405, all as `{ error: { code, message } }`. It never reads a request body.
 * @example const probes = await startProbeServer({ host: '0.0.0.0', port: 9464, ready })
 */
export async function startProbeServer({
  host,
  port,
  live = () => true,
  ready,
  metrics,
  log,
  readyTimeoutMs = READY_TIMEOUT_MS,
}: StartProbeServerParameters): Promise<ProbeServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const head = req.method === 'HEAD'
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD')
      return error(res, 405, 'method_not_allowed', `${req.method} is not allowed here; use GET.`, head)
    }
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/livez') {
      const up = live()
      return json(res, up ? 200 : 503, { live: up }, head)
    }
    if (path === '/readyz') {
      const answer = await boundedReady(ready, readyTimeoutMs)
      if (!answer.ready) log?.debug(`not ready: ${answer.reasons.join('; ')}`)
      return json(res, answer.ready ? 200 : 503, answer, head)
    }
    if (path === '/metrics' && metrics) {
      const { contentType, body } = await metrics()
      return send(res, 200, contentType, body, head)
    }
    return error(res, 404, 'not_found', `${path} is not a probe; try /livez, /readyz or /metrics.`, head)
  }
  const server = createServer((req, res) => {
    // The body is never read: resume() drains it so the connection can be reused.
    req.resume()
    handle(req, res).catch((e: unknown) => {
      log?.error(`probe ${req.url} failed: ${errorText(e)}`)
      if (!res.headersSent) error(res, 500, 'internal', 'The probe failed; see the log.', false)
      else res.destroy()
    })
  })
  // Probes are short: a client that holds a connection open must not keep close() waiting.
  server.keepAliveTimeout = 5_000
  server.headersTimeout = 10_000
  server.requestTimeout = 10_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const bound = (server.address() as AddressInfo).port
  const urlHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${urlHost}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()))
        server.closeAllConnections()
      }),
  }
}
