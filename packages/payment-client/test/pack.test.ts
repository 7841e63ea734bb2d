/**
 * The package as a service installs it: `npm pack` (which builds it), the tarball installed into
 * a scratch project outside the repository (so nothing resolves through the repository's
 * node_modules), then a provider written in CommonJS and a consumer written as an ES module, each
 * its own Node process, paid and paying through a real Payment Server (anvil, Postgres, the
 * server's own HTTP code). The scratch project's TypeScript check sees the package's types.
 */
import { execFile, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { servePayment, startTestPayment, type TestPayment } from '../../../test/kit/payment'

const run = promisify(execFile)
const packageDir = path.resolve(import.meta.dirname, '..')
const require = createRequire(import.meta.url)
const manifest = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8'))

let t: TestPayment
let payment: Awaited<ReturnType<typeof servePayment>>
let scratch: string
let tarball: string

beforeAll(async () => {
  t = await startTestPayment()
  payment = await servePayment(t.server)
  scratch = await mkdtemp(path.join(tmpdir(), 'payment-client-scratch-'))
  await run('npm', ['pack', '--pack-destination', scratch, '--silent'], { cwd: packageDir })
  const packed = (await readdir(scratch)).find((name) => name.endsWith('.tgz'))
  if (!packed) throw new Error(`npm pack left no tarball in ${scratch}`)
  tarball = path.join(scratch, packed)
  // The versions this repository tested with, from npm's cache (the registry when it lacks them).
  const pinned = (name: string) =>
    JSON.parse(readFileSync(path.join(packageDir, '../../node_modules', name, 'package.json'), 'utf8'))
      .version
  await writeFile(
    path.join(scratch, 'package.json'),
    JSON.stringify({
      name: 'scratch-service',
      private: true,
      dependencies: {
        [manifest.name]: `file:${tarball}`,
        viem: pinned('viem'),
        '@opentelemetry/api': pinned('@opentelemetry/api'),
      },
    }),
  )
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent'], { cwd: scratch })
}, 300_000)

afterAll(async () => {
  await payment?.close()
  await t?.stop()
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

/** The provider: a node:http server, CommonJS, the package's verifier and middleware. */
const PROVIDER = `
const http = require('node:http')
const { createPaymentVerifier, paymentRequired } = require('@channel-inspector/payment-client')
const verifier = createPaymentVerifier({ serverUrl: process.env.PAYMENT_SERVER_URL, apiKey: process.env.PAYMENT_API_KEY })
const paid = paymentRequired(verifier)
const server = http.createServer((req, res) => {
  paid(req, res, () => {
    const { channel, requests, value } = req.payment
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ served: true, channel, requests: String(requests), value: String(value) }))
  })
})
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
`

/** The consumer: an ES module, the package's fetch; prints the provider's answers and the tokens sent. */
const CONSUMER = `
import { createPaymentConsumer, TOKEN_HEADER } from '@channel-inspector/payment-client'
const consumer = createPaymentConsumer({ serverUrl: process.env.PAYMENT_SERVER_URL, apiKey: process.env.PAYMENT_API_KEY, prefetch: 0 })
const answers = []
for (let i = 0; i < 3; i++) {
  const response = await consumer.fetch(process.env.PROVIDER, process.env.PROVIDER_URL)
  answers.push({ status: response.status, body: await response.json() })
}
// A token replayed by hand: the provider must refuse it.
const token = await consumer.token(process.env.PROVIDER)
const first = await fetch(process.env.PROVIDER_URL, { headers: { [TOKEN_HEADER]: token } })
const again = await fetch(process.env.PROVIDER_URL, { headers: { [TOKEN_HEADER]: token } })
answers.push({ status: first.status, body: await first.json() }, { status: again.status, body: await again.json() })
console.log(JSON.stringify(answers))
`

/** A TypeScript service's use of the package, type-checked as Node 16+ resolution sees the tarball's types. */
const TYPED = `
import { createPaymentConsumer, createPaymentVerifier, PaymentError, type Payment, type VerifyResult } from '@channel-inspector/payment-client'
const consumer = createPaymentConsumer({ serverUrl: 'http://127.0.0.1:3000', apiKey: 'k' })
const verifier = createPaymentVerifier({ serverUrl: 'http://127.0.0.1:3000', apiKey: 'k' })
export async function pay(): Promise<number> {
  const response: Response = await consumer.fetch('billing', 'http://billing.internal/')
  const result: VerifyResult = await verifier.verify(response.headers.get('x'))
  const paid: Payment | null = result.accepted ? result : null
  return paid ? Number(paid.requests) : new PaymentError({ code: 'x', message: 'y', status: 503 }).status
}
// @ts-expect-error: serverUrl is required
createPaymentConsumer({ apiKey: 'k' })
`

describe('the packed package in a project of its own', () => {
  it('holds only the build, the README and package.json, and resolves outside the repository', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball])
    const files = stdout.trim().split('\n').sort()
    expect(files).toContain('package/package.json')
    expect(files).toContain('package/README.md')
    expect(files).toContain('package/dist/index.js')
    expect(files).toContain('package/dist/index.cjs')
    expect(files).toContain('package/dist/index.d.ts')
    expect(files).toContain('package/dist/index.d.cts')
    expect(files.filter((f) => !/^package\/(package\.json|README\.md|dist\/)/.test(f))).toEqual([])
    const { stdout: where } = await run(
      process.execPath,
      ['-p', "require.resolve('@channel-inspector/payment-client')"],
      { cwd: scratch },
    )
    expect(where.trim()).toBe(
      path.join(scratch, 'node_modules/@channel-inspector/payment-client/dist/index.cjs'),
    )
  })

  it('a CommonJS provider and an ES-module consumer from the tarball are paid and pay through the Payment Server', async () => {
    const provider = await t.service('scratch-provider', { price: 1_000n })
    const consumer = await t.service('scratch-consumer')
    const channel = await t.channel(consumer.service, provider.service)
    await writeFile(path.join(scratch, 'provider.cjs'), PROVIDER)
    await writeFile(path.join(scratch, 'consumer.mjs'), CONSUMER)

    const server = spawn(process.execPath, ['provider.cjs'], {
      cwd: scratch,
      env: { ...process.env, PAYMENT_SERVER_URL: payment.url, PAYMENT_API_KEY: provider.apiKey },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    try {
      const port = await new Promise<number>((resolve, reject) => {
        server.stdout.once('data', (line) => resolve(JSON.parse(String(line)).port))
        server.once('exit', (code) => reject(new Error(`the provider exited with ${code}`)))
      })
      const { stdout } = await run(process.execPath, ['consumer.mjs'], {
        cwd: scratch,
        env: {
          ...process.env,
          PAYMENT_SERVER_URL: payment.url,
          PAYMENT_API_KEY: consumer.apiKey,
          PROVIDER: 'scratch-provider',
          PROVIDER_URL: `http://127.0.0.1:${port}/work`,
        },
      })
      const answers = JSON.parse(stdout)
      const address = channel.address.toLowerCase()
      expect(answers.slice(0, 3)).toEqual(
        [1, 2, 3].map((n) => ({
          status: 200,
          body: { served: true, channel: address, requests: String(n), value: String(n * 1_000) },
        })),
      )
      expect(answers[3]).toEqual({
        status: 200,
        body: { served: true, channel: address, requests: '4', value: '4000' },
      })
      expect(answers[4].status).toBe(402)
      expect(answers[4].body.error.code).toBe('count_already_accepted')
    } finally {
      server.kill('SIGTERM')
    }
  })

  it("a TypeScript service type-checks against the tarball's declarations (node16 resolution, ESM and CJS)", async () => {
    await writeFile(path.join(scratch, 'typed.mts'), TYPED)
    await writeFile(path.join(scratch, 'typed.cts'), TYPED)
    await writeFile(
      path.join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2022',
          lib: ['es2023', 'dom'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['typed.mts', 'typed.cts'],
      }),
    )
    const tsc = require.resolve('typescript/bin/tsc')
    const checked = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: scratch }).catch(
      (error: { stdout: string; code: number }) => error,
    )
    expect('code' in checked ? checked.stdout : '').toBe('')
  })
})
