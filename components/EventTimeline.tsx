import type { ChannelEventRow, Labels } from '@/lib/explorer/api'
import { BlockLink } from './BlockLink'
import { BlockTime } from './BlockTime'
import { DecodedArgs } from './DecodedArgs'
import { HashLink } from './HashLink'

/**
 * A channel's events, newest first, each with its time, block, transaction and decoded arguments
 * (a v2 channel's per-category arrays labelled with `categories`, its category names).
 */
export function EventTimeline({
  events,
  labels,
  categories,
}: {
  events: ChannelEventRow[]
  labels: Labels
  categories?: readonly string[]
}) {
  const newestFirst = [...events].sort((a, b) => {
    const byBlock = BigInt(b.blockNumber) - BigInt(a.blockNumber)
    if (byBlock !== 0n) return byBlock > 0n ? 1 : -1
    return Number(BigInt(b.logIndex) - BigInt(a.logIndex))
  })
  return (
    <ol className="timeline" data-testid="channel-timeline">
      {newestFirst.map((e) => (
        <li
          key={`${e.txHash}:${e.logIndex}`}
          className="timeline-item"
          data-testid="event-row"
          data-name={e.name}
        >
          <div className="timeline-head">
            <strong className="event-name" data-testid="event-name">
              {e.name}
            </strong>
            <span className="muted small">
              block <BlockLink number={e.blockNumber} /> · tx <HashLink kind="tx" hash={e.txHash} /> ·{' '}
              <BlockTime iso={e.timestamp} />
            </span>
          </div>
          <DecodedArgs args={e.args} labels={labels} itemNames={categories} />
        </li>
      ))}
    </ol>
  )
}
