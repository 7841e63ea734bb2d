'use client'
import { useState } from 'react'
import { searchServices } from '@/lib/costs/graphGroups'
import { shortAddress } from '@/lib/explorer/format'
import type { CanvasService } from './types'

/**
 * Finds a service by name (or address) as one types; Enter or a click focuses the first or the
 * chosen match. The list answers from memory, so it works while the canvas is busy drawing.
 */
export function GraphSearch({
  services,
  focused,
  onFocus,
}: {
  services: CanvasService[]
  focused: CanvasService | null
  onFocus: (service: CanvasService | null) => void
}) {
  const [query, setQuery] = useState('')
  const hits = searchServices(services, query) as CanvasService[]
  const pick = (s: CanvasService) => {
    setQuery('')
    onFocus(s)
  }
  return (
    <div className="cg-search">
      <input
        type="search"
        value={query}
        placeholder="Find a service…"
        aria-label="Find a service in the graph"
        data-testid="graph-search"
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && hits[0]) {
            e.preventDefault()
            pick(hits[0])
          }
          if (e.key === 'Escape') setQuery('')
        }}
      />
      {query.trim() !== '' && (
        <ul className="cg-search-results" data-testid="graph-search-results">
          {hits.length === 0 && <li className="muted">No service matches.</li>}
          {hits.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                data-testid="graph-search-result"
                data-address={s.id}
                onClick={() => pick(s)}
              >
                {s.name ?? shortAddress(s.id)}
                {s.team && <span className="muted"> · {s.team}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
      {focused && (
        <span className="cg-focus-chip" data-testid="graph-focus" data-address={focused.id}>
          Focus: <a href={focused.href}>{focused.name ?? shortAddress(focused.id)}</a>
          <button
            type="button"
            aria-label="Clear the focus"
            data-testid="graph-unfocus"
            onClick={() => onFocus(null)}
          >
            ×
          </button>
        </span>
      )}
    </div>
  )
}
