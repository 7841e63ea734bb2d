import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import { servePayment, startTestPayment, type TestPayment, testSettings } from '../../../test/kit/payment'

/**
 * Real parts for the client's resilience tests: a real Payment Server (anvil, Postgres) whose
 * HTTP server can be stopped and started again on the same port, and small real proxies in
 * front of it that count what reaches them and break what a network breaks. None of them is the
 * thing under test (the client library is).
 */

const urlOf = (server: net.Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`
const listen = (server: net.Server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const close = (server: net.Server) => new Promise((resolve) => server.close(resolve))

/**
 * A Payment Server's token calls ({@link servePayment}) on a port that outlives `stop()`. It
 * takes no counts ahead (issueAhead 0), so what it issued is exactly what the client asked for.
 */
export async function startServedPayment() {
  const t: TestPayment = await startTestPayment({ settings: testSettings({ issueAhead: 0 }) })
  let served = await servePayment(t.server)
  const port = Number(new URL(served.url).port)

  let providers = 0
  const consumer = await t.service('shop')
  return {
    t,
    port,
    url: `http://127.0.0.1:${port}`,
    consumer,
    /** A new provider and a channel to it from `consumer` (deposit in wei, 1,000 wei a request). */
    async provider({ deposit = 1_000_000n }: { deposit?: bigint } = {}) {
      const provider = await t.service(`billing-${++providers}`, { price: 1_000n })
      const channel = await t.channel(consumer.service, provider.service, { deposit })
      return { name: provider.service.name, provider, channel }
    },
    /** Closes the HTTP server and every connection to it, as a process that stopped would. */
    stop: () => served.close(),
    /** Listens again on the same port. */
    async start() {
      served = await servePayment(t.server, port)
    },
    async close() {
      await served.close()
      await t.stop()
    },
  }
}

export type ServedPayment = Awaited<ReturnType<typeof startServedPayment>>

/**
 * A TCP proxy to `127.0.0.1:upstreamPort` that counts the connections it is offered, like a
 * load balancer in front of the Payment Server: when the upstream refuses, the client's
 * connection is closed. `dropAnswer(nth)` makes it close the client's connection at the first
 * bytes of the nth answer from now (1: the next), after the server did the work: an answer lost.
 */
export async function startTcpProxy(upstreamPort: number) {
  let connections = 0
  // Answers are counted as the first bytes from upstream after bytes of a request.
  let answersUntilDrop = 0
  let dropped = 0
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    connections += 1
    sockets.add(client)
    const upstream = net.connect(upstreamPort, '127.0.0.1')
    sockets.add(upstream)
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    let asked = false
    client.on('data', (chunk) => {
      asked = true
      upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      if (asked && answersUntilDrop > 0 && --answersUntilDrop === 0) {
        dropped += 1
        return end()
      }
      asked = false
      client.write(chunk)
    })
    for (const socket of [client, upstream]) {
      socket.on('error', end)
      socket.on('close', end)
    }
  })
  await listen(server)
  return {
    url: urlOf(server),
    /** Connections offered so far (each one a connection attempt of the client). */
    connections: () => connections,
    /** Answers dropped so far. */
    dropped: () => dropped,
    dropAnswer(nth = 1) {
      answersUntilDrop = nth
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await close(server)
    },
  }
}

/** What the HTTP proxy does with a call: pass it on, or answer it itself. */
export type Stand = 'pass' | { status: number; headers?: Record<string, string>; body?: unknown }

/**
 * An HTTP proxy to `upstream` that counts the calls per path (`/api/payment/tokens`, ...) and asks
 * `script(path, n)` (n: the call's number on that path, from 1) whether to pass the call on or to
 * stand in for a flaky gateway with an answer of its own.
 */
export async function startHttpProxy(
  upstream: string,
  script: (path: string, n: number) => Stand = () => 'pass',
) {
  const calls = new Map<string, number>()
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const path = req.url ?? ''
    const n = (calls.get(path) ?? 0) + 1
    calls.set(path, n)
    const stand = script(path, n)
    if (stand !== 'pass') {
      res.writeHead(stand.status, { 'content-type': 'application/json', ...stand.headers })
      res.end(stand.body === undefined ? '' : JSON.stringify(stand.body))
      return
    }
    const answer = await fetch(`${upstream}${path}`, {
      method: req.method,
      headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
      body: Buffer.concat(chunks),
    })
    res.writeHead(answer.status, { 'content-type': 'application/json' })
    res.end(await answer.text())
  })
  await listen(server)
  return {
    url: urlOf(server),
    /** Calls on `path` so far (e.g. `/api/payment/tokens/verify`). */
    calls: (path: string) => calls.get(path) ?? 0,
    async close() {
      server.closeAllConnections()
      await close(server)
    },
  }
}

export const TOKENS = '/api/payment/tokens'
export const VERIFY = '/api/payment/tokens/verify'

/** Settles `promise` into its value or its error, for asserting on either. */
export const outcome = <T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
