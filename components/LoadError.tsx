import Link from 'next/link'
import { ErrorState } from './ErrorState'

const TITLES: Record<number, string> = {
  400: 'That cannot be looked up',
  503: 'The chain node or the database does not answer',
}

/**
 * A page's read failed with an AppError: its message in words, its hints, and a link that
 * loads the page again when retrying can help.
 */
export function LoadError({
  error,
  what,
  retryHref,
}: {
  error: { status: number; message: string; hints: string[]; retryable: boolean }
  /** What was being loaded: 'this block'. */
  what: string
  /** The page itself, to load again. */
  retryHref?: string
}) {
  return (
    <ErrorState title={TITLES[error.status] ?? `Could not load ${what}`} message={error.message}>
      {error.hints.length > 0 && (
        <ul className="state-hints">
          {error.hints.map((hint) => (
            <li key={hint}>{hint}</li>
          ))}
        </ul>
      )}
      {error.retryable && retryHref && (
        <p>
          <Link href={retryHref} prefetch={false} className="button">
            Try again
          </Link>
        </p>
      )}
    </ErrorState>
  )
}
