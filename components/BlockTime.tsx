'use client'

import { useEffect, useState } from 'react'
import { formatDuration, formatUtc } from '@/lib/explorer/format'

/** "2026-11-21 09:30:53 UTC · 4 s ago", the relative part ticking every second. */
export function BlockTime({ iso }: { iso: string }) {
  const [now, setNow] = useState<number | null>(null)
  useEffect(() => {
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 1_000)
    return () => clearInterval(timer)
  }, [])
  // Rendered only in the browser, so server and client HTML agree.
  const ago = now === null ? '' : ` · ${formatDuration(Math.max(0, now - Date.parse(iso)) / 1000)} ago`
  return (
    <time dateTime={iso} title={iso}>
      {formatUtc(iso)}
      {ago}
    </time>
  )
}
