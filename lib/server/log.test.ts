import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { spawnChild } from '../../stack/child'
import { memoryLogger } from '../../test/kit/indexer'
import { childLine } from './log'

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
