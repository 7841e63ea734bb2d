import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startTestChain } from '../test/kit/chain'
import { freePort } from './ports'
import { killProcessesUsing, startUntilExit } from './testing'

/*
 * A start that cannot go on says why in one sentence, with what to do, and exits non-zero:
 * before it starts Postgres, anvil or a Next build, and never with a stack trace or a secret.
 */

const root = path.resolve(import.meta.dirname, '..')
const base = path.join(root, '.data', `test-start-errors-${randomBytes(4).toString('hex')}`)
let cases = 0
const servers: Server[] = []

afterAll(async () => {
  for (const server of servers) server.close()
  killProcessesUsing(base)
  await rm(base, { recursive: true, force: true })
})

/** The embedded defaults on free ports, in a data folder of its own. */
async function settings(): Promise<Record<string, string>> {
  const [web, pg, anvil] = await Promise.all([freePort(), freePort(), freePort()])
  cases += 1
  return {
    PORT: String(web),
    EMBEDDED_PG_PORT: String(pg),
    ANVIL_PORT: String(anvil),
    DATA_DIR: path.join(base, `case-${cases}`),
  }
}

/** An HTTP server on 127.0.0.1 that answers every request 200 with `body` as JSON. */
async function serverAnswering(body: string): Promise<number> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(body)
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as { port: number }).port
}

/** The start exited non-zero with this error line, and printed no stack trace and no "running". */
function expectRefusal({ code, output }: { code: number | null; output: string }, sentence: RegExp) {
  expect(code, output).not.toBe(0)
  expect(code, output).not.toBeNull()
  const errors = output.split('\n').filter((line) => line.startsWith('[stack] error: '))
  expect(errors, output).toHaveLength(1)
  expect(errors[0]).toMatch(sentence)
  expect(output).not.toMatch(/^\s+at /m)
  expect(output).not.toMatch(/is running/)
}

describe('npm start with a setting it cannot start with', () => {
  it('npm start says DATA_DIR cannot be created when a file is in its way', async () => {
    const env = await settings()
    mkdirSync(base, { recursive: true })
    const file = path.join(base, 'a-file')
    writeFileSync(file, 'not a folder')
    const run = await startUntilExit({ ...env, DATA_DIR: path.join(file, 'data') })
    expectRefusal(
      run,
      /^\[stack\] error: DATA_DIR .*a-file\/data cannot be created \(ENOTDIR: a part of its path is a file\); set DATA_DIR to a folder this user can write to\.$/,
    )
  })

  it('npm start says PORT is taken by another server (one that even answers /api/health)', async () => {
    const port = await serverAnswering('{"status":"ok"}')
    const run = await startUntilExit({ ...(await settings()), PORT: String(port) })
    expectRefusal(
      run,
      new RegExp(
        `^\\[stack\\] error: PORT ${port} on 127\\.0\\.0\\.1 is taken by another server, so the web app cannot start; stop that server or set PORT to a free port\\.$`,
      ),
    )
  })

  it('npm start says ANVIL_PORT is taken by another server', async () => {
    const port = await serverAnswering('{}')
    const run = await startUntilExit({ ...(await settings()), ANVIL_PORT: String(port) })
    expectRefusal(
      run,
      new RegExp(
        `^\\[stack\\] error: ANVIL_PORT ${port} is taken by another server, so the local anvil cannot start; stop that server, set ANVIL_PORT to a free port, or set RPC_URL to use another node\\.$`,
      ),
    )
  })

  it('npm start says an RPC_URL that answers JSON is not a node, without printing its key', async () => {
    const port = await serverAnswering('{}')
    const run = await startUntilExit({
      ...(await settings()),
      RPC_URL: `http://127.0.0.1:${port}/v2/SECRETKEY123`,
    })
    expectRefusal(
      run,
      new RegExp(
        `^\\[stack\\] error: RPC_URL http://127\\.0\\.0\\.1:${port}/v2/\\*\\*\\* answered eth_chainId without a chain id \\(\\{\\}\\), so it is not an Ethereum JSON-RPC node; point RPC_URL at the node's JSON-RPC endpoint\\.$`,
      ),
    )
    expect(run.output).not.toContain('SECRETKEY123')
  })

  it('npm start says RPC_URL does not answer, without printing a key in its query, path or userinfo', async () => {
    const port = await freePort() // nothing listens there
    const urls = [
      [`http://127.0.0.1:${port}/?apikey=SECRETKEY123`, `http://127.0.0.1:${port}/?apikey=***`],
      [`http://127.0.0.1:${port}/v2/SECRETKEY123`, `http://127.0.0.1:${port}/v2/***`],
      [`http://user:SECRETKEY123@127.0.0.1:${port}`, `http://***@127.0.0.1:${port}`],
    ]
    for (const [url, shown] of urls) {
      const run = await startUntilExit({ ...(await settings()), RPC_URL: url as string })
      expectRefusal(
        run,
        /^\[stack\] error: RPC_URL \S+ does not answer \(.+\); start the node or fix RPC_URL\.$/,
      )
      expect(run.output).toContain(`RPC_URL ${shown} does not answer`)
      expect(run.output).not.toContain('SECRETKEY123')
    }
  })

  it('npm start says the database of DATABASE_URL does not answer, without printing its password', async () => {
    const port = await freePort() // no Postgres there
    const run = await startUntilExit({
      ...(await settings()),
      DATABASE_URL: `postgresql://app:SECRETPW@127.0.0.1:${port}/app`,
    })
    expectRefusal(
      run,
      new RegExp(
        `^\\[stack\\] error: The database of DATABASE_URL \\(postgresql://\\*\\*\\*@127\\.0\\.0\\.1:${port}/app\\) does not answer \\(.+\\); start it or fix DATABASE_URL\\.$`,
      ),
    )
    expect(run.output).not.toContain('SECRETPW')
  })

  it('npm start says EXAMPLE=on with RPC_URL needs EXAMPLE_FUNDER_KEY, before anything starts', async () => {
    const chain = await startTestChain()
    try {
      const run = await startUntilExit({ ...(await settings()), RPC_URL: chain.url, EXAMPLE: 'on' })
      expectRefusal(
        run,
        /^\[stack\] error: EXAMPLE=on with RPC_URL needs EXAMPLE_FUNDER_KEY, the private key of an account that gives the example services their ether \(.+\); set it, or set EXAMPLE=off\.$/,
      )
    } finally {
      await chain.stop()
    }
  })
})
