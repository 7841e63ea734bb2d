import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createChainClient } from './chain'
import { parseEnv } from './env'

/** A TCP server that accepts connections and never answers: a node that hangs. */
let silent: net.Server
const held: net.Socket[] = []
beforeAll(async () => {
  silent = net.createServer((socket) => held.push(socket))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
})
afterAll(async () => {
  for (const s of held) s.destroy()
  await new Promise((resolve) => silent.close(resolve))
})

describe('pool sizes and timeouts', () => {
  it("parseEnv() gives the pools and timeouts today's sizes by default, and takes others", () => {
    expect(parseEnv({})).toMatchObject({
      DATABASE_POOL_SIZE: 10,
      PAYMENT_DB_POOL_SIZE: 4,
      INDEXER_DB_POOL_SIZE: 3,
      RPC_TIMEOUT_MS: 10_000,
      INDEXER_RPC_TIMEOUT_MS: 30_000,
    })
    expect(
      parseEnv({
        DATABASE_POOL_SIZE: '40',
        PAYMENT_DB_POOL_SIZE: '16',
        INDEXER_DB_POOL_SIZE: '5',
        RPC_TIMEOUT_MS: '2500',
        INDEXER_RPC_TIMEOUT_MS: '60000',
      }),
    ).toMatchObject({
      DATABASE_POOL_SIZE: 40,
      PAYMENT_DB_POOL_SIZE: 16,
      INDEXER_DB_POOL_SIZE: 5,
      RPC_TIMEOUT_MS: 2_500,
      INDEXER_RPC_TIMEOUT_MS: 60_000,
    })
    expect(() => parseEnv({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/)
  })

  it('createChainClient() gives up on a node that does not answer after its timeoutMs', async () => {
    const { port } = silent.address() as net.AddressInfo
    const client = createChainClient({ rpcUrl: `http://127.0.0.1:${port}`, timeoutMs: 100 })
    await expect(client.getChainId()).rejects.toMatchObject({ name: 'TimeoutError' })
  })
})
