import type { ReactNode } from 'react'

/** Something could not be shown: what, why in words, and what may help (`children`, e.g. a retry). */
export function ErrorState({
  title,
  message,
  children,
}: {
  title: string
  message?: string
  children?: ReactNode
}) {
  return (
    <div className="state state-error" role="alert" data-testid="error-state">
      <p className="state-title">{title}</p>
      {message && <p className="state-text">{message}</p>}
      {children}
    </div>
  )
}
