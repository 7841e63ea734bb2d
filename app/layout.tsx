import type { Metadata } from 'next'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { IndexerBadge } from '@/components/IndexerBadge'
import './globals.css'

export const metadata: Metadata = {
  title: 'Channel inspector',
  description: 'Payment channels between microservices: blocks, transactions, channels and costs',
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="header">
          <div className="header-inner">
            <Link href="/" className="brand">
              Channel inspector
            </Link>
            <span className="header-spacer" />
            <IndexerBadge />
          </div>
        </header>
        <main className="main">{children}</main>
      </body>
    </html>
  )
}
