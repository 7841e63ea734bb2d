import type { IncomingMessage, ServerResponse } from 'node:http'
import { type Call, MAX_BODY_BYTES, tooLarge } from '../http/body'
import { Answer, type Handled } from '../http/route'
import { runPaymentCall } from './http'
import { getPaymentServer } from './instance'
import type { PaymentServer } from './server'
import { issueTokens, verifyTokens } from './tokensApi'
import { type FastPath, registerFastPathHook } from './webHooks'

/** Exact request targets (a Map: no prototype keys such as `constructor` can match). */
const ROUTES = new Map<
  string,
  [name: string, handler: (server: PaymentServer, call: Call) => Promise<Handled>]
>([
  ['/api/payment/tokens', ['tokens.issue', issueTokens]],
  ['/api/payment/tokens/verify', ['tokens.verify', verifyTokens]],
])

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
 * The token calls, served straight from Node's request, without Next.js's router, request
 * adapter and response streaming. Every paid request between two services makes two of these
 * calls, and Next.js's per-request work cost more than the calls themselves (about 1 ms of CPU
 * each). The answers are the route handlers' own: both run `issueTokens` / `verifyTokens`
 * under `runPaymentCall`, on the Payment Server `getServer` gives. Any other method, path or a
 * query string goes to Next.js.
 */
export const createFastPath =
  (getServer: () => Promise<PaymentServer>): FastPath =>
  (req, res) => {
    const route = req.method === 'POST' ? ROUTES.get(req.url ?? '') : undefined
    if (!route) return false
    const [name, handler] = route
    let overflowed = false
    const call: Call = {
      headers: nodeHeaders(req),
      readBody: () =>
        readBody(req).catch((error: unknown) => {
          overflowed = true
          throw error
        }),
    }
    // runPaymentCall answers every failure itself; a failure to write the answer drops the connection.
    runPaymentCall(name, (server) => handler(server, call), getServer)
      .then((result) => send(res, result, overflowed))
      .catch(() => res.destroy())
    return true
  }

/** The fast path on this process's Payment Server. */
export const serveFastPath: FastPath = createFastPath(getPaymentServer)

/** Makes {@link serveFastPath} available to the web server of this process (instrumentation.ts). */
export function registerFastPath(): void {
  registerFastPathHook(serveFastPath)
}

function nodeHeaders(req: IncomingMessage): Call['headers'] {
  return {
    get(name) {
      const value = req.headers[name.toLowerCase()]
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
    },
  }
}

/**
 * The body as text, at most MAX_BODY_BYTES (413 beyond). What arrives after the limit is
 * discarded until the answer is written, and the connection then closes.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return reject(tooLarge())
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
      else if (chunks.length > 0) {
        chunks.length = 0
        reject(tooLarge())
      }
    })
    req.once('end', () => resolve(Buffer.concat(chunks, size).toString('utf8')))
    req.once('error', reject)
  })
}

/**
 * Writes the answer in one go. A body left unread because the call was refused first is
 * discarded by Node after the answer; one too large to read closes the connection instead.
 */
async function send(res: ServerResponse, result: Response | Answer, overflowed: boolean): Promise<void> {
  if (res.headersSent || res.destroyed) return
  const status = result.status
  const text = result instanceof Answer ? JSON.stringify(result.body) : await result.text()
  const headers: Record<string, string | number> = { ...HEADERS, 'content-length': Buffer.byteLength(text) }
  if (overflowed) headers.connection = 'close'
  res.writeHead(status, headers)
  res.end(text)
}
