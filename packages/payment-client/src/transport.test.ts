import { spawn } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../../stack/ports'
import { createPaymentHttp, PaymentError } from './http'
import { failurePhase, fetchTransport, MAX_ANSWER_BYTES, nodeTransport, type Transport } from './transport'

/**
 * The two transports against a real HTTP server on a local port. It answers by path:
 * /echo the request as JSON, /refuse 402 with an error body, /text a non-JSON 500,
 * /silent never, /huge a body one byte over the limit, /busy 429 with Retry-After, /drop closes the
 * connection without an answer (only the first path segment counts).
 */
let server: http.Server
let base: string
const connections: number[] = []

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (c: Buffer) => chunks.push(c))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      // A Payment Server URL with a path: /silent/api/payment/tokens is /silent, and so on.
      switch (`/${request.url?.split('/')[1]}`) {
        case '/echo':
          response.writeHead(200, { 'content-type': 'application/json' })
          response.end(
            JSON.stringify({
              method: request.method,
              body,
              authorization: request.headers.authorization,
              contentType: request.headers['content-type'],
              contentLength: request.headers['content-length'],
              remotePort: request.socket.remotePort,
            }),
          )
          return
        case '/refuse':
          response.writeHead(402, { 'content-type': 'application/json' })
          response.end('{"error":{"code":"insufficient_funds","message":"Not enough."}}')
          return
        case '/text':
          response.writeHead(500, { 'content-type': 'text/plain' })
          response.end('upstream exploded')
          return
        case '/silent':
          return // never answers
        case '/busy':
          response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' })
          response.end('{"error":{"code":"rate_limited","message":"Slow down."}}')
          return
        case '/drop':
          request.socket.destroy()
          return
        case '/huge':
          response.writeHead(200, { 'content-type': 'application/json' })
          response.end(Buffer.alloc(MAX_ANSWER_BYTES + 1, 0x20))
          return
        default:
          response.writeHead(404)
          response.end()
      }
    })
  })
  server.on('connection', (socket) => connections.push(socket.remotePort ?? 0))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const call = (transport: Transport, route: string, timeoutMs = 5_000) =>
  transport({
    url: `${base}${route}`,
    headers: { 'content-type': 'application/json', authorization: 'Bearer psk_test_secret' },
    body: '{"provider":"billing","count":3}',
    timeoutMs,
  })

describe('payment client transports', () => {
  it('nodeTransport() answers exactly what fetchTransport() answers: status and text', async () => {
    const node = nodeTransport()
    const viaFetch = fetchTransport(globalThis.fetch)
    for (const route of ['/refuse', '/text', '/nowhere', '/busy']) {
      expect(await call(node, route)).toEqual(await call(viaFetch, route))
    }
    const echoed = JSON.parse((await call(node, '/echo')).text)
    expect(echoed).toMatchObject({
      method: 'POST',
      body: '{"provider":"billing","count":3}',
      authorization: 'Bearer psk_test_secret',
      contentType: 'application/json',
      contentLength: '32',
    })
    expect((await call(node, '/refuse')).status).toBe(402)
    expect((await call(node, '/text')).text).toBe('upstream exploded')
    expect((await call(node, '/busy')).retryAfter).toBe('2')
  })

  it('failurePhase(): a refused connection is unsent, a connection closed before the answer is sent, or stale when it was kept alive (node:http)', async () => {
    const refusedUrl = `http://127.0.0.1:${await freePort()}/x`
    const phaseOf = (promise: Promise<unknown>) => promise.then(() => 'answered', failurePhase)
    const node = nodeTransport()
    const viaFetch = fetchTransport(globalThis.fetch)
    for (const transport of [node, viaFetch]) {
      const refused = transport({ url: refusedUrl, headers: {}, body: '{}', timeoutMs: 5_000 })
      expect(await phaseOf(refused)).toBe('unsent')
    }
    expect(await phaseOf(call(nodeTransport(), '/drop'))).toBe('sent')
    expect(await phaseOf(call(viaFetch, '/drop'))).toBe('sent')
    expect((await call(node, '/echo')).status).toBe(200)
    expect(await phaseOf(call(node, '/drop'))).toBe('stale')
    expect(await phaseOf(call(node, '/silent', 100))).toBe('sent')
  })

  it('nodeTransport() keeps its connection alive: 20 calls in a row use one socket', async () => {
    const node = nodeTransport()
    const ports = new Set<number>()
    const before = connections.length
    for (let i = 0; i < 20; i++) ports.add(JSON.parse((await call(node, '/echo')).text).remotePort)
    expect(ports.size).toBe(1)
    expect(connections.length - before).toBe(1)
  })

  it('nodeTransport() keeps 50 concurrent calls apart: each gets its own answer', async () => {
    const node = nodeTransport()
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        node({
          url: `${base}/echo`,
          headers: {},
          body: `{"i":${i},"pad":"${'é'.repeat(i)}"}`,
          timeoutMs: 5_000,
        }),
      ),
    )
    answers.forEach((answer, i) => {
      expect(answer.status).toBe(200)
      expect(JSON.parse(JSON.parse(answer.text).body)).toEqual({ i, pad: 'é'.repeat(i) })
    })
  })

  it('nodeTransport() gives up after timeoutMs with a TimeoutError, and refuses an answer over the limit', async () => {
    const node = nodeTransport()
    await expect(call(node, '/silent', 150)).rejects.toMatchObject({ name: 'TimeoutError' })
    await expect(call(node, '/huge')).rejects.toThrow(`larger than ${MAX_ANSWER_BYTES} bytes`)
    // The transport still works after both.
    expect((await call(node, '/refuse')).status).toBe(402)
  })

  it('createPaymentHttp() on Node turns a timeout and a refused connection into a retryable 503', async () => {
    const silent = createPaymentHttp({ serverUrl: `${base}/silent`, apiKey: 'psk_x', timeoutMs: 150 })
    const timeout = await silent.post('tokens', {}).catch((error: unknown) => error)
    expect(timeout).toBeInstanceOf(PaymentError)
    expect(timeout).toMatchObject({ code: 'payment_server_unavailable', status: 503, retryable: true })
    expect((timeout as PaymentError).message).toContain('no answer in time')

    const text = createPaymentHttp({ serverUrl: `${base}/text`, apiKey: 'psk_x' })
    expect(await text.post('tokens', {})).toEqual({ status: 500, body: undefined })

    const port = await freePort()
    const refused = await createPaymentHttp({ serverUrl: `http://127.0.0.1:${port}`, apiKey: 'psk_x' })
      .post('tokens', {})
      .catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(PaymentError)
    expect(refused).toMatchObject({ code: 'payment_server_unavailable', status: 503 })
    expect((refused as PaymentError).message).toContain('ECONNREFUSED')
  })

  it('an idle keep-alive connection does not keep a Node process alive', async () => {
    // A child makes one call and then has nothing left to do: it must exit by itself.
    const script = `
      import { nodeTransport } from ${JSON.stringify(path.join(import.meta.dirname, 'transport.ts'))}
      const answer = await nodeTransport()({ url: ${JSON.stringify(`${base}/echo`)}, headers: {}, body: '{}', timeoutMs: 5000 })
      console.log('status', answer.status)
    `
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (c: Buffer) => {
      output += c
    })
    child.stderr.on('data', (c: Buffer) => {
      output += c
    })
    // A generous guard so that a process kept alive fails the test instead of hanging it.
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000)
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    clearTimeout(guard)
    expect(output).toContain('status 200')
    expect(code).toBe(0)
  }, 40_000)
})
