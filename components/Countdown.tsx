'use client'

import { useEffect, useState } from 'react'
import { formatDuration, formatNumber, formatUtc } from '@/lib/explorer/format'

/**
 * Time and blocks left until `at`, ticking every second: "in 3 min 20 s · ≈ 12 blocks", then
 * "due". It counts down from `secondsLeft` (measured against the chain head's time on the
 * server) rather than comparing `at` with this browser's clock, which may differ from chain time.
 */
export function Countdown({
  at,
  secondsLeft,
  blockTimeSeconds,
  due,
  compact = false,
  testId,
}: {
  at: string
  secondsLeft: number
  blockTimeSeconds: number | null
  due: boolean
  /** Leave out the time it is due at (still in the title). */
  compact?: boolean
  testId?: string
}) {
  const [elapsed, setElapsed] = useState(0)
  useEffect(() => {
    const started = Date.now()
    const timer = setInterval(() => setElapsed((Date.now() - started) / 1000), 1_000)
    return () => clearInterval(timer)
  }, [])
  const left = Math.max(0, secondsLeft - elapsed)
  const isDue = due || left <= 0
  const blocks = blockTimeSeconds && blockTimeSeconds > 0 ? Math.ceil(left / blockTimeSeconds) : null
  return (
    <span className="countdown" data-testid={testId} data-due={isDue} title={`at ${formatUtc(at)}`}>
      {isDue ? (
        <strong className="due">due</strong>
      ) : (
        <>
          in <strong>{formatDuration(Math.ceil(left))}</strong>
          {blocks !== null && (
            <>
              {' '}
              · ≈ {formatNumber(BigInt(blocks))} {blocks === 1 ? 'block' : 'blocks'}
            </>
          )}
        </>
      )}
      {!compact && <span className="muted small"> (at {formatUtc(at)})</span>}
    </span>
  )
}
