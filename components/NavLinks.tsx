'use client'

import Link from 'next/link'
import { usePathname } from 'next/navigation'

const LINKS = [
  { href: '/', label: 'Overview' },
  { href: '/blocks', label: 'Blocks' },
  { href: '/channels', label: 'Channels' },
  { href: '/costs', label: 'Costs' },
  { href: '/services', label: 'Services' },
  // A page the API serves (Redoc, app/api/docs), not one of the app's: a plain link loads it.
  { href: '/api/docs', label: 'API' },
] as const

/** The header's page links, the current section marked. */
export function NavLinks() {
  const path = usePathname()
  return (
    <nav className="nav" aria-label="Sections">
      {LINKS.map(({ href, label }) => {
        const current = href === '/' ? path === '/' : path.startsWith(href)
        if (href.startsWith('/api/'))
          return (
            <a key={href} href={href} data-testid={`nav-${label.toLowerCase()}`}>
              {label}
            </a>
          )
        return (
          <Link
            key={href}
            href={href}
            aria-current={current ? 'page' : undefined}
            data-testid={`nav-${label.toLowerCase()}`}
          >
            {label}
          </Link>
        )
      })}
    </nav>
  )
}
