'use client'
import { useEffect, useState } from 'react'

/** Narrower than this (CSS px) the graph's layers run top to bottom. */
export const NARROW_PX = 640

/**
 * Whether the screen is narrow (a phone): null until mounted, so that the layout, which
 * depends on it, runs once, in the browser, in the right direction.
 */
export function useNarrow(): boolean | null {
  const [narrow, setNarrow] = useState<boolean | null>(null)
  useEffect(() => {
    const query = window.matchMedia(`(max-width: ${NARROW_PX}px)`)
    const update = () => setNarrow(query.matches)
    update()
    query.addEventListener('change', update)
    return () => query.removeEventListener('change', update)
  }, [])
  return narrow
}
