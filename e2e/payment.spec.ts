import { readFileSync } from 'node:fs'
import path from 'node:path'
import SwaggerParser from '@apidevtools/swagger-parser'
import { type APIRequestContext, expect, test } from '@playwright/test'
import { routeFilesUnder } from '../test/kit/routes'
import { adminKey, dataDir } from './kit/api'

/** What `npm start` wrote for the example network (playwright.config.ts: DATA_DIR). */
type Credentials = { services: Record<string, { apiKey: string; address: string; url: string }> }
const credentials = () =>
  JSON.parse(readFileSync(path.join(dataDir, 'example-credentials.json'), 'utf8')) as Credentials
const service = (name: string) =>
  credentials().services[name] as { apiKey: string; address: string; url: string }
const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

type Channel = {
  address: string
  provider: { service: string | null }
  consumer: { service: string | null }
  server: { accepted: Array<{ tokenId: string; highest: string; accepted: string }> }
  /** Version 2 channels (public → validation): the maximum accepted token's counts per category. */
  v2: { accepted: Array<{ requests: string[] }> } | null
}

/** The provider's view of its channel from `consumer`: accepted count of the newest token ID. */
async function acceptedBy(request: APIRequestContext, provider: string, consumer: string): Promise<bigint> {
  const res = await request.get('/api/payment/channels', { headers: bearer(service(provider).apiKey) })
  expect(res.status()).toBe(200)
  const { channels } = (await res.json()) as { channels: Channel[] }
  const channel = channels.find((c) => c.consumer.service === consumer && c.provider.service === provider)
  expect(channel, `${consumer} → ${provider} channel`).toBeTruthy()
  const { server, v2 } = channel as Channel
  if (v2) return v2.accepted.reduce((sum, a) => a.requests.reduce((s, r) => s + BigInt(r), sum), 0n)
  return server.accepted.reduce((sum, a) => sum + BigInt(a.accepted), 0n)
}

test('the OpenAPI document is valid and describes every payment route', async ({ request }) => {
  const res = await request.get('/api/payment/openapi.json')
  expect(res.status()).toBe(200)
  const document = await res.json()
  await SwaggerParser.validate(structuredClone(document))
  const routes = [...routeFilesUnder('app/api/payment').keys()]
  expect(Object.keys(document.paths).sort()).toEqual(routes.filter((r) => !r.endsWith('openapi.json')).sort())
})

test('every public request of the example network pays validation and persistence exactly once', async ({
  request,
}) => {
  const publicUrl = service('public').url
  const beforeValidation = await acceptedBy(request, 'validation', 'public')
  const beforePersistence = await acceptedBy(request, 'persistence', 'public')
  for (let i = 0; i < 5; i++) {
    const res = await request.post(`${publicUrl}/submit`, { data: { name: `user-${i}` } })
    expect(await res.json()).toMatchObject({ ok: true })
  }
  // Invalid data: validation is paid and says no, persistence is not called.
  const invalid = await request.post(`${publicUrl}/submit`, { data: { name: '' } })
  expect(await invalid.json()).toEqual({ ok: false, reason: 'invalid' })
  expect(await acceptedBy(request, 'validation', 'public')).toBe(beforeValidation + 6n)
  expect(await acceptedBy(request, 'persistence', 'public')).toBe(beforePersistence + 5n)
})

test('a provider answers 402 with the reason for a missing or replayed token', async ({ request }) => {
  const validation = service('validation').url
  const missing = await request.post(`${validation}/validate`, { data: { name: 'x' } })
  expect(missing.status()).toBe(402)
  expect((await missing.json()).error.code).toBe('token_missing')

  const issued = await request.post('/api/payment/tokens', {
    headers: bearer(service('public').apiKey),
    data: { provider: 'validation' },
  })
  expect(issued.status()).toBe(200)
  const token = ((await issued.json()).tokens as string[])[0] as string
  const first = await request.post(`${validation}/validate`, {
    data: { name: 'x' },
    headers: { 'payment-token': token },
  })
  expect(first.status()).toBe(200)
  const replay = await request.post(`${validation}/validate`, {
    data: { name: 'x' },
    headers: { 'payment-token': token },
  })
  expect(replay.status()).toBe(402)
  expect((await replay.json()).error).toMatchObject({ code: 'count_already_accepted' })

  // The token was issued by `public` for `validation`: `persistence` may not even look at it.
  const foreign = await request.post('/api/payment/tokens/verify', {
    headers: bearer(service('persistence').apiKey),
    data: { token },
  })
  expect(foreign.status()).toBe(403)
  expect((await foreign.json()).error.code).toBe('forbidden')
})

