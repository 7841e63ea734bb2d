import { createPublicClient, type Hex, http, type PublicClient } from 'viem'

/**
 * The JSON-RPC calls the indexer makes, on raw node types (hex strings): viem's formatters
 * would turn every field into bigints and objects, which costs more than the decoding itself
 * at tens of thousands of logs per second.
 */

export type RpcLog = {
  address: Hex
  topics: Hex[]
  data: Hex
  blockNumber: Hex
  blockHash: Hex
  transactionHash: Hex
  transactionIndex: Hex
  logIndex: Hex
  removed?: boolean
}

export type RpcTransaction = {
  hash: Hex
  from: Hex
  to: Hex | null
  value: Hex
  nonce: Hex
  gas: Hex
  gasPrice?: Hex
  maxFeePerGas?: Hex
  maxPriorityFeePerGas?: Hex
  input: Hex
  type: Hex
  transactionIndex: Hex
  blockHash: Hex
  blockNumber: Hex
}

export type RpcBlock = {
  number: Hex
  hash: Hex
  parentHash: Hex
  timestamp: Hex
  miner: Hex
  gasUsed: Hex
  gasLimit: Hex
  baseFeePerGas?: Hex | null
  size: Hex
  transactions: RpcTransaction[] | Hex[]
}

export type RpcReceipt = {
  logs?: RpcLog[]
  transactionHash: Hex
  blockHash: Hex
  status: Hex
  gasUsed: Hex
  effectiveGasPrice: Hex
  contractAddress: Hex | null
}

export const hex = (n: bigint | number): Hex => `0x${n.toString(16)}`

/**
 * A node or transport error that a smaller eth_getLogs range avoids: result limits, response
 * size (the node's or the client's own cap), timeouts. Looks through wrapped causes.
 */
export function isRangeError(error: unknown): boolean {
  for (const e of causes(error)) {
    if (e.code === -32005 || e.status === 413) return true
    if (e.name === 'TimeoutError' || e.name === 'ResponseBodyTooLargeError') return true
    const text = `${e.message ?? ''} ${e.details ?? ''}`
    if (
      /block range|range is too|too many (results|logs)|query returned more than|response size|size limit|limit exceeded|response is too big|exceeds? (the )?max/i.test(
        text,
      )
    ) {
      return true
    }
  }
  return false
}

type ErrorLike = {
  code?: number
  status?: number
  name?: string
  message?: string
  details?: string
  data?: unknown
  cause?: unknown
}

/** An error and the errors it wraps (viem nests the node's answer a few levels down). */
function* causes(error: unknown): Generator<ErrorLike> {
  let e = error as ErrorLike | undefined
  for (let depth = 0; e && depth < 8; depth++, e = e.cause as ErrorLike | undefined) yield e
}

export type Rpc = ReturnType<typeof createRpc>

/** Raw calls on `rpcUrl`; block, receipt and trace calls are sent as JSON-RPC batches. */
export function createRpc({ rpcUrl, timeoutMs = 30_000 }: { rpcUrl: string; timeoutMs?: number }) {
  // Retries belong to the indexer loop (with backoff and a recorded error), not to the transport.
  const single: PublicClient = createPublicClient({
    transport: http(rpcUrl, { timeout: timeoutMs, retryCount: 0 }),
    cacheTime: 0,
  })
  const batched: PublicClient = createPublicClient({
    transport: http(rpcUrl, { timeout: timeoutMs, retryCount: 0, batch: { batchSize: 100, wait: 0 } }),
    cacheTime: 0,
  })
  const call = <T>(client: PublicClient, method: string, params: unknown[]): Promise<T> =>
    client.request({ method, params } as never) as Promise<T>

  let traceSupported: boolean | undefined

  return {
    chainId: async (): Promise<number> => Number(await call<Hex>(single, 'eth_chainId', [])),

    /** The head block (header only). */
    latest: (): Promise<RpcBlock> => call<RpcBlock>(single, 'eth_getBlockByNumber', ['latest', false]),

    getCode: (address: Hex, block: bigint | 'latest'): Promise<Hex> =>
      call<Hex>(single, 'eth_getCode', [address, block === 'latest' ? block : hex(block)]),

    getLogs: (p: {
      fromBlock: bigint
      toBlock: bigint
      topics: Hex[][]
      address?: Hex[]
    }): Promise<RpcLog[]> =>
      call<RpcLog[]>(single, 'eth_getLogs', [
        {
          fromBlock: hex(p.fromBlock),
          toBlock: hex(p.toBlock),
          topics: p.topics,
          ...(p.address ? { address: p.address } : {}),
        },
      ]),

    /** Blocks by number (null for a number past the head), batched. */
    getBlocks: (numbers: bigint[], full: boolean): Promise<(RpcBlock | null)[]> =>
      Promise.all(numbers.map((n) => call<RpcBlock | null>(batched, 'eth_getBlockByNumber', [hex(n), full]))),

    getTransactions: (hashes: Hex[]): Promise<(RpcTransaction | null)[]> =>
      Promise.all(hashes.map((h) => call<RpcTransaction | null>(batched, 'eth_getTransactionByHash', [h]))),

    getReceipts: (hashes: Hex[]): Promise<(RpcReceipt | null)[]> =>
      Promise.all(hashes.map((h) => call<RpcReceipt | null>(batched, 'eth_getTransactionReceipt', [h]))),

    /**
     * The revert data of a failed transaction: from the node's call tracer where it has one,
     * else by replaying the call on the parent block's state (close, not exact, when earlier
     * transactions of the same block changed that state). Null when the node gives nothing.
     */
    async revertData(tx: RpcTransaction): Promise<Hex | null> {
      if (traceSupported !== false) {
        try {
          const trace = await call<{ output?: Hex }>(batched, 'debug_traceTransaction', [
            tx.hash,
            { tracer: 'callTracer', tracerConfig: { onlyTopCall: true } },
          ])
          traceSupported = true
          return trace.output && trace.output !== '0x' ? trace.output : null
        } catch (error) {
          if (traceSupported === true) throw error
          traceSupported = false
        }
      }
      try {
        await call(single, 'eth_call', [
          { from: tx.from, to: tx.to, data: tx.input, value: tx.value, gas: tx.gas },
          hex(BigInt(tx.blockNumber) - 1n),
        ])
        return null
      } catch (error) {
        const data = findRevertData(error)
        return data ?? null
      }
    },
  }
}

function findRevertData(error: unknown): Hex | undefined {
  for (const e of causes(error)) {
    if (typeof e.data === 'string' && e.data.startsWith('0x')) return e.data as Hex
    const nested = (e.data as { data?: unknown } | undefined)?.data
    if (typeof nested === 'string') return nested as Hex
  }
  return undefined
}
