import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ProbeReadiness, type ProbeServer, startProbeServer } from './probeServer'

let probes: ProbeServer
let live = true
let answer: () => Promise<ProbeReadiness> = async () => ({ ready: true, reasons: [] })

beforeAll(async () => {
  probes = await startProbeServer({
    host: '127.0.0.1',
    port: 0,
    live: () => live,
    ready: () => answer(),
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'up 1\n' }),
    readyTimeoutMs: 100,
  })
})
afterAll(() => probes.close())

/** One real HTTP call; the body as text (empty for HEAD). */
function call(method: string, path: string, body?: string) {
  return new Promise<{ status: number; type: string; text: string; allow?: string }>((resolve, reject) => {
    const req = request(`${probes.url}${path}`, { method }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c) => {
        text += c
      })
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type']),
          text,
          allow: res.headers.allow,
        }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('startProbeServer()', () => {
  it('startProbeServer() picks a free port for port 0 and answers /livez', async () => {
    expect(probes.port).toBeGreaterThan(0)
    expect(probes.url).toBe(`http://127.0.0.1:${probes.port}`)
    expect(await call('GET', '/livez')).toMatchObject({ status: 200, text: '{"live":true}' })
    live = false
    expect(await call('GET', '/livez')).toMatchObject({ status: 503, text: '{"live":false}' })
    live = true
  })

  it('startProbeServer() answers /readyz 200 or 503 with the reasons', async () => {
    answer = async () => ({ ready: true, reasons: [] })
    const ok = await call('GET', '/readyz')
    expect([ok.status, JSON.parse(ok.text)]).toEqual([200, { ready: true, reasons: [] }])
    answer = async () => ({ ready: false, reasons: ['database does not answer'] })
    const no = await call('GET', '/readyz?verbose=1')
    expect([no.status, JSON.parse(no.text)]).toEqual([
      503,
      { ready: false, reasons: ['database does not answer'] },
    ])
  })

  it('startProbeServer() answers 503 when the check throws or hangs', async () => {
    answer = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432')
    }
    const thrown = await call('GET', '/readyz')
    expect([thrown.status, JSON.parse(thrown.text)]).toEqual([
      503,
      { ready: false, reasons: ['the readiness check failed: connect ECONNREFUSED 127.0.0.1:5432'] },
    ])
    answer = () => new Promise(() => {})
    const hung = await call('GET', '/readyz')
    expect([hung.status, JSON.parse(hung.text)]).toEqual([
      503,
      { ready: false, reasons: ['the readiness check timed out after 100 ms'] },
    ])
    answer = async () => ({ ready: true, reasons: [] })
  })

  it('startProbeServer() serves /metrics as text and HEAD without a body', async () => {
    expect(await call('GET', '/metrics')).toMatchObject({
      status: 200,
      type: 'text/plain; version=0.0.4',
      text: 'up 1\n',
    })
    expect(await call('HEAD', '/livez')).toMatchObject({ status: 200, text: '' })
  })

  it('startProbeServer() refuses other paths (404) and methods (405) with a code and a sentence', async () => {
    const missing = await call('GET', '/nope')
    expect([missing.status, JSON.parse(missing.text)]).toEqual([
      404,
      { error: { code: 'not_found', message: '/nope is not a probe; try /livez, /readyz or /metrics.' } },
    ])
    const posted = await call('POST', '/readyz', 'x'.repeat(100_000))
    expect([posted.status, posted.allow, JSON.parse(posted.text)]).toEqual([
      405,
      'GET, HEAD',
      { error: { code: 'method_not_allowed', message: 'POST is not allowed here; use GET.' } },
    ])
  })

  it('startProbeServer() answers 404 on /metrics when the role has none', async () => {
    const bare = await startProbeServer({
      host: '127.0.0.1',
      port: 0,
      ready: async () => ({ ready: true, reasons: [] }),
    })
    try {
      const res = await fetch(`${bare.url}/metrics`)
      expect(res.status).toBe(404)
      expect((await fetch(`${bare.url}/livez`)).status).toBe(200)
    } finally {
      await bare.close()
    }
  })
})
