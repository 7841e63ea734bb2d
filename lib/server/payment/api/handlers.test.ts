import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPayment, type TestPayment } from '../../../../test/kit/payment'
import { AppError } from '../../../errors'
import type { Call } from '../../http/body'
import { Answer } from '../../http/route'
import { paymentRoutes } from '../routes'
import type { Service } from '../services'
import { type AnyPaymentRoute, runPaymentRoute } from './route'

/*
 * The Payment Server's handlers called as functions, without HTTP: a handler takes the server,
 * the caller, the parsed parameters and body, and returns data or an Answer; runPaymentRoute()
 * adds the route's auth, body schema, parameter parsing and error answers to a plain Call.
 */

let t: TestPayment
let shop: { service: Service; apiKey: string }
let billing: { service: Service; apiKey: string }

beforeAll(async () => {
  t = await startTestPayment()
  shop = await t.service('shop')
  billing = await t.service('billing', { price: 1_000n })
})
afterAll(async () => t?.stop())

const route = (name: string) => paymentRoutes.find((r) => r.name === name) as AnyPaymentRoute

/** Calls a route's handler directly. */
const handle = (name: string, input: { caller?: unknown; params?: object; body?: unknown }) =>
  route(name).handler({ server: t.server, params: {}, body: undefined, ...input } as never)

/** A call with a bearer key and a JSON body, as either server would read it. */
const call = (key: string | null, body: unknown = {}): Call => ({
  headers: { get: (name) => (name === 'authorization' && key ? `Bearer ${key}` : null) },
  readBody: async () => JSON.stringify(body),
})

/** What `run` was refused with, as status and code. */
async function refusal(run: () => Promise<unknown>) {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  )
  if (!(error instanceof AppError)) throw error ?? new Error('no refusal')
  return { status: error.status, code: error.code }
}

describe('channels.open', () => {
  it('channels.open deploys the channel at the provider price with the default timeouts (201), then gives it back (200)', async () => {
    const opened = await handle('channels.open', {
      caller: shop.service,
      body: { provider: 'billing', deposit: '1000000' },
    })
    expect(opened).toBeInstanceOf(Answer)
    expect(opened).toMatchObject({
      status: 201,
      body: {
        created: true,
        channel: { costPerRequest: '1000', redemptionTimeout: '60', terminationTimeout: '900' },
      },
    })
    const { address } = ((opened as Answer).body as { channel: { address: string } }).channel
    expect(
      await handle('channels.open', { caller: shop.service, body: { provider: 'billing' } }),
    ).toMatchObject({ status: 200, body: { created: false, channel: { address } } })
  })

  it('channels.open refuses a channel to the caller itself (409 invalid_provider) before sending anything', async () => {
    expect(
      await refusal(() => handle('channels.open', { caller: shop.service, body: { provider: 'shop' } })),
    ).toEqual({
      status: 409,
      code: 'invalid_provider',
    })
  })
})

describe('tokens.issue and tokens.verify', () => {
  it('tokens.issue gives the next tokens of the open channel, and tokens.verify accepts each once (402 on the replay)', async () => {
    const issued = (await handle('tokens.issue', {
      caller: shop.service,
      body: { provider: 'billing', count: 2 },
    })) as { tokenId: string; tokens: string[] }
    expect(issued.tokenId).toBe('1')
    expect(issued.tokens).toHaveLength(2)
    const [first, second] = issued.tokens as [string, string]

    expect(await handle('tokens.verify', { caller: billing.service, body: { token: second } })).toMatchObject(
      {
        accepted: true,
        requests: '2',
        value: '2000',
      },
    )
    const replay = await handle('tokens.verify', {
      caller: billing.service,
      body: { tokens: [first, second] },
    })
    expect(replay).toMatchObject({
      results: [
        { accepted: true, requests: '1' },
        { accepted: false, error: { code: 'count_already_accepted' } },
      ],
    })
    expect(await handle('tokens.verify', { caller: billing.service, body: { token: second } })).toMatchObject(
      {
        status: 402,
        body: { error: { code: 'count_already_accepted' } },
      },
    )
  })
})

describe('runPaymentRoute()', () => {
  /** The answer to a call of the route named `name`, as status and body. */
  const serve = async (name: string, c: Call, params: Record<string, string> = {}) => {
    const { status, body } = (await runPaymentRoute(route(name), c, params, async () => t.server)) as Answer
    return { status, body: body as { error?: { code: string } } & Record<string, unknown> }
  }
  const refused = async (name: string, c: Call, params?: Record<string, string>) => {
    const { status, body } = await serve(name, c, params)
    return { status, code: body.error?.code }
  }

  it('runPaymentRoute() checks the key the route asks for before its body: 401 without one, 403 with the wrong kind', async () => {
    expect(await refused('tokens.verify', call(null, 'not json'))).toEqual({
      status: 401,
      code: 'unauthorized',
    })
    const admin = call(t.server.settings.adminKey as string)
    expect(await refused('tokens.verify', admin)).toEqual({ status: 403, code: 'forbidden' })
    expect(await refused('metrics', call(shop.apiKey))).toEqual({ status: 403, code: 'forbidden' })
  })

  it("runPaymentRoute() checks the body against the route's schema and parses {address}", async () => {
    const zero = call(shop.apiKey, { provider: 'billing', count: 0 })
    expect(await refused('tokens.issue', zero)).toEqual({ status: 400, code: 'invalid_request' })
    expect(await refused('channels.get', call(shop.apiKey), { address: '0x12' })).toEqual({
      status: 400,
      code: 'invalid_address',
    })
  })

  it('runPaymentRoute() gives the handler the caller of its auth: an admin lists every service, a service itself', async () => {
    const names = async (key: string) =>
      ((await serve('services.list', call(key))).body.services as Array<{ name: string }>).map((s) => s.name)
    expect((await names(t.server.settings.adminKey as string)).sort()).toEqual(['billing', 'shop'])
    expect(await names(billing.apiKey)).toEqual(['billing'])
  })

  it('runPaymentRoute() answers the status a handler chose, and times the call by route name', async () => {
    const before = await t.server.metrics.requestSeconds.get()
    const count = (m: typeof before) =>
      m.values.find(
        (v) =>
          v.metricName?.endsWith('_count') && v.labels.route === 'channels.open' && v.labels.status === '200',
      )?.value ?? 0
    const answer = await serve('channels.open', call(shop.apiKey, { provider: 'billing' }))
    expect(answer).toMatchObject({ status: 200, body: { created: false } })
    expect(count(await t.server.metrics.requestSeconds.get())).toBe(count(before) + 1)
  })
})
