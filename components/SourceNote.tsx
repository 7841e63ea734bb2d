/** Says that data came from the chain node because the index does not have it (yet). */
export function SourceNote({ source, what = 'This' }: { source: 'index' | 'node'; what?: string }) {
  if (source === 'index') return null
  return (
    <p className="note" data-testid="source-node">
      {what} is not in the index; read from the node.
    </p>
  )
}
