import type { ChannelSummary, Head } from '@/lib/explorer/api'
import { unixToIso } from '@/lib/explorer/format'
import { Countdown } from './Countdown'

/**
 * One line per pending deadline of a channel, from its summary and the chain head: when its
 * redemption can complete and when the consumer may terminate; a dash when none is pending.
 */
export function ChannelCountdowns({ channel, head }: { channel: ChannelSummary; head: Head }) {
  if (channel.terminated) return <span className="muted">terminated</span>
  const now = head.timestamp ? Date.parse(head.timestamp) / 1000 : Date.now() / 1000
  const lines = [
    { label: 'redeemable', at: channel.redeemableAt, testId: 'countdown-redeemable' },
    { label: 'terminable', at: channel.terminatesAt, testId: 'countdown-termination' },
  ].filter((l) => l.at !== '0')
  if (lines.length === 0) return <span className="muted">—</span>
  return (
    <span className="stack">
      {lines.map(({ label, at, testId }) => {
        const secondsLeft = Math.max(0, Number(at) - now)
        return (
          <span key={label} className="nowrap">
            {label}{' '}
            <Countdown
              at={unixToIso(at)}
              secondsLeft={secondsLeft}
              blockTimeSeconds={head.blockTimeSeconds}
              due={secondsLeft === 0}
              compact
              testId={testId}
            />
          </span>
        )
      })}
    </span>
  )
}
