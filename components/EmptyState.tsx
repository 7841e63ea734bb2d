import type { ReactNode } from 'react'

/** A list with nothing in it, said in words: what is missing and, if useful, what makes some. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" data-testid="empty-state">
      <p className="state-title">{title}</p>
      {children && <p className="state-text">{children}</p>}
    </div>
  )
}
