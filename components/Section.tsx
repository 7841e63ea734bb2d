import type { ReactNode } from 'react'

/** A titled part of a page, with an optional note right of the title ('live', a count). */
export function Section({
  title,
  aside,
  children,
  testId,
}: {
  title: string
  aside?: ReactNode
  children: ReactNode
  testId?: string
}) {
  return (
    <section className="section" data-testid={testId}>
      <div className="section-head">
        <h2 className="section-title">{title}</h2>
        {aside && <span className="section-aside">{aside}</span>}
      </div>
      {children}
    </section>
  )
}
