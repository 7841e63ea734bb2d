import type { ReactNode } from 'react'

/** A card of labelled values (a definition list), two columns wide on desktop, one on a phone. */
export function Fields({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <dl className="card fields" data-testid={testId}>
      {children}
    </dl>
  )
}

/** One labelled value inside {@link Fields}. */
export function Field({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  )
}
