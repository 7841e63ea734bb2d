import { numberToHex, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { freePort } from '../../../stack/ports'
import { type ChannelTestbed, startChannelTestbed } from '../../../test/kit/testbed'
import { BadRequestError } from '../../errors'
import { MAX_BATCH, PROXY_METHODS, proxyRpc } from './rpcProxy'

/*
 * The browser's JSON-RPC proxy against a real anvil: answers in order with the caller's ids,
 * methods outside the read-only list answered -32601 without reaching the node, malformed
 * bodies refused, and a node that does not answer reported per entry without its URL.
 */

let t: ChannelTestbed

beforeAll(async () => {
  t = await startChannelTestbed()
})
afterAll(async () => t?.stop())

const call = (method: string, params: unknown[] = [], id: number | string | null = 1) => ({
  jsonrpc: '2.0',
  id,
  method,
  params,
})

/** What proxyRpc throws for `body`; the test fails when it answers. */
async function refusal(body: unknown): Promise<BadRequestError> {
  try {
    const answer = await proxyRpc({ rpcUrl: t.url, body })
    throw new Error(`expected a refusal, got ${JSON.stringify(answer)}`)
  } catch (error) {
    if (!(error instanceof BadRequestError)) throw error
    return error
  }
}

describe('proxyRpc', () => {
  it('proxyRpc() answers a single request with the node chain id and the caller id', async () => {
    expect(await proxyRpc({ rpcUrl: t.url, body: call('eth_chainId', [], 7) })).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: '0x7a69',
    })
    expect(
      await proxyRpc({ rpcUrl: t.url, body: { jsonrpc: '2.0', id: 'abc', method: 'net_version' } }),
    ).toEqual({
      jsonrpc: '2.0',
      id: 'abc',
      result: '31337',
    })
  })

  it('proxyRpc() answers a batch of 3 in order with every id preserved', async () => {
    const address = t.accounts[5]!.address
    const balance = await t.publicClient.getBalance({ address })
    const head = await t.publicClient.getBlockNumber()
    const answer = await proxyRpc({
      rpcUrl: t.url,
      body: [
        call('eth_getBalance', [address, 'latest'], 'balance'),
        call('eth_chainId', [], 0),
        call('eth_blockNumber', [], null),
      ],
    })
    expect(answer).toEqual([
      { jsonrpc: '2.0', id: 'balance', result: numberToHex(balance) },
      { jsonrpc: '2.0', id: 0, result: '0x7a69' },
      { jsonrpc: '2.0', id: null, result: numberToHex(head) },
    ])
  })

  it('proxyRpc() keeps ids apart when the caller reuses one in a batch', async () => {
    const address = t.accounts[6]!.address
    const balance = await t.publicClient.getBalance({ address })
    expect(
      await proxyRpc({
        rpcUrl: t.url,
        body: [call('eth_getBalance', [address, 'latest'], 1), call('eth_chainId', [], 1)],
      }),
    ).toEqual([
      { jsonrpc: '2.0', id: 1, result: numberToHex(balance) },
      { jsonrpc: '2.0', id: 1, result: '0x7a69' },
    ])
  })

  it("proxyRpc() passes the node's own error for a bad allowed call through, with the caller id", async () => {
    const answer = (await proxyRpc({
      rpcUrl: t.url,
      body: call('eth_getBalance', ['not an address'], 42),
    })) as {
      jsonrpc: string
      id: unknown
      error: { code: number; message: string }
      result?: unknown
    }
    expect({
      jsonrpc: answer.jsonrpc,
      id: answer.id,
      code: answer.error.code,
      hasResult: 'result' in answer,
    }).toEqual({
      jsonrpc: '2.0',
      id: 42,
      code: -32602,
      hasResult: false,
    })
  })

  it('proxyRpc() answers methods outside the read-only list with -32601, in place within a batch', async () => {
    const answer = await proxyRpc({
      rpcUrl: t.url,
      body: [
        call('eth_sendRawTransaction', ['0x02'], 1),
        call('eth_chainId', [], 2),
        call('debug_traceTransaction', [`0x${'00'.repeat(32)}`], 3),
        call('anvil_setBalance', [t.accounts[7]!.address, '0x1'], 4),
      ],
    })
    expect(answer).toEqual([
      {
        jsonrpc: '2.0',
        id: 1,
        error: { code: -32601, message: 'eth_sendRawTransaction is not available through this dashboard.' },
      },
      { jsonrpc: '2.0', id: 2, result: '0x7a69' },
      {
        jsonrpc: '2.0',
        id: 3,
        error: { code: -32601, message: 'debug_traceTransaction is not available through this dashboard.' },
      },
      {
        jsonrpc: '2.0',
        id: 4,
        error: { code: -32601, message: 'anvil_setBalance is not available through this dashboard.' },
      },
    ])
  })

  it('proxyRpc() never lets anvil_setBalance reach the node: the balance stays the same', async () => {
    const address = t.accounts[8]!.address
    const before = await t.publicClient.getBalance({ address })
    expect(before).toBeGreaterThan(0n)
    const answer = await proxyRpc({ rpcUrl: t.url, body: call('anvil_setBalance', [address, '0x1'], 9) })
    expect(answer).toEqual({
      jsonrpc: '2.0',
      id: 9,
      error: { code: -32601, message: 'anvil_setBalance is not available through this dashboard.' },
    })
    expect(await t.publicClient.getBalance({ address })).toBe(before)
    // The same call sent to the node directly does change it, so the check above means something.
    await t.testClient.setBalance({ address, value: parseEther('1') })
    expect(await t.publicClient.getBalance({ address })).toBe(parseEther('1'))
    await t.testClient.setBalance({ address, value: before })
  })

  it('proxyRpc() lists only read-only eth and net methods', () => {
    for (const method of PROXY_METHODS) expect(method).toMatch(/^(eth|net)_/)
    for (const method of [
      'eth_sendRawTransaction',
      'eth_sendTransaction',
      'eth_sign',
      'eth_getLogs',
      'anvil_mine',
    ]) {
      expect(PROXY_METHODS.has(method), method).toBe(false)
    }
  })

  it('proxyRpc() refuses malformed requests with a BadRequestError invalid_request', async () => {
    const malformed: unknown[] = [
      null,
      'eth_chainId',
      42,
      {},
      { jsonrpc: '2.0', id: 1 },
      { jsonrpc: '2.0', id: 1, method: 5 },
      { jsonrpc: '2.0', method: 'eth_chainId' },
      { jsonrpc: '2.0', id: { x: 1 }, method: 'eth_chainId' },
      { jsonrpc: '2.0', id: 1, method: 'eth_getBalance', params: { address: '0x' } },
      [call('eth_chainId'), null],
    ]
    for (const body of malformed) {
      const error = await refusal(body)
      expect({ body, code: error.code, status: error.status, message: error.message }).toEqual({
        body,
        code: 'invalid_request',
        status: 400,
        message: 'A JSON-RPC request needs a string method, an id and an array of params.',
      })
    }
  })

  it('proxyRpc() refuses an empty batch and one larger than 20', async () => {
    expect(MAX_BATCH).toBe(20)
    for (const body of [[], Array.from({ length: MAX_BATCH + 1 }, (_, i) => call('eth_chainId', [], i))]) {
      const error = await refusal(body)
      expect({ code: error.code, message: error.message }).toEqual({
        code: 'invalid_request',
        message: 'A batch holds 1 to 20 requests.',
      })
    }
  })

  it('proxyRpc() answers a batch of exactly 20', async () => {
    const answer = await proxyRpc({
      rpcUrl: t.url,
      body: Array.from({ length: MAX_BATCH }, (_, i) => call('eth_chainId', [], i)),
    })
    expect(answer).toEqual(
      Array.from({ length: MAX_BATCH }, (_, i) => ({ jsonrpc: '2.0', id: i, result: '0x7a69' })),
    )
  })

  it('proxyRpc() answers -32603 per entry without the node URL when the node does not answer', async () => {
    const port = await freePort()
    const rpcUrl = `http://127.0.0.1:${port}/secret-api-key`
    const logged: string[] = []
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '))
    })
    try {
      const answer = await proxyRpc({
        rpcUrl,
        body: [call('eth_chainId', [], 'a'), call('anvil_mine', [], 'b'), call('eth_blockNumber', [], 'c')],
      })
      expect(answer).toEqual([
        { jsonrpc: '2.0', id: 'a', error: { code: -32603, message: 'The chain node does not answer.' } },
        {
          jsonrpc: '2.0',
          id: 'b',
          error: { code: -32601, message: 'anvil_mine is not available through this dashboard.' },
        },
        { jsonrpc: '2.0', id: 'c', error: { code: -32603, message: 'The chain node does not answer.' } },
      ])
      expect(JSON.stringify(answer)).not.toContain(String(port))
      expect(JSON.stringify(answer)).not.toContain('secret-api-key')
      expect(logged).toHaveLength(1)
      expect(logged[0]).toMatch(/^\[rpc\] warn: proxy to the node failed: /)
      expect(logged[0]).not.toContain('secret-api-key')
      expect(logged[0]).not.toContain(`127.0.0.1:${port}`)
      const single = await proxyRpc({ rpcUrl, body: call('eth_chainId', [], 5) })
      expect(single).toEqual({
        jsonrpc: '2.0',
        id: 5,
        error: { code: -32603, message: 'The chain node does not answer.' },
      })
    } finally {
      spy.mockRestore()
    }
  })
})
