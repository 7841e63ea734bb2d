import { BadRequestError } from '../../errors'
import { errorText } from '../../errorText'
import { INVALID_TEXT, textProblem } from '../http/schemas'

/**
 * Read-only JSON-RPC methods the browser may call through the dashboard (wagmi's reads:
 * simulations, gas estimates, receipts, balances, blocks). Transactions are signed and sent by
 * the user's wallet over its own connection, never through here; node administration, tracing
 * and unbounded log queries are not exposed.
 */
export const PROXY_METHODS = new Set([
  'eth_blockNumber',
  'eth_call',
  'eth_chainId',
  'eth_estimateGas',
  'eth_feeHistory',
  'eth_gasPrice',
  'eth_getBalance',
  'eth_getBlockByHash',
  'eth_getBlockByNumber',
  'eth_getCode',
  'eth_getTransactionByHash',
  'eth_getTransactionCount',
  'eth_getTransactionReceipt',
  'eth_maxPriorityFeePerGas',
  'net_version',
])

/** Most calls one proxied batch may hold. */
export const MAX_BATCH = 20

type RpcRequest = { jsonrpc: '2.0'; id: number | string | null; method: string; params?: unknown }
type RpcResponse = { jsonrpc: '2.0'; id: number | string | null; result?: unknown; error?: unknown }

function checkRequest(value: unknown): RpcRequest {
  const r = value as Partial<RpcRequest> | null
  if (
    !r ||
    typeof r !== 'object' ||
    typeof r.method !== 'string' ||
    !(typeof r.id === 'number' || typeof r.id === 'string' || r.id === null) ||
    (r.params !== undefined && !Array.isArray(r.params))
  ) {
    throw new BadRequestError({
      code: 'invalid_request',
      message: 'A JSON-RPC request needs a string method, an id and an array of params.',
    })
  }
  // The method and a string id come back in the answer (and the method in its error message).
  for (const [name, value] of [
    ['method', r.method],
    ['id', r.id],
  ] as const) {
    const problem = typeof value === 'string' ? textProblem(value) : null
    if (problem !== null) {
      throw new BadRequestError({ code: INVALID_TEXT, message: `The JSON-RPC ${name} ${problem}.` })
    }
  }
  return { jsonrpc: '2.0', id: r.id, method: r.method, params: r.params ?? [] }
}

/**
 * Forwards the browser's JSON-RPC request or batch to the node that `rpcUrl` names, so the
 * node's address (which may carry an API key) never reaches the client bundle. Methods outside
 * {@link PROXY_METHODS} get a JSON-RPC error (-32601) without reaching the node. A request that
 * is not one (400 `invalid_request`), or whose method or id is not text (400 `invalid_text`),
 * refuses the whole call. The params go to the node as they are: it checks them.
 */
export async function proxyRpc({ rpcUrl, body }: { rpcUrl: string; body: unknown }): Promise<unknown> {
  const batch = Array.isArray(body)
  const entries: unknown[] = batch ? body : [body]
  if (entries.length === 0 || entries.length > MAX_BATCH) {
    throw new BadRequestError({
      code: 'invalid_request',
      message: `A batch holds 1 to ${MAX_BATCH} requests.`,
    })
  }
  const requests = entries.map(checkRequest)
  const allowed = requests.filter((r) => PROXY_METHODS.has(r.method))
  const answers = new Map<RpcRequest, RpcResponse>()
  for (const r of requests) {
    if (!PROXY_METHODS.has(r.method)) {
      answers.set(r, {
        jsonrpc: '2.0',
        id: r.id,
        error: { code: -32601, message: `${r.method.slice(0, 60)} is not available through this dashboard.` },
      })
    }
  }
  if (allowed.length > 0) {
    // Forward with ids of our own, so the node's answers map back however it orders them.
    const forwarded = allowed.map((r, i) => ({ jsonrpc: '2.0', id: i, method: r.method, params: r.params }))
    let replies: RpcResponse[]
    try {
      const response = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(forwarded),
        signal: AbortSignal.timeout(15_000),
      })
      const parsed = (await response.json()) as unknown
      replies = Array.isArray(parsed) ? (parsed as RpcResponse[]) : []
      if (!Array.isArray(parsed)) throw new Error(`node answered HTTP ${response.status} without a batch`)
    } catch (error) {
      console.error(`[rpc] warn: proxy to the node failed: ${errorText(error, { withName: true })}`)
      replies = []
    }
    allowed.forEach((r, i) => {
      const reply = replies.find((x) => x.id === i)
      answers.set(
        r,
        reply
          ? { jsonrpc: '2.0', id: r.id, ...(reply.error ? { error: reply.error } : { result: reply.result }) }
          : { jsonrpc: '2.0', id: r.id, error: { code: -32603, message: 'The chain node does not answer.' } },
      )
    })
  }
  const out = requests.map((r) => answers.get(r) as RpcResponse)
  return batch ? out : out[0]
}
