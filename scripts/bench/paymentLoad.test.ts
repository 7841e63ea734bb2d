import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { load, medianRun, percentile } from './paymentLoad'

/** A server on a free port whose handler sees each request's body; stopped after each test. */
let server: http.Server | undefined
async function serve(handler: (body: string, req: http.IncomingMessage, res: http.ServerResponse) => void) {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => handler(Buffer.concat(chunks).toString('utf8'), req, res))
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
afterEach(async () => {
  const s = server
  if (!s) return
  server = undefined
  s.closeAllConnections()
  await new Promise((resolve) => s.close(resolve))
})

describe('load', () => {
  it('sends every request once, with its own body, over the given connections', async () => {
    const bodies: string[] = []
    const peers = new Set<number | undefined>()
    const url = await serve((body, req, res) => {
      bodies.push(body)
      peers.add(req.socket.remotePort)
      expect(req.headers.authorization).toBe('Bearer k')
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: body.length }))
    })
    const r = await load({
      url,
      connections: 4,
      amount: 50,
      request: {
        method: 'POST',
        path: '/x',
        headers: { authorization: 'Bearer k' },
        body: (i) => `{"i":${i}}`,
      },
    })
    expect(r.count).toBe(50)
    expect(r.latencies).toHaveLength(50)
    expect(r.latencies).toEqual([...r.latencies].sort((a, b) => a - b))
    expect(r.statuses).toEqual(new Map([[200, 50]]))
    expect([r.non2xx, r.errors, r.firstFailure]).toEqual([0, 0, undefined])
    expect([...bodies].sort()).toEqual(Array.from({ length: 50 }, (_, i) => `{"i":${i}}`).sort())
    expect(peers.size).toBe(4)
    expect(r.perSecond).toBeCloseTo(50 / (r.ms / 1000), 6)
  })

  it('reads chunked answers and answers split across packets', async () => {
    let n = 0
    const url = await serve((_body, _req, res) => {
      res.writeHead(n++ % 2 === 0 ? 200 : 201, { 'content-type': 'text/plain' })
      // No content-length: Node sends the body chunked, here in three chunks some ms apart.
      res.write('ab')
      setTimeout(() => {
        res.write('cde')
        setTimeout(() => res.end('f'), 2)
      }, 2)
    })
    const r = await load({ url, connections: 2, amount: 10, request: { method: 'GET', path: '/' } })
    expect(r.count).toBe(10)
    expect(r.statuses).toEqual(
      new Map([
        [200, 5],
        [201, 5],
      ]),
    )
    expect(r.errors).toBe(0)
  })

  it('counts non-2xx answers and keeps the first one', async () => {
    let n = 0
    const url = await serve((_body, _req, res) => {
      const status = ++n === 3 ? 402 : n === 5 ? 500 : 200
      res.writeHead(status).end(status === 200 ? 'fine' : `refused ${n}`)
    })
    const r = await load({
      url,
      connections: 1,
      amount: 6,
      request: { method: 'POST', path: '/', body: '{}' },
    })
    expect(r.count).toBe(6)
    expect(r.non2xx).toBe(2)
    expect(r.firstFailure).toBe('402 refused 3')
  })

  it('opens a new connection after an answer with connection: close', async () => {
    const url = await serve((_body, _req, res) => {
      res.shouldKeepAlive = false
      res.end('bye')
    })
    const r = await load({ url, connections: 2, amount: 7, request: { method: 'GET', path: '/' } })
    expect([r.count, r.errors, r.non2xx]).toEqual([7, 0, 0])
  })

  it('counts a request lost to a dropped connection as an error and goes on', async () => {
    let n = 0
    const url = await serve((_body, req, res) => {
      if (++n === 2) return req.socket.destroy()
      res.end('ok')
    })
    const r = await load({ url, connections: 1, amount: 5, request: { method: 'GET', path: '/' } })
    expect(r.count).toBe(4)
    expect(r.errors).toBe(1)
    expect(r.firstFailure).toBe('the server closed the connection')
  })

  it('counts a request with no answer within the timeout as an error', async () => {
    let n = 0
    const url = await serve((_body, _req, res) => {
      if (++n !== 1) res.end('ok')
    })
    const r = await load({
      url,
      connections: 1,
      amount: 3,
      timeoutMs: 200,
      request: { method: 'GET', path: '/' },
    })
    expect([r.count, r.errors]).toEqual([2, 1])
    expect(r.firstFailure).toBe('no answer within 200 ms')
  })

  it('ends with every request an error when nothing listens', async () => {
    const url = await serve(() => {})
    const s = server
    server = undefined
    await new Promise((resolve) => s?.close(resolve))
    const r = await load({ url, connections: 3, amount: 9, request: { method: 'GET', path: '/' } })
    expect([r.count, r.errors]).toEqual([0, 9])
    expect(r.firstFailure).toMatch(/ECONNREFUSED/)
  })
})

describe('percentile and medianRun', () => {
  it('takes the nearest rank, p100 the maximum', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    expect([50, 90, 99, 100].map((p) => percentile(sorted, p))).toEqual([5, 9, 10, 10])
    expect(percentile([], 50)).toBeNaN()
  })

  it('picks the run with the median rate and lists every rate in order', () => {
    const runs = [{ perSecond: 9 }, { perSecond: 3 }, { perSecond: 5 }]
    expect(medianRun(runs)).toEqual({ perSecond: 5, rates: [9, 3, 5] })
  })
})
