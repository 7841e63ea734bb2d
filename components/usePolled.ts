'use client'

import { useEffect, useState } from 'react'

/**
 * Fetches `url` as JSON every `intervalMs` (and once at once unless `initial` is given).
 * Answers with a status outside `statuses` count as failures. `stale` is true while the last
 * attempt failed; the last good value stays.
 */
export function usePolled<T>(
  url: string,
  {
    initial,
    intervalMs = 2_000,
    statuses = [200],
  }: { initial?: T; intervalMs?: number; statuses?: number[] } = {},
) {
  const [value, setValue] = useState<T | undefined>(initial)
  const [stale, setStale] = useState(false)
  // Primitives, so the effect does not restart on every render's new array or object.
  const fetchAtOnce = initial === undefined
  const accepted = statuses.join(',')

  useEffect(() => {
    const ok = accepted.split(',').map(Number)
    let cancelled = false
    const tick = async () => {
      try {
        const res = await fetch(url, { cache: 'no-store' })
        if (!ok.includes(res.status)) throw new Error(`HTTP ${res.status}`)
        const body = (await res.json()) as T
        if (!cancelled) {
          setValue(body)
          setStale(false)
        }
      } catch {
        if (!cancelled) setStale(true)
      }
    }
    if (fetchAtOnce) void tick()
    const timer = setInterval(tick, intervalMs)
    return () => {
      cancelled = true
      clearInterval(timer)
    }
  }, [url, intervalMs, fetchAtOnce, accepted])

  return { value, stale }
}
