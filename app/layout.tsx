import type { Metadata, Viewport } from 'next'
import { headers } from 'next/headers'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { cookieToInitialState } from 'wagmi'
import { IndexerBadge } from '@/components/IndexerBadge'
import { NavLinks } from '@/components/NavLinks'
import { SearchBox } from '@/components/SearchBox'
import { WalletButton } from '@/components/wallet/WalletButton'
import { WalletProvider } from '@/components/wallet/WalletProvider'
import { walletChain } from '@/lib/server/admin'
import { serverContext } from '@/lib/server/context'
import { getConfig } from '@/lib/wallet/config'
import './globals.css'
import './sections.css'
import './tables.css'
import './wallet.css'
import './costs.css'

export const metadata: Metadata = {
  title: { default: 'Channel inspector', template: '%s · Channel inspector' },
  description: 'Payment channels between microservices: blocks, transactions, channels and costs',
}

export const viewport: Viewport = { width: 'device-width', initialScale: 1 }

export default async function RootLayout({ children }: { children: ReactNode }) {
  const cookie = (await headers()).get('cookie')
  const chain = await currentChain()
  // wagmi's SSR guide: the wallet state kept in a cookie renders on the server as in the browser.
  const initialState = chain ? cookieToInitialState(getConfig(chain), cookie) : undefined
  return (
    <html lang="en">
      <body>
        <WalletProvider chain={chain} initialState={initialState}>
          <header className="header">
            <div className="header-inner">
              <Link href="/" prefetch={false} className="brand">
                Channel inspector
              </Link>
              <NavLinks />
              <span className="header-spacer" />
              <SearchBox />
              <IndexerBadge />
              <WalletButton />
            </div>
          </header>
          <main className="main">{children}</main>
        </WalletProvider>
      </body>
    </html>
  )
}

/** The chain for the wallet, or null (no chain, or no server configuration at all). */
async function currentChain() {
  try {
    return await walletChain(serverContext())
  } catch {
    return null
  }
}
