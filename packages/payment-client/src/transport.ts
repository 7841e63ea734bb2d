/**
 * How the library sends its one kind of call (a small JSON POST) to the Payment Server:
 *
 * - {@link fetchTransport}: `fetch`, in any runtime (and whenever a `fetch` is given);
 * - {@link nodeTransport}: Node's own `node:http`/`node:https` over keep-alive connections, the
 *   default on Node. A call costs the client about a third of the CPU of undici's `fetch` (web
 *   streams, a tee of the body, an AbortSignal per call), measured on the Payment Server's
 *   token calls; that CPU is taken from the service the library runs in, once per batch.
 */

/** The raw answer of one call; a network failure or timeout rejects (a TimeoutError on timeout). */
export type Transport = (call: {
  url: string
  headers: Record<string, string>
  body: string
  timeoutMs: number
}) => Promise<{ status: number; text: string }>

/** Largest answer read (a call of 1000 tokens answers about 200 KB). */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024

export function fetchTransport(fetchImpl: typeof globalThis.fetch): Transport {
  return async ({ url, headers, body, timeoutMs }) => {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    })
    return { status: response.status, text: await response.text() }
  }
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
      const request = lib.request(
        target,
        {
          method: 'POST',
          agent,
          headers: { ...headers, 'content-length': String(payload.length) },
        },
        (response) => {
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
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') })
          })
          response.on('error', fail)
        },
      )
      function fail(error: Error) {
        clearTimeout(timer)
        reject(error)
      }
      const timer = setTimeout(() => {
        const error = new Error(`no answer within ${timeoutMs} ms`)
        error.name = 'TimeoutError'
        request.destroy(error)
      }, timeoutMs)
      request.on('error', fail)
      request.end(payload)
    })
  }
}
