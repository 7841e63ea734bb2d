/** Grey placeholder lines while a page loads. */
export function Skeleton({ lines = 3, title = true }: { lines?: number; title?: boolean }) {
  return (
    <div className="skeleton" role="status" aria-busy="true" aria-label="Loading">
      {title && <div className="skeleton-bar skeleton-title" />}
      {Array.from({ length: lines }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: identical placeholders
        <div key={i} className="skeleton-bar" style={{ width: `${90 - ((i * 17) % 40)}%` }} />
      ))}
    </div>
  )
}

/** A card-shaped placeholder for a table of `rows` rows. */
export function TableSkeleton({ rows = 8 }: { rows?: number }) {
  return (
    <div className="card skeleton" role="status" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: identical placeholders
        <div key={i} className="skeleton-bar" />
      ))}
    </div>
  )
}
