import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HeaderSource } from '../http/auth'
import { type Call, MAX_BODY_BYTES, tooLarge } from '../http/body'
import { REQUEST_ID_HEADER, requestIdOf } from '../http/callLog'
import { Answer } from '../http/route'
import { NO_PARAMS, runPaymentRoute } from './api/route'
import { getPaymentServer } from './instance'
import { hotPaymentRoutes } from './routes'
import type { PaymentServer } from './server'
import { type FastPath, registerFastPathHook } from './webHooks'

/** The table's hot routes by method and exact request target (Maps: no prototype key such as `constructor` matches). */
const ROUTES = hotPaymentRoutes()

/**
 * Headers every answer of the fast path carries: those next.config.js sets on every route, and
 * no-store. The tests compare them with what Next.js sends for the same route.
 */
const HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
}

/**
 * The route table's hot routes (the token calls), served straight from Node's request, without
 * Next.js's router, request adapter and response streaming. Every paid request between two
 * services makes two of these calls, and Next.js's per-request work cost more than the calls
 * themselves (about 1 ms of CPU each). The answers are the route handlers' own: both serve the
 * table's route with `runPaymentRoute`, on the Payment Server `getServer` gives. Any other method, path or a query string goes to Next.js.
 */
export const createFastPath =
  (getServer: () => Promise<PaymentServer>): FastPath =>
  (req, res) => {
    const route = ROUTES.get(req.method ?? '')?.get(req.url ?? '')
    if (!route) return false
    const call = new NodeCall(req)
    const requestId = requestIdOf(call)
    // runPaymentRoute answers every failure itself; a failure to write the answer drops the connection.
    runPaymentRoute(route, call, NO_PARAMS, getServer, requestId)
      .then((result) => send(res, result, call.overflowed, requestId))
      .catch(() => res.destroy())
    return true
  }

/** The fast path on this process's Payment Server. */
const serveFastPath: FastPath = createFastPath(getPaymentServer)

/** Makes {@link serveFastPath} available to the web server of this process (instrumentation.ts). */
export function registerFastPath(): void {
  registerFastPathHook(serveFastPath)
}

/**
 * Node's request as a {@link Call}: one object per call, its own headers (no object or closure
 * per header source or body reader on the hot path).
 */
class NodeCall implements Call, HeaderSource {
  /** Set when the body could not be read (too large, or the request failed): the connection closes after the answer. */
  overflowed = false

  constructor(private readonly req: IncomingMessage) {}

  get headers(): HeaderSource {
    return this
  }

  get clientAddress(): string | undefined {
    return this.req.socket.remoteAddress
  }

  get(name: string): string | null {
    const value = this.req.headers[name.toLowerCase()]
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
  }

  readBody(): Promise<string> {
    return readBody(this.req, this)
  }
}

/**
 * The body as text, at most MAX_BODY_BYTES (413 beyond). What arrives after the limit is
 * discarded until the answer is written, and the connection then closes.
 */
function readBody(req: IncomingMessage, call: NodeCall): Promise<string> {
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => {
      call.overflowed = true
      reject(error)
    }
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return fail(tooLarge())
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
      else if (chunks.length > 0) {
        chunks.length = 0
        fail(tooLarge())
      }
    })
    req.once('end', () => resolve(Buffer.concat(chunks, size).toString('utf8')))
    req.once('error', fail)
  })
}

/**
 * Writes the answer in one go. A body left unread because the call was refused first is
 * discarded by Node after the answer; one too large to read closes the connection instead.
 */
async function send(
  res: ServerResponse,
  result: Response | Answer,
  overflowed: boolean,
  requestId: string,
): Promise<void> {
  if (res.headersSent || res.destroyed) return
  const status = result.status
  const text = result instanceof Answer ? JSON.stringify(result.body) : await result.text()
  const headers: Record<string, string | number> = {
    ...HEADERS,
    'content-length': Buffer.byteLength(text),
    [REQUEST_ID_HEADER]: requestId,
  }
  if (result instanceof Answer && result.headers) Object.assign(headers, result.headers)
  if (overflowed) headers.connection = 'close'
  res.writeHead(status, headers)
  res.end(text)
}
