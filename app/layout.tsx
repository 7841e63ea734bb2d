import type { Metadata, Viewport } from 'next'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { IndexerBadge } from '@/components/IndexerBadge'
import { NavLinks } from '@/components/NavLinks'
import { SearchBox } from '@/components/SearchBox'
import './globals.css'

export const metadata: Metadata = {
  title: { default: 'Channel inspector', template: '%s · Channel inspector' },
  description: 'Payment channels between microservices: blocks, transactions, channels and costs',
}

export const viewport: Viewport = { width: 'device-width', initialScale: 1 }

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="header">
          <div className="header-inner">
            <Link href="/" className="brand">
              Channel inspector
            </Link>
            <NavLinks />
            <span className="header-spacer" />
            <SearchBox />
            <IndexerBadge />
          </div>
        </header>
        <main className="main">{children}</main>
      </body>
    </html>
  )
}
