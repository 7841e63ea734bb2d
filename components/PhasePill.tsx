import { Pill, type Tone } from './Pill'

const TONES: Record<string, Tone> = {
  open: 'ok',
  redeeming: 'busy',
  terminating: 'bad',
  terminated: 'neutral',
}

/** A channel's phase: open, redeeming, terminating or terminated. */
export function PhasePill({ phase, testId = 'channel-phase' }: { phase: string; testId?: string }) {
  return <Pill tone={TONES[phase] ?? 'neutral'} label={phase} testId={testId} />
}