test('bad input and bad credentials get a 4xx with a code and change nothing', async ({ request }) => {
  const validationKey = service('validation').apiKey
  const before = await acceptedBy(request, 'validation', 'public')
  const post = (url: string, init: Parameters<APIRequestContext['post']>[1]) => request.post(url, init)
  const cases: Array<[string, Promise<import('@playwright/test').APIResponse>, number, string]> = [
    ['no key', post('/api/payment/tokens/verify', { data: { token: 'x' } }), 401, 'unauthorized'],
    [
      'unknown key',
      post('/api/payment/tokens/verify', { headers: bearer('psk_nobody_0123456789abcdef'), data: {} }),
      401,
      'unauthorized',
    ],
    [
      'service key on an admin route',
      post('/api/payment/services', { headers: bearer(validationKey), data: { name: 'x', team: 't' } }),
      403,
      'forbidden',
    ],
    [
      'admin key where a service acts',
      post('/api/payment/tokens', { headers: bearer(adminKey()), data: { provider: 'validation' } }),
      403,
      'forbidden',
    ],
    [
      'invalid JSON',
      post('/api/payment/tokens/verify', {
        headers: { ...bearer(validationKey), 'content-type': 'application/json' },
        data: Buffer.from('{"token":'),
      }),
      400,
      'invalid_json',
    ],
    [
      'wrong type',
      post('/api/payment/tokens/verify', { headers: bearer(validationKey), data: { token: 42 } }),
      400,
      'invalid_request',
    ],
    [
      'unknown field',
      post('/api/payment/tokens/verify', { headers: bearer(validationKey), data: { token: 'x', extra: 1 } }),
      400,
      'invalid_request',
    ],
    [
      'malformed token',
      post('/api/payment/tokens/verify', { headers: bearer(validationKey), data: { token: 'v1.1.2.3' } }),
      400,
      'token_malformed',
    ],
    [
      'number past uint256',
      post('/api/payment/tokens/verify', {
        headers: bearer(validationKey),
        data: { token: `v1.31337.0x${'1'.repeat(40)}.1.${'9'.repeat(80)}.0x${'ab'.repeat(65)}` },
      }),
      400,
      'token_malformed',
    ],
    [
      'deposit past uint256',
      post(`/api/payment/channels/0x${'1'.repeat(40)}/deposit`, {
        headers: bearer(validationKey),
        data: { amount: '1'.repeat(79) },
      }),
      400,
      'invalid_request',
    ],
    [
      'count out of range',
      post('/api/payment/tokens', {
        headers: bearer(service('public').apiKey),
        data: { provider: 'validation', count: 100_000 },
      }),
      400,
      'invalid_request',
    ],
    [
      'bad address',
      post('/api/payment/channels/0x123/withdraw', { headers: bearer(validationKey) }),
      400,
      'invalid_address',
    ],
    [
      'oversized body',
      post('/api/payment/tokens/verify', {
        headers: bearer(validationKey),
        data: { tokens: Array(200).fill('x'.repeat(390)) },
      }),
      413,
      'body_too_large',
    ],
  ]
  for (const [what, response, status, code] of cases) {
    const res = await response
    expect(res.status(), what).toBe(status)
    const body = await res.json()
    expect(body.error.code, what).toBe(code)
    expect(body.error.message, what).toMatch(/\w+ .*\./)
  }
  expect(await acceptedBy(request, 'validation', 'public')).toBe(before)
})

test('no secret leaves the server: service listings, health and metrics', async ({ request }) => {
  const listed = await request.get('/api/payment/services', { headers: bearer(adminKey()) })
  expect(listed.status()).toBe(200)
  const text = await listed.text()
  for (const [, s] of Object.entries(credentials().services)) expect(text).not.toContain(s.apiKey)
  expect(text).not.toMatch(/ciphertext|privateKey|"apiKey"/)
  const health = await request.get('/api/payment/health')
  // The e2e stack runs with PAYMENT_RUNNER=off (playwright.config.ts); runner.test.ts covers leadership.
  expect(await health.json()).toMatchObject({ status: 'ok', database: 'ok', runner: 'off' })
  const metrics = await request.get('/api/payment/metrics', { headers: bearer(adminKey()) })
  expect(metrics.status()).toBe(200)
  expect(await metrics.text()).toMatch(/^payment_tokens_verified_total\{result="accepted"\} \d+/m)
  expect((await request.get('/api/payment/metrics')).status()).toBe(401)
})

