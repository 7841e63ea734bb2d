import http from 'node:http'
import type { AddressInfo } from 'node:net'

type RpcRequest = { jsonrpc: '2.0'; id: number | string; method: string; params?: unknown[] }

/** What {@link startPrunedNode} gives: its URL, the methods it refused so far, and `stop()`. */
export type PrunedNode = { url: string; refused: string[]; stop(): Promise<void> }

/**
 * A JSON-RPC proxy in front of `upstream` that answers as a node without archive state does:
 * `eth_getCode` (and `eth_getBalance`, `eth_call`) at any block but the latest fails with
 * "missing trie node"; with `maxLogRange`, `eth_getLogs` over more blocks than that fails as
 * providers cap it. Everything else goes through.
 */
export async function startPrunedNode(
  upstream: string,
  { maxLogRange }: { maxLogRange?: bigint } = {},
): Promise<PrunedNode> {
  const refused: string[] = []
  const refusal = ({ method, params = [] }: RpcRequest): string | null => {
    const stateAt: Record<string, number> = { eth_getCode: 1, eth_getBalance: 1, eth_call: 1 }
    const at = stateAt[method] === undefined ? undefined : params[stateAt[method] as number]
    if (at !== undefined && at !== 'latest')
      return 'missing trie node 0b5c5ad8f8b4fd1ff8ad8c7fdc5b11e6ba1ea10ceb5fbb1d3fcff1bc64e1c0a1 (path ) state is not available'
    if (method === 'eth_getLogs' && maxLogRange !== undefined) {
      const { fromBlock, toBlock } = (params[0] ?? {}) as { fromBlock?: string; toBlock?: string }
      if (fromBlock && toBlock && BigInt(toBlock) - BigInt(fromBlock) + 1n > maxLogRange)
        return `query exceeds max block range ${maxLogRange}`
    }
    return null
  }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const parsed = JSON.parse(body) as RpcRequest | RpcRequest[]
      const refusals = (Array.isArray(parsed) ? parsed : [parsed]).map(refusal)
      if (!Array.isArray(parsed) && refusals[0]) {
        refused.push(parsed.method)
        const error = { code: -32000, message: refusals[0] }
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(JSON.stringify({ jsonrpc: '2.0', id: parsed.id, error }))
      }
      const answer = await fetch(upstream, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      res.writeHead(answer.status, { 'content-type': 'application/json' })
      res.end(await answer.text())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refused,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
