'use client'

import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { useState } from 'react'

const LINKS = [
  { href: '/', label: 'Overview' },
  { href: '/blocks', label: 'Blocks' },
  { href: '/channels', label: 'Channels' },
  { href: '/costs', label: 'Costs' },
  { href: '/services', label: 'Services' },
  // A page the API serves (Redoc, app/api/docs), not one of the app's: a plain link loads it.
  { href: '/api/docs', label: 'API' },
] as const

/**
 * The header's page links, the current section marked. Each prefetches its page once the user
 * points at it, focuses it or touches it (Next.js's hover-triggered prefetch: `prefetch={null}`
 * from then on), not when it is drawn: six links prefetched on every page load kept pages from
 * going quiet, and the page is still ready by the time of the click.
 */
export function NavLinks() {
  const path = usePathname()
  const [intended, setIntended] = useState<ReadonlySet<string>>(new Set())
  const intend = (href: string) => () =>
    setIntended((seen) => (seen.has(href) ? seen : new Set(seen).add(href)))
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
            prefetch={intended.has(href) ? null : false}
            onMouseEnter={intend(href)}
            onFocus={intend(href)}
            onTouchStart={intend(href)}
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
