'use client'

import { useEffect, useState } from 'react'
import { formatDuration, formatUtc } from '@/lib/explorer/format'

/** "12 s ago", ticking; the UTC time in the title (and shown until the page is interactive). */
export function Age({ iso }: { iso: string }) {
  const [now, setNow] = useState<number | null>(null)
  useEffect(() => {
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 1_000)
    return () => clearInterval(timer)
  }, [])
  const utc = formatUtc(iso)
  return (
    <time dateTime={iso} title={utc} className="nowrap">
      {now === null ? utc.slice(11, 19) : `${formatDuration(Math.max(0, now - Date.parse(iso)) / 1000)} ago`}
    </time>
  )
}
