import { Pill, type Tone } from './Pill'

const TONES: Record<string, Tone> = { success: 'ok', reverted: 'bad', pending: 'busy', unknown: 'neutral' }

/** A transaction's status: success (green), reverted (red), pending (amber) or unknown. */
export function TxStatusPill({ status, testId }: { status: string; testId?: string }) {
  return <Pill tone={TONES[status] ?? 'neutral'} label={status} testId={testId} />
}
