/** A small coloured status label: green when ok, red otherwise. */
export function StatusPill({ ok, label }: { ok: boolean; label: string }) {
  return (
    <span className={`status ${ok ? 'status-ok' : 'status-bad'}`} data-testid="status-pill">
      {label}
    </span>
  )
}
