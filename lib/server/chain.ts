import { type Chain, createPublicClient, defineChain, http, type PublicClient } from 'viem'

/** A chain object for any JSON-RPC endpoint, named after its id when it is not a known one. */
export function chainFor({ chainId, rpcUrl }: { chainId: number; rpcUrl: string }): Chain {
  return defineChain({
    id: chainId,
    name: chainId === 31337 ? 'Local (anvil)' : `Chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
}

/**
 * A viem public client with bounded timeouts and retries, and no block-number cache (this
 * product shows the head block live).
 */
export function createChainClient({ rpcUrl, chainId }: { rpcUrl: string; chainId?: number }): PublicClient {
  return createPublicClient({
    chain: chainId === undefined ? undefined : chainFor({ chainId, rpcUrl }),
    transport: http(rpcUrl, { timeout: 10_000, retryCount: 2, retryDelay: 200 }),
    cacheTime: 0,
  })
}
