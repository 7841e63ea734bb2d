import http from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createPaymentConsumer,
  createPaymentVerifier,
  type PaidRequest,
  type Payment,
  type PaymentOptions,
  paymentRequired,
} from '../packages/payment-client/src'
import { createLoadPricing, type LoadPricing, type LoadPricingSettings } from './loadPricing'
import { submissionCategories, submissionCategory } from './network'
import { paymentApi } from './paymentApi'

export type Credentials = Record<string, { apiKey: string }>

export type ExampleServers = {
  urls: Record<string, string>
  /** Requests served per service. */
  served: Record<string, number>
  /** Paid requests served per service and category index (version 2 channels). */
  paidByCategory: Record<string, number[]>
  /** validation's pricing under load (null without payments or without `loadPricing`). */
  pricing: LoadPricing | null
  stop(): Promise<void>
}

/** What a handler gets besides the parsed body: its size and, on a paid route, the payment. */
type Received = { bytes: number; payment?: Payment }
type Handler = (body: Record<string, unknown>, received: Received) => Promise<unknown>

/**
 * How a route is paid: not at all, or in a category: the channel's first, one by its request
 * (`categoryOf`), or any the consumer names (`'*'`: a route for callers tracing by origin).
 */
type Paid = false | { categoryOf?: (received: Received) => string; category?: '*' }

const MAX_BODY = 64 * 1024

/**
 * Starts the example services as HTTP servers on free ports of 127.0.0.1, built on the client
 * library: a provider checks the `payment-token` of each request with `paymentRequired`, a
 * consumer calls its providers with `consumer.fetch`. With `payments: false` the same services
 * run without tokens (the baseline of the benchmark).
 *
 * `public` tags its call to `validation` with the submission's size category and a `maxPrice`
 * of the most validation's load pricing may ask; `validation` charges the category of what it
 * received, so both measure the same bytes. With `loadPricing`, validation's {@link LoadPricing}
 * counts what it accepts (call `pricing.start()` to evaluate every window).
 */
