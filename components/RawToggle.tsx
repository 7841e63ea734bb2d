import type { ReactNode } from 'react'

/**
 * Raw data folded away under a summary line (details/summary: works without JavaScript).
 * Strings are shown as they are, anything else as indented JSON.
 */
export function RawToggle({
  summary,
  value,
  testId,
  children,
}: {
  summary: ReactNode
  value?: unknown
  testId?: string
  children?: ReactNode
}) {
  return (
    <details className="raw" data-testid={testId}>
      <summary>{summary}</summary>
      {value !== undefined && (
        <pre className="raw-body">{typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre>
      )}
      {children}
    </details>
  )
}
