import type { Address } from 'viem'
import * as chains from 'viem/chains'
import type { WalletChain } from '../../wallet/chain'
import type { ServerContext } from '../context'
import { FACTORY_V2_CONTRACT, findDeployment } from '../deployments'
import { indexedChain } from '../indexedChain'

const TTL_MS = 10_000
let cached: { at: number; value: WalletChain | null } | null = null

function chainName(id: number): string {
  if (id === 31337) return 'Anvil (local)'
  const known = Object.values(chains).find(
    (c) => typeof c === 'object' && c !== null && 'id' in c && c.id === id,
  )
  return known ? known.name : `Chain ${id}`
}

/**
 * The chain and factory the browser's wallet should use (cached 10 s), or null when neither the
 * node nor the index can say which chain this is.
 */
export async function walletChain(ctx: ServerContext): Promise<WalletChain | null> {
  if (cached && Date.now() - cached.at < TTL_MS) return cached.value
  let value: WalletChain | null = null
  try {
    const view = await indexedChain(ctx)
    // Recorded by the stack beside v1's (the indexer follows the same row).
    const v2 = await findDeployment({ db: ctx.db, chainId: view.chainId, contract: FACTORY_V2_CONTRACT })
    value = {
      id: view.chainId,
      name: chainName(view.chainId),
      factory: (view.factory as Address | null) ?? null,
      factoryV2: v2 ? (v2.address.toLowerCase() as Address) : null,
    }
  } catch {
    value = null
  }
  cached = { at: Date.now(), value }
  return value
}