export async function startExampleServers({
  paymentUrl,
  credentials,
  payments = true,
  deepEvery = 3,
  loadPricing,
  log = () => {},
  now,
}: {
  paymentUrl: string
  credentials: Credentials
  payments?: boolean
  /** charlie calls dave for requests with `deep: true`. */
  deepEvery?: number
  loadPricing?: LoadPricingSettings
  log?: (line: string) => void
  /** The load pricing's clock (tests). */
  now?: () => number
}): Promise<ExampleServers> {
  const urls: Record<string, string> = {}
  const served: Record<string, number> = {}
  const paidByCategory: Record<string, number[]> = {}
  const servers: http.Server[] = []

  const consumerOf = (name: string, { prefetch }: { prefetch?: number } = {}) => {
    const consumer = payments
      ? createPaymentConsumer({ serverUrl: paymentUrl, apiKey: key(credentials, name), prefetch })
      : null
    return async (
      provider: string,
      path: string,
      body: unknown,
      options: PaymentOptions = {},
    ): Promise<Record<string, unknown>> => {
      const init = {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }
      const url = `${urls[provider]}${path}`
      const response = consumer
        ? await consumer.fetch(provider, url, { ...init, ...options })
        : await fetch(url, init)
      const json = (await response.json()) as Record<string, unknown>
      if (!response.ok)
        throw Object.assign(new Error(`${provider} answered ${response.status}`), {
          status: response.status,
          body: json,
        })
      return json
    }
  }

  async function serve(name: string, paid: Paid, handler: Handler): Promise<void> {
    const verifier =
      payments && paid
        ? createPaymentVerifier({ serverUrl: paymentUrl, apiKey: key(credentials, name) })
        : null
    // One middleware per category the route charges (the channel's first when it names none).
    const guards = new Map<string, ReturnType<typeof paymentRequired>>()
    const guardOf = (category: string | undefined) => {
      if (!verifier) return null
      const id = category ?? ''
      let guard = guards.get(id)
      if (!guard) {
        guard = paymentRequired(verifier, category === undefined ? {} : { category })
        guards.set(id, guard)
      }
      return guard
    }
    served[name] = 0
    const server = http.createServer((req, res) => {
      // The body first: the category charged may depend on it (validation: its size).
      readJson(req).then(
        ({ body, bytes }) => {
          const received: Received = { bytes }
          const run = () =>
            void handler(body, received)
              .then((result) => {
                served[name] = (served[name] ?? 0) + 1
                const category = received.payment?.category
                if (category !== undefined) {
                  const counts = paidByCategory[name] ?? []
                  counts[category] = (counts[category] ?? 0) + 1
                  paidByCategory[name] = counts
                }
                send(res, 200, result)
              })
              .catch((error: { message?: string }) =>
                // Handlers fail only when a service they call does: a bad gateway, never a 500.
                send(res, 502, { error: { code: 'upstream_failed', message: error.message } }),
              )
          const guard = guardOf(paid ? (paid.category ?? paid.categoryOf?.(received)) : undefined)
          if (!guard) return run()
          const paidReq = req as unknown as PaidRequest
          guard(paidReq, res, (error?: unknown) => {
            if (error) return send(res, 500, {})
            received.payment = paidReq.payment ?? undefined
            run()
          })
        },
        (error: { status?: number; code?: string; message: string }) =>
          send(res, error.status ?? 400, {
            error: { code: error.code ?? 'invalid_request', message: error.message },
          }),
      )
    })
    server.keepAliveTimeout = 30_000
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    servers.push(server)
  }

  const pricing =
    payments && loadPricing
      ? createLoadPricing({
          api: paymentApi(paymentUrl),
          apiKey: key(credentials, 'validation'),
          provider: 'validation',
          categories: submissionCategories,
          settings: loadPricing,
          log,
          now,
        })
      : null
  // public accepts validation's raised prices up to the bound its load pricing keeps to.
  const maxPercent = BigInt(Math.max(100, loadPricing?.maxPercent ?? 100))
  const maxPriceOf = (category: string) =>
    ((submissionCategories.find((c) => c.name === category)?.price ?? 0n) * maxPercent) / 100n

  const stored: unknown[] = []
  await serve('validation', { categoryOf: ({ bytes }) => submissionCategory(bytes) }, async (body) => {
    pricing?.accepted()
    return { valid: typeof body.name === 'string' && body.name.length > 0 }
  })
  await serve('persistence', {}, async (body) => {
    stored.push(body)
    if (stored.length > 1000) stored.splice(0, stored.length - 1000)
    return { stored: true, id: stored.length }
  })
  const publicCalls = consumerOf('public')
  await serve('public', false, async (body) => {
    // The size of what public sends validation (JSON.stringify, as consumerOf sends it).
    const category = submissionCategory(Buffer.byteLength(JSON.stringify(body)))
    const { valid } = await publicCalls('validation', '/validate', body, {
      category,
      maxPrice: maxPriceOf(category),
    })
    if (!valid) return { ok: false, reason: 'invalid' }
    const { id } = await publicCalls('persistence', '/store', body)
    return { ok: true, id }
  })
  await serve('dave', { category: '*' }, async (body) => ({ value: String(body.n ?? 0).length }))
  // No tokens kept ahead: one unused would be paid in its origin's category without a call for
  // it, and dave's counts per origin are to be exactly the calls made for each.
  const charlieCalls = consumerOf('charlie', { prefetch: 0 })
  let counter = 0
  await serve('charlie', {}, async (body, { payment }) => {
    const deep = body.deep === true || (body.deep === undefined && ++counter % deepEvery === 0)
    if (!deep) return { deep: false }
    // Who paid charlie for this request (its channel's consumer, as the Payment Server says).
    const origin = payment?.consumer
    return { deep: true, ...(await charlieCalls('dave', '/compute', body, origin ? { origin } : {})) }
  })
  for (const caller of ['alice', 'bob']) {
    const calls = consumerOf(caller)
    await serve(caller, false, async (body) => calls('charlie', '/work', body))
  }

  return {
    urls,
    served,
    paidByCategory,
    pricing,
    async stop() {
      pricing?.stop()
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

/** The request's JSON body and its size in bytes; a 413 or 400 with a code when it is not fit. */
function readJson(req: http.IncomingMessage): Promise<{ body: Record<string, unknown>; bytes: number }> {
  const refuse = (status: number, code: string, message: string) =>
    Object.assign(new Error(message), { status, code })
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      // Past the limit the rest is read and dropped, so the 413 reaches the caller.
      if (size <= MAX_BODY) chunks.push(chunk)
    })
    req.on('end', () => {
      if (size > MAX_BODY)
        return reject(refuse(413, 'body_too_large', `The body is larger than ${MAX_BODY} bytes.`))
      const text = Buffer.concat(chunks).toString('utf8')
      let body: unknown = {}
      try {
        body = text ? JSON.parse(text) : {}
      } catch {
        return reject(refuse(400, 'invalid_json', 'The body is not JSON.'))
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        return reject(refuse(400, 'invalid_request', 'The body must be a JSON object.'))
      resolve({ body: body as Record<string, unknown>, bytes: size })
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
