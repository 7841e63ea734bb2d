import type { ChannelEventRow, Labels } from '@/lib/explorer/api'
import { AddressLink } from './AddressLink'
import { Age } from './Age'
import { ArgsInline } from './ArgsInline'
import { BlockLink } from './BlockLink'
import { HashLink } from './HashLink'

/**
 * Channel events as rows: the name with its block, age and transaction, the channel, and the
 * arguments on one line (the channel itself left out of them, it has its own column).
 */
export function EventsTable({ events, labels }: { events: ChannelEventRow[]; labels: Labels }) {
  return (
    <div className="table-wrap">
      <table className="table collapse" data-testid="events-table">
        <thead>
          <tr>
            <th>Event</th>
            <th>Channel</th>
            <th>Arguments</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr
              key={`${e.txHash}:${e.logIndex}`}
              data-testid="event-row"
              data-name={e.name}
              data-channel={e.channel}
            >
              <td data-label="Event">
                <span className="event-name" data-testid="event-name">
                  {e.name}
                </span>
                <span className="muted small nowrap event-when">
                  <BlockLink number={e.blockNumber} /> · <Age iso={e.timestamp} /> ·{' '}
                  <HashLink kind="tx" hash={e.txHash} />
                </span>
              </td>
              <td data-label="Channel">
                <AddressLink address={e.channel} labels={labels} />
              </td>
              <td data-label="Arguments" className="args-cell">
                <ArgsInline
                  args={e.args.filter((a) => !(a.type === 'address' && a.value === e.channel))}
                  labels={labels}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
