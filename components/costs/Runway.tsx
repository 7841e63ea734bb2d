import type { ServiceChannel } from '@/lib/costs/api'
import { formatDuration } from '@/lib/explorer/format'

/** How long a channel's funds last at the recent burn rate; a warning under 24 hours. */
export function Runway({ channel }: { channel: ServiceChannel }) {
  if (channel.terminated) return <span className="muted">terminated</span>
  if (channel.runwaySeconds === null) return <span className="muted">no recent spend</span>
  const warn = channel.runwaySeconds < 86_400
  return (
    <span
      className={warn ? 'runway runway-short' : 'runway'}
      data-testid="runway"
      data-seconds={Math.floor(channel.runwaySeconds)}
      title={warn ? 'Runs out within 24 hours at the recent rate' : undefined}
    >
      {warn && '⚠ '}
      {formatDuration(Math.floor(channel.runwaySeconds))}
    </span>
  )
}
