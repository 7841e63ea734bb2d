import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb } from '../lib/server/db/client'
import { freePort } from '../stack/ports'
import { memoryLogger, testIndexer } from '../test/kit/indexer'
import { type ChannelTestbed, startChannelTestbed } from '../test/kit/testbed'

let t: ChannelTestbed
beforeAll(async () => {
  t = await startChannelTestbed()
})
afterAll(async () => {
  await t.stop()
})

describe('indexer when the database does not answer', () => {
  it("run() logs why it retries (the cause under Prisma's header), without the password", async () => {
    const db = createDb({ databaseUrl: `postgresql://app:SECRETPW@127.0.0.1:${await freePort()}/app` })
    const log = memoryLogger()
    const stop = new AbortController()
    const running = testIndexer({ chain: t, db, log }).run(stop.signal)
    try {
      while (!log.lines.some((l) => l.includes('warn:'))) await new Promise((r) => setTimeout(r, 50))
    } finally {
      stop.abort()
      await running
      await db.$disconnect()
    }
    const warning = log.lines.find((l) => l.includes('warn:'))
    expect(warning).toMatch(
      /^\[indexer\] warn: Can't reach database server at 127\.0\.0\.1:\d+ \(retrying in 0\.5 s\)$/,
    )
    expect(log.lines.join('\n')).not.toContain('SECRETPW')
  })
})
