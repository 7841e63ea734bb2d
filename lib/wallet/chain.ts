import { type Address, type Chain, defineChain } from 'viem'

/** The chain the dashboard runs on, as the server tells the browser (never the node's URL). */
export type WalletChain = {
  id: number
  name: string
  /** The channel factory on this chain, when one is deployed and known. */
  factory: Address | null
  /**
   * The version 2 factory (IntermediaryFactoryV2: price tables), when one is recorded; the open
   * form offers a price table only then.
   */
  factoryV2: Address | null
}

/** Path of the dashboard's read-only JSON-RPC proxy (lib/server/admin/rpcProxy.ts). */
export const RPC_PROXY_PATH = '/api/rpc'

/**
 * The viem chain for wagmi: reads go through the dashboard's proxy, so the node's address (which
 * may carry an API key) stays on the server. The wallet sends transactions over its own node.
 */
export function toViemChain(chain: WalletChain, origin = ''): Chain {
  return defineChain({
    id: chain.id,
    name: chain.name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [`${origin}${RPC_PROXY_PATH}`] } },
  })
}
