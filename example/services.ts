import http from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createPaymentConsumer,
  createPaymentVerifier,
  type PaidRequest,
  paymentRequired,
} from '../packages/payment-client/src'

export type Credentials = Record<string, { apiKey: string }>

export type ExampleServers = {
  urls: Record<string, string>
  /** Requests served per service. */
  served: Record<string, number>
  stop(): Promise<void>
}

type Handler = (body: Record<string, unknown>) => Promise<unknown>

const MAX_BODY = 64 * 1024

/**
 * Starts the example services as HTTP servers on free ports of 127.0.0.1, built on the client
 * library: a provider checks the `payment-token` of each request with `paymentRequired`, a
 * consumer calls its providers with `consumer.fetch`. With `payments: false` the same services
 * run without tokens (the baseline of the benchmark).
 */
export async function startExampleServers({
  paymentUrl,
  credentials,
  payments = true,
  deepEvery = 3,
}: {
  paymentUrl: string
  credentials: Credentials
  payments?: boolean
  /** charlie calls dave for requests with `deep: true`. */
  deepEvery?: number
}): Promise<ExampleServers> {
  const urls: Record<string, string> = {}
  const served: Record<string, number> = {}
  const servers: http.Server[] = []

  const consumerOf = (name: string) => {
    const consumer = payments
      ? createPaymentConsumer({ serverUrl: paymentUrl, apiKey: key(credentials, name) })
      : null
    return async (provider: string, path: string, body: unknown): Promise<Record<string, unknown>> => {
      const init = {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }
      const url = `${urls[provider]}${path}`
      const response = consumer ? await consumer.fetch(provider, url, init) : await fetch(url, init)
      const json = (await response.json()) as Record<string, unknown>
      if (!response.ok)
        throw Object.assign(new Error(`${provider} answered ${response.status}`), {
          status: response.status,
          body: json,
        })
      return json
    }
  }

  async function serve(name: string, paid: boolean, handler: Handler): Promise<void> {
    const guard =
      payments && paid
        ? paymentRequired(createPaymentVerifier({ serverUrl: paymentUrl, apiKey: key(credentials, name) }))
        : null
    served[name] = 0
    const server = http.createServer((req, res) => {
      const run = () =>
        void readJson(req)
          .then(handler)
          .then((result) => {
            served[name] = (served[name] ?? 0) + 1
            send(res, 200, result)
          })
          .catch((error: { status?: number; body?: unknown; message?: string }) =>
            send(res, error.status === 402 ? 502 : 500, {
              error: { code: 'upstream_failed', message: error.message },
            }),
          )
      if (guard)
        guard(req as unknown as PaidRequest, res, (error?: unknown) => (error ? send(res, 500, {}) : run()))
      else run()
    })
    server.keepAliveTimeout = 30_000
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    servers.push(server)
  }

  const stored: unknown[] = []
  await serve('validation', true, async (body) => ({
    valid: typeof body.name === 'string' && body.name.length > 0,
  }))
  await serve('persistence', true, async (body) => {
    stored.push(body)
    if (stored.length > 1000) stored.splice(0, stored.length - 1000)
    return { stored: true, id: stored.length }
  })
  const publicCalls = consumerOf('public')
  await serve('public', false, async (body) => {
    const { valid } = await publicCalls('validation', '/validate', body)
    if (!valid) return { ok: false, reason: 'invalid' }
    const { id } = await publicCalls('persistence', '/store', body)
    return { ok: true, id }
  })
  await serve('dave', true, async (body) => ({ value: String(body.n ?? 0).length }))
  const charlieCalls = consumerOf('charlie')
  let counter = 0
  await serve('charlie', true, async (body) => {
    const deep = body.deep === true || (body.deep === undefined && ++counter % deepEvery === 0)
    return deep ? { deep: true, ...(await charlieCalls('dave', '/compute', body)) } : { deep: false }
  })
  for (const caller of ['alice', 'bob']) {
    const calls = consumerOf(caller)
    await serve(caller, false, async (body) => calls('charlie', '/work', body))
  }

  return {
    urls,
    served,
    async stop() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve())
              s.closeAllConnections()
            }),
        ),
      )
    },
  }
}

function key(credentials: Credentials, name: string): string {
  const entry = credentials[name]
  if (!entry) throw new Error(`no credentials for example service ${name}`)
  return entry.apiKey
}

function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) {
        reject(Object.assign(new Error('body too large'), { status: 413 }))
        req.destroy()
      } else chunks.push(chunk)
    })
    req.on('end', () => {
      try {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve(text ? (JSON.parse(text) as Record<string, unknown>) : {})
      } catch {
        reject(Object.assign(new Error('body is not JSON'), { status: 400 }))
      }
    })
    req.on('error', reject)
  })
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
