import { rm } from 'node:fs/promises'
import path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from './ports'
import { type EmbeddedDatabase, socketDirFor, startEmbeddedPostgres } from './postgres'

const dir = path.resolve(import.meta.dirname, `../.data/test-embedded-${process.pid}`)
let server: EmbeddedDatabase | undefined

afterAll(async () => {
  await server?.stop()
  await rm(dir, { recursive: true, force: true })
})

/** The server address a connection is on: null over a Unix socket, the IP over TCP. */
async function serverAddress(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ addr: string | null }>('SELECT inet_server_addr()::text AS addr')
    return rows[0]?.addr ?? null
  } finally {
    await client.end()
  }
}

describe('the embedded Postgres', () => {
  it('is reached over its Unix socket by the URL it hands out, and still over TCP on 127.0.0.1, across a restart', async () => {
    const port = await freePort()
    server = await startEmbeddedPostgres({ dir, port, database: 'app' })
    const socketDir = path.join(dir, 'socket')
    expect(server.url).toContain(`?host=${encodeURIComponent(socketDir)}`)
    expect(server.safeUrl).not.toContain(new URL(server.url).password)
    expect(await serverAddress(server.url)).toBeNull()
    const tcp = server.url.replace(/\?.*$/, '')
    expect(await serverAddress(tcp)).toBe('127.0.0.1/32')

    // A password is still required on the socket.
    const anonymous = new URL(server.url)
    anonymous.password = 'wrong'
    await expect(serverAddress(anonymous.toString())).rejects.toThrow(/password authentication failed/)

    await server.stop()
    server = await startEmbeddedPostgres({ dir, port, database: 'app' })
    expect(await serverAddress(server.url)).toBeNull()
  })

  it('falls back to TCP where the socket path would be too long for a socket address', () => {
    expect(socketDirFor('/srv/app/.data/postgres', 5432)).toBe('/srv/app/.data/postgres/socket')
    expect(socketDirFor(`/srv/${'x'.repeat(80)}/postgres`, 5432)).toBeUndefined()
  })
})
