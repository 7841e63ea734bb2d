import { cookieStorage, createConfig, createStorage, http } from 'wagmi'
import { injected } from 'wagmi/connectors'
import { RPC_PROXY_PATH, toViemChain, type WalletChain } from './chain'

/**
 * wagmi's config for the dashboard, as its Next.js app-router SSR guide sets it up: `ssr` with
 * cookie storage (the layout turns the cookie into the initial state, so a connected wallet
 * renders connected on the server too), the injected connector, and EIP-6963 discovery of every
 * installed wallet (MetaMask, Rabby and the like; on by default). One chain: the dashboard's.
 * @example const config = getConfig(chain) // once per browser, in WalletProvider
 */
export function getConfig(chain: WalletChain) {
  const viemChain = toViemChain(chain)
  return createConfig({
    chains: [viemChain],
    connectors: [injected()],
    ssr: true,
    storage: createStorage({ storage: cookieStorage, key: 'channel-inspector.wagmi' }),
    transports: { [viemChain.id]: http(RPC_PROXY_PATH, { batch: { wait: 16 } }) },
    pollingInterval: 1_000,
  })
}
