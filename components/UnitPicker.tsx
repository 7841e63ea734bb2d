'use client'

import Link from 'next/link'
import type { DisplayUnit } from '@/lib/units'
import { UNIT_COOKIE } from '@/lib/units'
import { useViewUnit } from './UnitProvider'

const YEAR = 365 * 86_400

/**
 * Remembers a pick for the views without `?unit=` (a cookie the server reads, so they render
 * in it at once); `null` forgets it, back to each view's own best unit.
 */
function remember(unit: DisplayUnit | null) {
  // Synchronous on purpose: the link navigates right after the click, and the Cookie Store
  // API's asynchronous write could land after the next page's request left without it.
  // biome-ignore lint/suspicious/noDocumentCookie: see above
  document.cookie =
    unit === null
      ? `${UNIT_COOKIE}=; path=/; max-age=0; samesite=lax`
      : `${UNIT_COOKIE}=${encodeURIComponent(unit)}; path=/; max-age=${YEAR}; samesite=lax`
}

/**
 * The view's unit picker: links that put `?unit=` in the URL (shareable) and remember the pick.
 * `links` are built on the server from the page's query (app/_lib/unit.ts); `auto` is the
 * view's own best unit, named in its title. A pick is a client-side navigation, not a reload:
 * the page's figures come back in the new unit while what the user did on it stays (a focused
 * or opened cost graph, the scroll position). Never prefetched: each is a whole page's read.
 */
export function UnitPicker({
  links,
  auto,
}: {
  links: Array<{ unit: DisplayUnit | 'auto'; href: string }>
  auto: DisplayUnit
}) {
  const view = useViewUnit()
  const current = view?.from === 'auto' ? 'auto' : view?.unit
  return (
    <nav className="segmented small unit-picker" aria-label="Unit" data-testid="unit-picker">
      {links.map((l) => (
        <Link
          key={l.unit}
          href={l.href}
          prefetch={false}
          scroll={false}
          aria-current={current === l.unit ? 'page' : undefined}
          title={l.unit === 'auto' ? `The unit of this view's largest amount (${auto})` : undefined}
          data-testid={`unit-${l.unit}`}
          onClick={() => remember(l.unit === 'auto' ? null : l.unit)}
        >
          {l.unit === 'auto' ? 'Auto' : l.unit}
        </Link>
      ))}
    </nav>
  )
}
