import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { spawnChild } from '../../stack/child'
import { memoryLogger } from '../../test/kit/indexer'
import { childLine, createLogger, type LogFormat } from './log'

const root = path.resolve(import.meta.dirname, '../..')

describe('childLine()', () => {
  it("childLine() logs a route's 500 in the web server at error level, with its cause", async () => {
    // A child process as `npm start` runs the web server: a route handler fails the way a
    // database refusal does (Prisma's class name does not say "error" as a word of its own).
    const log = memoryLogger()
    const child = spawnChild({
      name: 'web',
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { runCall } from './lib/server/http/route.ts'
        class PrismaClientUnknownRequestError extends Error { name = 'PrismaClientUnknownRequestError' }
        const answer = await runCall('api', 'getServiceCosts', async () => {
          throw new PrismaClientUnknownRequestError('invalid byte sequence for encoding "UTF8": 0x00')
        })
        console.log('answered ' + answer.status)`,
      ],
      cwd: root,
      onLine: childLine(log.child('web')),
    })
    expect(await child.exited).toBe(0)
    expect(log.lines).toEqual([
      '[web] error: [api] error: getServiceCosts failed: PrismaClientUnknownRequestError: invalid byte sequence for encoding "UTF8": 0x00',
      '[web] debug: answered 500',
    ])
  })

  it("childLine() takes the level a line states over the words in it, and Next.js's own markers", () => {
    const log = memoryLogger()
    const route = childLine(log.child('web'))
    for (const line of [
      '[payment] warn: the chain node answered an error; retrying',
      '[payment] error: redemption failed',
      ' ⨯ TypeError: fetch failed',
      ' ⚠ Invalid next.config.js options detected',
      'a FATAL failure',
      'some warning',
      ' ✓ Ready in 300ms',
    ])
      route(line)
    expect(log.lines).toEqual([
      '[web] warn: [payment] warn: the chain node answered an error; retrying',
      '[web] error: [payment] error: redemption failed',
      '[web] error:  ⨯ TypeError: fetch failed',
      '[web] warn:  ⚠ Invalid next.config.js options detected',
      '[web] error: a FATAL failure',
      '[web] warn: some warning',
      '[web] debug:  ✓ Ready in 300ms',
    ])
  })
})

/** What `run` wrote to stdout and stderr, by stream. */
function written(run: () => void): { out: string[]; err: string[] } {
  const out: string[] = []
  const err: string[] = []
  vi.spyOn(process.stdout, 'write').mockImplementation(
    (chunk: string | Uint8Array) => out.push(String(chunk)) > 0,
  )
  vi.spyOn(process.stderr, 'write').mockImplementation(
    (chunk: string | Uint8Array) => err.push(String(chunk)) > 0,
  )
  try {
    run()
  } finally {
    vi.restoreAllMocks()
  }
  return { out, err }
}

const KEYED = 'https://eth-mainnet.g.alchemy.com/v2/SECRETKEY123'

describe('createLogger()', () => {
  afterEach(() => vi.restoreAllMocks())

  it('createLogger() writes JSON lines: time, level as a word, pid, hostname, name, fields and msg, URLs redacted', () => {
    const { out, err } = written(() => {
      const log = createLogger({ level: 'info', component: 'indexer', format: 'json' })
      log.debug('not at info level')
      log.info(`polling ${KEYED}`, { block: 12, rpc: KEYED, nested: { url: `${KEYED}?x=1` } })
      log.child('api').error('getBlock failed', { requestId: 'r-1' })
      log.warn('next build failed (\u001b[31m\u001b[1m⨯\u001b[22m\u001b[39m Another build is running)')
    })
    expect(err).toEqual([])
    const [first, second, third] = out.map((l) => JSON.parse(l))
    expect(third.msg).toBe('next build failed (⨯ Another build is running)')
    expect(out.every((l) => l.endsWith('}\n'))).toBe(true)
    expect(first).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      pid: process.pid,
      hostname: expect.any(String),
      name: 'indexer',
      block: 12,
      rpc: 'https://eth-mainnet.g.alchemy.com/v2/***',
      nested: { url: 'https://eth-mainnet.g.alchemy.com/v2/***?x=***' },
      msg: 'polling https://eth-mainnet.g.alchemy.com/v2/***',
    })
    expect(second).toMatchObject({ level: 'error', name: 'api', requestId: 'r-1', msg: 'getBlock failed' })
    expect(out.join('')).not.toContain('SECRETKEY123')
  })

  it('createLogger() in pretty format writes `[component] level: message {fields}`, warnings and errors to stderr, URLs redacted', () => {
    const { out, err } = written(() => {
      const log = createLogger({ level: 'debug', component: 'stack', format: 'pretty' })
      log.info(`chain ${KEYED}`)
      log.debug('details', { rpc: KEYED })
      log.child('api').error('getBlock failed', { requestId: 'r-1', status: 500 })
    })
    expect(out).toEqual([
      '[stack] chain https://eth-mainnet.g.alchemy.com/v2/***\n',
      '[stack] debug: details {"rpc":"https://eth-mainnet.g.alchemy.com/v2/***"}\n',
    ])
    expect(err).toEqual(['[api] error: getBlock failed {"requestId":"r-1","status":500}\n'])
  })

  it("childLine() passes a child's JSON line through as it is in JSON format, as text in pretty, redacted in both", () => {
    const line = JSON.stringify({
      level: 'warn',
      time: '2026-12-07T10:00:00.000Z',
      pid: 42,
      hostname: 'h',
      name: 'indexer',
      head: 7,
      msg: `the node answered an error: ${KEYED}`,
    })
    const through = (format: LogFormat) =>
      written(() => {
        const route = childLine(createLogger({ level: 'info', format }).child('indexer'))
        route(line)
        route('{"level":"info","name":"indexer","head":123456789012345678901,"msg":"as written"}')
        route('{"level":"debug","name":"indexer","msg":"below the level"}')
        route('{"not":"a log line"}')
      })
    const json = through('json')
    // Its own time, pid, hostname and name kept; a line without a URL byte for byte; the last
    // two lines are below the level (debug).
    expect(json.out).toEqual([
      `${JSON.stringify({ ...JSON.parse(line), msg: 'the node answered an error: https://eth-mainnet.g.alchemy.com/v2/***' })}\n`,
      '{"level":"info","name":"indexer","head":123456789012345678901,"msg":"as written"}\n',
    ])
    const pretty = through('pretty')
    expect(pretty.err).toEqual([
      '[indexer] warn: the node answered an error: https://eth-mainnet.g.alchemy.com/v2/*** {"head":7}\n',
    ])
    expect(pretty.out).toEqual(['[indexer] as written {"head":123456789012345680000}\n'])
  })
})
