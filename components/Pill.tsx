export type Tone = 'ok' | 'bad' | 'busy' | 'neutral'

/** A small coloured label for a state ("success", "redeeming", …). */
export function Pill({ tone, label, testId }: { tone: Tone; label: string; testId?: string }) {
  return (
    <span className={`status status-${tone}`} data-testid={testId} data-value={label}>
      {label}
    </span>
  )
}
