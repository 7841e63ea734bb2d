import type { Labels, TxEvent } from '@/lib/explorer/api'
import { AddressLink } from './AddressLink'
import { DecodedArgs } from './DecodedArgs'
import { EmptyState } from './EmptyState'

/** The logs a transaction emitted, decoded with name and arguments, or raw when the ABI is unknown. */
export function TxEvents({ events, labels }: { events: TxEvent[]; labels: Labels }) {
  if (events.length === 0) return <EmptyState title="No events: this transaction emitted no logs." />
  return (
    <ol className="event-list">
      {events.map((e) => (
        <li key={e.logIndex} className="card event-card" data-testid="event-row" data-name={e.name ?? ''}>
          <div className="timeline-head">
            <strong className="event-name" data-testid="event-name">
              {e.name ?? 'Unknown event'}
            </strong>
            <span className="muted small">
              log {e.logIndex} · from <AddressLink address={e.address} labels={labels} />
            </span>
          </div>
          {e.signature && <p className="mono small muted break signature">{e.signature}</p>}
          {e.args ? (
            <DecodedArgs args={e.args} labels={labels} />
          ) : (
            <div className="raw-fields">
              {e.topics.map((topic, i) => (
                <p key={topic + String(i)} className="mono small break">
                  <span className="muted">topic {i}: </span>
                  {topic}
                </p>
              ))}
              <p className="mono small break">
                <span className="muted">data: </span>
                {e.data}
              </p>
            </div>
          )}
        </li>
      ))}
    </ol>
  )
}
