'use client'

import { useEffect, useState } from 'react'

/** "2026-11-21 09:30:53 UTC · 4 s ago", the relative part ticking every second. */
export function BlockTime({ iso }: { iso: string }) {
  const [now, setNow] = useState<number | null>(null)
  useEffect(() => {
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 1_000)
    return () => clearInterval(timer)
  }, [])
  const utc = iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC')
  // Rendered only in the browser, so server and client HTML agree.
  const ago = now === null ? '' : ` · ${relative(now - Date.parse(iso))}`
  return (
    <time dateTime={iso} title={iso}>
      {utc}
      {ago}
    </time>
  )
}

function relative(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s ago`
  if (s < 3600) return `${Math.floor(s / 60)} min ago`
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`
  return `${Math.floor(s / 86_400)} d ago`
}
