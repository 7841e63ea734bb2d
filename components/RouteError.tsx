'use client'

import { useEffect } from 'react'
import { ErrorState } from './ErrorState'

/**
 * What every segment's error.tsx shows: which page failed, in words, and a retry button. In
 * production the server's message is withheld (only a digest arrives), so it is not shown then.
 */
export function RouteError({ error, retry, what }: { error: unknown; retry: () => void; what: string }) {
  useEffect(() => {
    console.error(error)
  }, [error])
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined
  const detail = process.env.NODE_ENV === 'development' && error instanceof Error ? error.message : null
  return (
    <ErrorState
      title={`Could not show ${what}`}
      message="The server failed while reading it; the database or the chain node may be restarting. Trying again usually helps."
    >
      {detail && <p className="state-text mono small">{detail}</p>}
      {digest && <p className="state-text muted small">Reference for the server log: {digest}</p>}
      <p>
        <button type="button" className="button" onClick={() => retry()} data-testid="error-retry">
          Try again
        </button>
      </p>
    </ErrorState>
  )
}
