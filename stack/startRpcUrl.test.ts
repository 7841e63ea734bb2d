import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import path from 'node:path'
import { buffer } from 'node:stream/consumers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANVIL_KEYS, type Anvil, startAnvil } from './anvil'
import { freePort } from './ports'
import { killProcessesUsing, runUntilSummary } from './testing'

/*
 * npm start on a node whose URL carries an API key in its path, as Alchemy's and Infura's do:
 * the summary, every line it and its children print, and the health answers show it redacted.
 */

const KEY = 'SECRETKEY123'
const root = path.resolve(import.meta.dirname, '..')
const dataDir = path.join(root, '.data', `test-stack-rpc-${randomBytes(4).toString('hex')}`)
let anvil: Anvil
let proxy: Server

beforeAll(async () => {
  anvil = await startAnvil({ port: await freePort() })
  // The node answers only under /v2/<key>, as a provider does.
  proxy = createServer((req, res) => {
    if (req.url !== `/v2/${KEY}`) return void res.writeHead(404).end()
    void buffer(req)
      .then((body) =>
        fetch(anvil.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
      )
      .then(async (answer) => {
        res
          .writeHead(answer.status, { 'content-type': 'application/json' })
          .end(Buffer.from(await answer.arrayBuffer()))
      })
      .catch(() => res.writeHead(502).end())
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
})

afterAll(async () => {
  killProcessesUsing(dataDir)
  proxy?.close()
  await anvil?.stop()
  await rm(dataDir, { recursive: true, force: true })
})

describe('npm start with an API key in RPC_URL', () => {
  it('npm start prints the summary, its logs and health with the key hidden', async () => {
    const proxyPort = (proxy.address() as { port: number }).port
    const [web, pg] = await Promise.all([freePort(), freePort()])
    const run = await runUntilSummary({
      env: {
        RPC_URL: `http://127.0.0.1:${proxyPort}/v2/${KEY}`,
        DEPLOYER_PRIVATE_KEY: ANVIL_KEYS[0],
        PORT: String(web),
        EMBEDDED_PG_PORT: String(pg),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'debug',
      },
      port: web,
      signal: 'SIGTERM',
    })
    expect(run.output).toContain(`Chain         http://127.0.0.1:${proxyPort}/v2/***  (chain id 31337)`)
    expect(run.health).toMatchObject({ status: 'ok', chain: { ok: true, chainId: 31337 } })
    expect(run.ready).toMatchObject({ ready: true })
    expect(run.output).not.toContain(KEY)
    expect(JSON.stringify([run.health, run.ready])).not.toContain(KEY)
    expect(run.code).toBe(0)
  })
})
