import type { ChannelEventRow, Labels } from '@/lib/explorer/api'
import { AddressLink } from './AddressLink'
import { Age } from './Age'
import { ArgsInline } from './ArgsInline'
import { BlockLink } from './BlockLink'
import { HashLink } from './HashLink'

/** Channel events as rows: name, channel, arguments on one line, block, age and transaction. */
export function EventsTable({ events, labels }: { events: ChannelEventRow[]; labels: Labels }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="events-table">
        <thead>
          <tr>
            <th>Event</th>
            <th>Channel</th>
            <th>Arguments</th>
            <th>Block</th>
            <th>Age</th>
            <th>Tx</th>
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
              <td>
                <span className="event-name" data-testid="event-name">
                  {e.name}
                </span>
              </td>
              <td className="nowrap">
                <AddressLink address={e.channel} labels={labels} />
              </td>
              <td className="args-cell">
                <ArgsInline args={e.args} labels={labels} />
              </td>
              <td>
                <BlockLink number={e.blockNumber} />
              </td>
              <td>
                <Age iso={e.timestamp} />
              </td>
              <td>
                <HashLink kind="tx" hash={e.txHash} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
