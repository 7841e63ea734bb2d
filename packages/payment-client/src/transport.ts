/**
 * How the library sends its one kind of call (a small JSON POST) to the Payment Server:
 *
 * - {@link fetchTransport}: `fetch`, in any runtime (and whenever a `fetch` is given);
 * - {@link nodeTransport}: Node's own `node:http`/`node:https` over keep-alive connections, the
 *   default on Node. A call costs the client about a third of the CPU of undici's `fetch` (web
 *   streams, a tee of the body, an AbortSignal per call), measured on the Payment Server's
 *   token calls; that CPU is taken from the service the library runs in, once per batch.
 */

/**
 * The raw answer of one call (with a 429's or 503's `Retry-After` header when it has one); a
 * network failure or timeout rejects (a TimeoutError on timeout), and {@link failurePhase} tells
 * whether the request may have reached the server.
 */
export type Transport = (call: {
  url: string
  headers: Record<string, string>
  body: string
  timeoutMs: number
}) => Promise<TransportAnswer>

export type TransportAnswer = { status: number; text: string; retryAfter?: string }

/**
 * Where a call failed, which decides whether repeating it is safe:
 * - `unsent`: no connection was made (refused, unknown host, unreachable, a connect timeout):
 *   the server surely did not see the request;
 * - `stale`: a kept-alive connection was closed before any byte of the answer came (the server
 *   closed it as idle while the request was on its way; Node's documented case for a retry).
 *   Almost always unseen, but a server that died while working on it looks the same;
 * - `sent`: the request may have reached the server (reset or timeout after it was written).
 */
export type FailurePhase = 'unsent' | 'stale' | 'sent'

/** Error codes of a connection that was never made (Node's, also undici's `fetch` in `cause`). */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
])

/** Phases the node transport knows for sure, by error (Node's own errors are not changed). */
const knownPhases = new WeakMap<object, FailurePhase>()

/** The phase of a transport's rejection: known by the node transport, else by the error's code. */
export function failurePhase(error: unknown): FailurePhase {
  if (typeof error === 'object' && error !== null) {
    const known = knownPhases.get(error)
    if (known) return known
    const { code, cause } = error as { code?: unknown; cause?: { code?: unknown } }
    if (CONNECT_CODES.has(String(code)) || CONNECT_CODES.has(String(cause?.code))) return 'unsent'
  }
  return 'sent'
}

/** Largest answer read (a call of 1000 tokens answers about 200 KB). */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024

export function fetchTransport(fetchImpl: typeof globalThis.fetch): Transport {
  return async ({ url, headers, body, timeoutMs }) => {
    const signal = AbortSignal.timeout(timeoutMs)
    const call = async () => {
      const response = await fetchImpl(url, { method: 'POST', headers, body, signal })
      const text = await response.text()
      return withRetryAfter({ status: response.status, text }, response.headers.get('retry-after'))
    }
    // A given fetch may ignore the signal (a wrapper that drops it): the call still ends at its
    // deadline, so the circuit breaker's trial call and the caller's timeout always settle.
    return Promise.race([call(), aborted(signal)])
  }
}

/** Rejects with the signal's reason (a TimeoutError) when it aborts. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
  )
}

function withRetryAfter(answer: TransportAnswer, retryAfter: string | null | undefined): TransportAnswer {
  return retryAfter ? { ...answer, retryAfter } : answer
}

/** Whether this runtime has Node's http modules (Node, and runtimes that provide them). */
export function hasNodeHttp(): boolean {
  const versions = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions
  return typeof versions?.node === 'string' && !('EdgeRuntime' in globalThis)
}

type NodeHttp = typeof import('node:http')
type NodeHttps = typeof import('node:https')

/**
 * POSTs over `node:http`/`node:https` with a keep-alive agent of its own (idle sockets do not
 * keep the process alive). The modules load on the first call, so importing this file costs
 * nothing in runtimes without them.
 */
export function nodeTransport(): Transport {
  let loaded: Promise<{ http: NodeHttp; https: NodeHttps; agents: Map<string, unknown> }> | undefined
  const load = () =>
    (loaded ??= Promise.all([import('node:http'), import('node:https')]).then(([http, https]) => ({
      http,
      https,
      agents: new Map(),
    })))

  return async ({ url, headers, body, timeoutMs }) => {
    const { http, https, agents } = await load()
    const target = new URL(url)
    const secure = target.protocol === 'https:'
    const lib = secure ? https : http
    let agent = agents.get(target.protocol) as InstanceType<NodeHttp['Agent']> | undefined
    if (!agent) {
      agent = new lib.Agent({ keepAlive: true })
      agents.set(target.protocol, agent)
    }
    const payload = Buffer.from(body)
    return new Promise((resolve, reject) => {
      // Until the socket is connected nothing was sent; a reused socket counts as connected.
      let connected = false
      let answered = false
      const request = lib.request(
        target,
        {
          method: 'POST',
          agent,
          headers: { ...headers, 'content-length': String(payload.length) },
        },
        (response) => {
          answered = true
          const chunks: Buffer[] = []
          let size = 0
          response.on('data', (chunk: Buffer) => {
            size += chunk.length
            if (size > MAX_ANSWER_BYTES) {
              request.destroy(new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`))
              return
            }
            chunks.push(chunk)
          })
          response.on('end', () => {
            clearTimeout(timer)
            const text = Buffer.concat(chunks).toString('utf8')
            resolve(
              withRetryAfter({ status: response.statusCode ?? 0, text }, response.headers['retry-after']),
            )
          })
          response.on('error', fail)
        },
      )
      function fail(error: Error) {
        clearTimeout(timer)
        if (!connected) knownPhases.set(error, 'unsent')
        else if (request.reusedSocket && !answered && error.name !== 'TimeoutError')
          knownPhases.set(error, 'stale')
        reject(error)
      }
      const timer = setTimeout(() => {
        const error = new Error(`no answer within ${timeoutMs} ms`)
        error.name = 'TimeoutError'
        request.destroy(error)
      }, timeoutMs)
      request.on('error', fail)
      request.on('socket', (socket) => {
        if (request.reusedSocket || !socket.connecting) connected = true
        else socket.once('connect', () => (connected = true))
      })
      request.end(payload)
    })
  }
}
