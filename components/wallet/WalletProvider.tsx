'use client'

import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { createContext, type ReactNode, useContext, useState } from 'react'
import { type State, WagmiProvider } from 'wagmi'
import type { WalletChain } from '@/lib/wallet/chain'
import { getConfig } from '@/lib/wallet/config'

const ChainContext = createContext<WalletChain | null>(null)

/** The dashboard's chain (id, name, factory), or null when the server could not tell. */
export function useWalletChain(): WalletChain | null {
  return useContext(ChainContext)
}

/**
 * wagmi and React Query for the whole app, config and client created once per browser. Without a
 * known chain there is no wallet: the wallet components say so instead of using wagmi.
 */
export function WalletProvider({
  chain,
  initialState,
  children,
}: {
  chain: WalletChain | null
  initialState: State | undefined
  children: ReactNode
}) {
  const [config] = useState(() => (chain ? getConfig(chain) : null))
  const [queryClient] = useState(() => new QueryClient())
  if (!config) return <ChainContext.Provider value={null}>{children}</ChainContext.Provider>
  return (
    <ChainContext.Provider value={chain}>
      <WagmiProvider config={config} initialState={initialState}>
        <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
      </WagmiProvider>
    </ChainContext.Provider>
  )
}
