import {
  BlockNotFoundError,
  type Chain,
  createPublicClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
} from 'viem'

/** A chain object for any JSON-RPC endpoint, named after its id when it is not a known one. */
export function chainFor({ chainId, rpcUrl }: { chainId: number; rpcUrl: string }): Chain {
  return defineChain({
    id: chainId,
    name: chainId === 31337 ? 'Local (anvil)' : `Chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
}

/** How long one call may take by default (RPC_TIMEOUT_MS). */
export const RPC_TIMEOUT_MS = 10_000

/**
 * A viem public client with bounded timeouts (`timeoutMs` per call, RPC_TIMEOUT_MS) and
 * retries, and no block-number cache (this product shows the head block live).
 */
export function createChainClient({
  rpcUrl,
  chainId,
  timeoutMs = RPC_TIMEOUT_MS,
}: {
  rpcUrl: string
  chainId?: number
  timeoutMs?: number
}): PublicClient {
  return createPublicClient({
    chain: chainId === undefined ? undefined : chainFor({ chainId, rpcUrl }),
    transport: http(rpcUrl, { timeout: timeoutMs, retryCount: 2, retryDelay: 200 }),
    cacheTime: 0,
  })
}

/** The receipt of `hash`, or null while the node has none (not mined, or unknown). */
export function receiptOrNull(client: PublicClient, hash: Hex): Promise<TransactionReceipt | null> {
  return client.getTransactionReceipt({ hash }).catch((error: unknown) => {
    if (error instanceof TransactionReceiptNotFoundError) return null
    throw error
  })
}

/** The hash (lowercase) of the node's block at `number`, or null when its chain is shorter; throws when the node does not answer. */
export async function blockHashAt(client: PublicClient, number: bigint): Promise<Hex | null> {
  try {
    return (await client.getBlock({ blockNumber: number })).hash.toLowerCase() as Hex
  } catch (error) {
    if (error instanceof BlockNotFoundError) return null
    throw error
  }
}
