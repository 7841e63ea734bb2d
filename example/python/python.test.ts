import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPaymentConsumer } from '../../packages/payment-client/src/consumer'
import { createPaymentVerifier, refusalBody } from '../../packages/payment-client/src/provider'
import { TOKEN_HEADER } from '../../packages/payment-client/src/token'
import { servePayment, startTestPayment, type TestPayment } from '../../test/kit/payment'

/*
 * The Python example (standard library only) against a real Payment Server (anvil, Postgres, the
 * token calls over real HTTP): the Python provider runs as a process of its own and is paid by
 * the Python consumer and by the TypeScript package's consumer; the Python consumer pays a
 * TypeScript provider; a replayed token is refused.
 */

const dir = import.meta.dirname
const hasPython = spawnSync('python3', ['--version']).status === 0
const PRICE = 1_000n
/** The example's processes leave no __pycache__ in the checkout. */
const pythonEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }

let t: TestPayment
let payment: Awaited<ReturnType<typeof servePayment>>
let consumerKey: string
let pyKey: string
let pyProvider: { url: string; process: ChildProcess }
let tsProvider: http.Server
let tsProviderUrl: string
const channels: Record<string, string> = {}

/** Starts provider.py and resolves with its URL once it prints that it listens. */
function startPythonProvider(env: Record<string, string>): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn('python3', [path.join(dir, 'provider.py')], {
    env: { ...pythonEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  return new Promise((resolve, reject) => {
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1]
      if (url) resolve({ url, process: child })
    })
    child.on('exit', (code) => reject(new Error(`provider.py exited with ${code}: ${stderr}`)))
  })
}

/** Runs consumer.py once: its exit code and the JSON line it printed. */
function runPythonConsumer(env: Record<string, string>) {
  return new Promise<{ code: number | null; out: { status: number; answer: Record<string, unknown> } }>(
    (resolve, reject) => {
      const child = spawn('python3', [path.join(dir, 'consumer.py')], {
        env: { ...pythonEnv, PAYMENT_SERVER_URL: payment.url, PAYMENT_API_KEY: consumerKey, ...env },
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk
      })
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk
      })
      child.on('error', reject)
      child.on('close', (code) => {
        try {
          resolve({ code, out: JSON.parse(stdout) })
        } catch {
          reject(new Error(`consumer.py exited with ${code}, printed ${JSON.stringify(stdout)}: ${stderr}`))
        }
      })
    },
  )
}

describe.skipIf(!hasPython)(
  hasPython ? 'Python example' : 'Python example: skipped, python3 is not on PATH',
  () => {
    beforeAll(async () => {
      t = await startTestPayment()
      payment = await servePayment(t.server)
      const shop = await t.service('shop')
      consumerKey = shop.apiKey
      const py = await t.service('py-billing', { price: PRICE })
      pyKey = py.apiKey
      const ts = await t.service('ts-billing', { price: PRICE })
      channels['py-billing'] = (await t.channel(shop.service, py.service, { costPerRequest: PRICE })).address
      channels['ts-billing'] = (await t.channel(shop.service, ts.service, { costPerRequest: PRICE })).address
      pyProvider = await startPythonProvider({
        PAYMENT_SERVER_URL: payment.url,
        PAYMENT_API_KEY: py.apiKey,
        PORT: '0',
        PRICE: String(PRICE),
      })
      // The TypeScript provider: the package's verifier behind node:http, as its README shows.
      const verifier = createPaymentVerifier({ serverUrl: payment.url, apiKey: ts.apiKey })
      tsProvider = http.createServer(async (req, res) => {
        const result = await verifier.verify(req.headers[TOKEN_HEADER] as string | undefined, {
          price: PRICE,
        })
        const body = result.accepted
          ? {
              payment: {
                channel: result.channel,
                requests: String(result.requests),
                value: String(result.value),
              },
            }
          : refusalBody(result)
        res.writeHead(result.accepted ? 200 : result.status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      })
      await new Promise<void>((resolve) => tsProvider.listen(0, '127.0.0.1', resolve))
      tsProviderUrl = `http://127.0.0.1:${(tsProvider.address() as AddressInfo).port}`
    })

    afterAll(async () => {
      pyProvider?.process.kill('SIGTERM')
      tsProvider?.closeAllConnections()
      await new Promise((resolve) => (tsProvider ? tsProvider.close(resolve) : resolve(null)))
      await payment?.close()
      await t?.stop()
    })

    it('consumer.py pays provider.py: 200 with the payment of its channel', async () => {
      const { code, out } = await runPythonConsumer({
        PROVIDER: 'py-billing',
        PROVIDER_URL: `${pyProvider.url}/invoices`,
      })
      expect(code).toBe(0)
      expect(out).toEqual({
        status: 200,
        answer: {
          path: '/invoices',
          payment: { channel: channels['py-billing'], tokenId: '1', requests: '1', value: String(PRICE) },
        },
      })
    })

    it('the TypeScript package consumer pays provider.py', async () => {
      const consumer = createPaymentConsumer({ serverUrl: payment.url, apiKey: consumerKey })
      const response = await consumer.fetch('py-billing', `${pyProvider.url}/report`)
      expect(response.status).toBe(200)
      const { payment: paid } = (await response.json()) as { payment: Record<string, string> }
      expect(paid).toMatchObject({ channel: channels['py-billing'], tokenId: '1' })
      expect(BigInt(paid.value as string)).toBe(BigInt(paid.requests as string) * PRICE)
    })

    it('consumer.py pays a TypeScript provider (createPaymentVerifier on node:http)', async () => {
      const { code, out } = await runPythonConsumer({ PROVIDER: 'ts-billing', PROVIDER_URL: tsProviderUrl })
      expect(code).toBe(0)
      expect(out).toEqual({
        status: 200,
        answer: { payment: { channel: channels['ts-billing'], requests: '1', value: String(PRICE) } },
      })
    })

    it('provider.py refuses a replayed token with 402 count_already_accepted, and a request without one', async () => {
      const consumer = createPaymentConsumer({ serverUrl: payment.url, apiKey: consumerKey, prefetch: 0 })
      const token = await consumer.token('py-billing')
      const send = (headers: Record<string, string>) => fetch(`${pyProvider.url}/invoices`, { headers })
      const first = await send({ [TOKEN_HEADER]: token })
      expect(first.status).toBe(200)
      const replay = await send({ [TOKEN_HEADER]: token })
      expect(replay.status).toBe(402)
      expect(await replay.json()).toEqual({
        error: { code: 'count_already_accepted', message: expect.stringMatching(/already accepted/) },
      })
      const none = await send({})
      expect(none.status).toBe(402)
      expect(await none.json()).toMatchObject({ error: { code: 'token_missing' } })
    })

    it('consumer.py exits 1 and prints the refusal when the provider refuses (a price above the channel)', async () => {
      const dear = await startPythonProvider({
        PAYMENT_SERVER_URL: payment.url,
        PAYMENT_API_KEY: pyKey,
        PORT: '0',
        PRICE: String(PRICE * 2n),
      })
      try {
        const { code, out } = await runPythonConsumer({ PROVIDER: 'py-billing', PROVIDER_URL: dear.url })
        expect(code).toBe(1)
        expect(out).toMatchObject({ status: 402, answer: { error: { code: 'terms_rejected' } } })
      } finally {
        dear.process.kill('SIGTERM')
      }
    })
  },
)