test('the token calls answer the same on the fast path as through Next.js', async ({ request }) => {
  // `npm start` serves POST /api/payment/tokens[/verify] on its fast path (stack/web.ts); a query
  // string sends the same call through Next.js's route handler instead.
  const routes = ['/api/payment/tokens/verify', '/api/payment/tokens/verify?via=next']
  const validationKey = service('validation').apiKey
  // The headers that say something about the answer: not the connection's or the date, and not
  // Next.js's compression (the fast path does not compress a few hundred bytes; `vary` names
  // Accept-Encoding and Next.js's own router headers); each call's own request id, a UUID.
  const headersOf = (res: import('@playwright/test').APIResponse) => {
    const headers = res.headers()
    expect(headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    for (const name of [
      'x-request-id',
      'date',
      'connection',
      'keep-alive',
      'transfer-encoding',
      'content-length',
      'content-encoding',
      'vary',
    ])
      delete headers[name]
    return headers
  }
  const both = async (data: unknown, headers: Record<string, string> = bearer(validationKey)) => {
    const [fast, viaNext] = await Promise.all(routes.map((url) => request.post(url, { headers, data })))
    const [a, b] = [
      fast as import('@playwright/test').APIResponse,
      viaNext as import('@playwright/test').APIResponse,
    ]
    expect(a.status()).toBe(b.status())
    expect(headersOf(a)).toEqual(headersOf(b))
    // Each went the way meant: Next.js names its router headers in `vary`, the fast path has none.
    expect(a.headers().vary).toBeUndefined()
    expect(b.headers().vary).toContain('rsc')
    return [await a.json(), await b.json()] as const
  }
  // Refusals: the same status, code, sentence and headers.
  for (const [data, headers] of [
    [{ token: 'v1.1.2.3' }, undefined],
    [{ token: 42 }, undefined],
    [{ token: 'x' }, {}],
    [{ tokens: Array(200).fill('x'.repeat(390)) }, undefined],
  ] as const) {
    const [fast, viaNext] = await both(data, headers)
    expect(fast).toEqual(viaNext)
    expect(fast.error.code).toMatch(/^(token_malformed|invalid_request|unauthorized|body_too_large)$/)
  }
  // Two fresh tokens, one verified each way: both accepted, for consecutive counts.
  const issued = await request.post('/api/payment/tokens?via=next', {
    headers: bearer(service('public').apiKey),
    data: { provider: 'validation', count: 2 },
  })
  expect(issued.status()).toBe(200)
  const [first, second] = (await issued.json()).tokens as [string, string]
  const verify = (url: string, token: string) =>
    request.post(url, { headers: bearer(validationKey), data: { token } }).then(async (r) => ({
      status: r.status(),
      body: await r.json(),
    }))
  const fast = await verify(routes[0] as string, second)
  const viaNext = await verify(routes[1] as string, first)
  expect(fast.status).toBe(200)
  expect(viaNext.status).toBe(200)
  expect(BigInt(fast.body.requests)).toBe(BigInt(viaNext.body.requests) + 1n)
  expect(Object.keys(fast.body).sort()).toEqual(Object.keys(viaNext.body).sort())
  // And each count only once, whichever way it comes back.
  expect((await verify(routes[1] as string, second)).body.error.code).toBe('count_already_accepted')
  expect((await verify(routes[0] as string, first)).body.error.code).toBe('count_already_accepted')
})

test('the fast path refuses a body that grows too large without a length, and closes', async ({
  baseURL,
}) => {
  // A chunked body (no content-length) that grows past 64 KiB: 413, and the connection closes.
  const url = new URL('/api/payment/tokens/verify', baseURL)
  const { request: send } = await import('node:http')
  const answer = await new Promise<{ status: number; body: string; connection: string | undefined }>(
    (resolve, reject) => {
      const req = send(
        url,
        {
          method: 'POST',
          headers: { ...bearer(service('validation').apiKey), 'content-type': 'application/json' },
        },
        (res) => {
          let body = ''
          res.on('data', (c) => {
            body += c
          })
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }),
          )
        },
      )
      req.on('error', reject)
      req.write(`{"tokens":["${'x'.repeat(40_000)}`)
      req.write(`${'x'.repeat(40_000)}"]}`)
      req.end()
    },
  )
  expect(answer.status).toBe(413)
  expect(JSON.parse(answer.body).error.code).toBe('body_too_large')
  expect(answer.connection).toBe('close')
})
